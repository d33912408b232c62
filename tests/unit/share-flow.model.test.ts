/**
 * Model-based test of 转发: the machine is the model, the simulated world
 * (WeChat's share rules and group registry, the developer server with real
 * AES under each opener's own session_key) is the system under test. Before
 * a world step the test picks, through the reader's own controls, the base
 * library (and Moments handler) under which the world must produce the
 * modelled outcome, then checks that it does.
 *
 * Chapter invariants, checked on the world's own record:
 * - no share-success callback ever reaches the mini program from 基础库 2.3.0 on;
 * - an opengid is decrypted only for a launch from a group card with a shareTicket;
 * - the same group yields the same opengid for every member;
 * - group info WeChat encrypted for one user does not decrypt with another user's key.
 */
import { expect } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import type { ShareEvent, ShareMachine } from '../../src/chapters/share/machine.ts';
import { sdkControl, shareSimulation } from '../../src/chapters/share/simulation.ts';
import { USERS, type ShareWorld } from '../../src/chapters/share/world.ts';
import { Simulation, stateToString, STEP_CONTROL_ID } from '../../src/kit/engine/engine.ts';
import { decryptWeChatData } from '../../src/world/support/crypto.ts';
import { DEMO_APP } from '../../src/world/simulated-world.ts';
import { compareVersions } from '../../src/world/wechat/base-library.ts';
import {
  cardEntry,
  NO_CALLBACK_SINCE,
  PROMISE_TIMEOUT_MS,
  SCENE_GROUP_CHAT,
  SCENE_LEAVE_SINGLE_PAGE,
  SCENE_SINGLE_CHAT,
  SCENE_TIMELINE_SINGLE_PAGE,
  SCENE_WITH_SHARE_TICKET,
  type ShareSdk,
} from '../../src/world/wechat/share.ts';
import { choose, describeChapterModel, press, setSwitch } from '../support/chapter-model.ts';

type Snapshot = SnapshotFrom<ShareMachine>;
type Sim = Simulation<ShareMachine, ShareWorld>;


async function useSdk(sim: Sim, sdk: ShareSdk) {
  await choose(sim, sdkControl(sdk));
}

function worldOutcomes(snapshot: Snapshot): ShareEvent[] {
  const { context } = snapshot;
  switch (stateToString(snapshot.value)) {
    case 'openingMenu':
      return context.handler === 'none'
        ? [{ type: 'wechat.menuShown', forward: false, timeline: false }]
        : [
            { type: 'wechat.menuShown', forward: true, timeline: true },
            { type: 'wechat.menuShown', forward: true, timeline: false },
          ];
    case 'composing':
      return context.handler === 'promise'
        ? [{ type: 'mp.promiseReturned' }, { type: 'mp.contentReturned', source: 'ignoredPromise' }]
        : [{ type: 'mp.contentReturned', source: 'object' }];
    case 'awaitingPromise':
      return context.promiseDelayMs < PROMISE_TIMEOUT_MS ? [{ type: 'mp.promiseResolved' }] : [{ type: 'wechat.promiseTimedOut' }];
    case 'sending':
      return [{ type: 'wechat.cardPosted' }, { type: 'wechat.shareCallback', shareTickets: context.sent === 'group' && context.cardTicket ? 1 : 0 }];
    case 'composingTimeline':
      return [{ type: 'wechat.timelinePosted' }];
    case 'launching':
      return context.sent ? [{ type: 'wechat.launched', scene: cardEntry(context.sent, context.cardTicket).scene }] : [];
    case 'leavingSinglePage':
      return [{ type: 'wechat.launched', scene: SCENE_LEAVE_SINGLE_PAGE }];
    case 'loggingIn':
      return [{ type: 'server.loggedIn' }];
    case 'gettingGroupInfo':
      return context.scene === SCENE_WITH_SHARE_TICKET
        ? [
            { type: 'wechat.groupInfoIssued', api: 'getGroupEnterInfo' },
            { type: 'wechat.groupInfoIssued', api: 'getShareInfo' },
          ]
        : [
            { type: 'wechat.groupInfoRefused', errCode: 40097 },
            { type: 'wechat.groupInfoRefused', errCode: -1 },
          ];
    case 'decrypting':
      return context.keyStale ? [{ type: 'server.groupDecryptFailed', code: 'SESSION_KEY_MISMATCH' }] : [{ type: 'server.groupDecrypted', opengid: '' }];
    case 'loggingInSilently':
      return [{ type: 'wechat.keyRotated' }];
    default:
      return [];
  }
}

/**
 * Only what the next steps depend on, state by state: on the page, the
 * handler (and a promise's delay), the card's chat and whether an opener is
 * logged in (with a stale key); elsewhere only what decides the outcome.
 * Finer combinations (a ticketless group card, two openers) are the scenarios'.
 */
const serializeState = (snapshot: Snapshot) => {
  const c = snapshot.context;
  const state = stateToString(snapshot.value);
  const handler = c.handler === 'promise' ? `promise${c.promiseDelayMs < PROMISE_TIMEOUT_MS ? '' : '-late'}` : c.handler;
  switch (state) {
    case 'page': {
      const sent = c.sent ?? '-';
      const ticketed = c.scene === SCENE_WITH_SHARE_TICKET ? '#' : '';
      const opener = c.opener === null || !c.loggedIn ? '-' : `${c.opener}${ticketed}${c.keyStale ? '!' : ''}`;
      return `page|${handler}|sent:${sent}|o:${opener}`;
    }
    case 'openingMenu':
    case 'composing':
      return `${state}|${handler}`;
    case 'awaitingPromise':
      return `${state}|${handler}`;
    case 'menu':
      return `menu|${c.menu?.forward}|${c.menu?.timeline}`;
    case 'sending':
      return `sending|${c.sent}`;
    case 'launching':
      return `launching|${c.sent}|${c.cardTicket}`;
    case 'gettingGroupInfo':
      return `${state}|${c.scene}|${c.keyStale}`;
    case 'decrypting':
      return `${state}|${c.keyStale}`;
    case 'singlePage':
      return `${state}|${c.sent}`;
    case 'loggingIn':
    case 'loggingInSilently':
      return `${state}|${c.sent}|${c.opener}|${c.scene}`;
    default:
      return state;
  }
};

async function produce(sim: Sim, event: ShareEvent) {
  switch (event.type) {
    case 'wechat.menuShown':
      // The Moments item needs the handler and 基础库 2.11.3; either missing greys it out.
      if (event.forward) {
        await setSwitch(sim, 'timeline-handler', event.timeline);
        await useSdk(sim, '2.17.3');
      }
      break;
    case 'mp.promiseReturned':
      await useSdk(sim, '2.17.3');
      break;
    case 'mp.contentReturned':
      if (event.source === 'ignoredPromise') await useSdk(sim, '2.2.5');
      break;
    case 'wechat.cardPosted':
      await useSdk(sim, '2.17.3');
      break;
    case 'wechat.shareCallback':
      await useSdk(sim, '2.2.5');
      break;
    case 'wechat.groupInfoRefused':
      // 2.17.3 asks getGroupEnterInfo (40097); before it, the page has no shareTicket to pass to getShareInfo.
      await useSdk(sim, event.errCode === 40097 ? '2.17.3' : '2.16.1');
      break;
    case 'wechat.groupInfoIssued':
      await useSdk(sim, event.api === 'getShareInfo' ? '2.16.1' : '2.17.3');
      break;
    default:
      break;
  }
  await press(sim, STEP_CONTROL_ID);
}

async function decrypts(sessionKey: string, encryptedData: string, iv: string): Promise<boolean> {
  try {
    await decryptWeChatData({ appId: DEMO_APP.appid, sessionKey, encryptedData, iv });
    return true;
  } catch {
    return false;
  }
}

async function invariants(sim: Sim) {
  const { world } = sim;
  for (const callback of world.callbacks) {
    expect(compareVersions(callback.sdk, NO_CALLBACK_SINCE), 'a share callback reached the mini program on a base library without one').toBeLessThan(0);
  }
  // The sharer's mini program hears nothing after the sheet: nothing but its own calls ever reaches phone-a.
  for (const message of sim.frame().messages.filter((m) => m.to === 'phone-a')) {
    expect(message.from, `${message.label} reached the sharer`).toBe('phone-a');
  }
  const ids = new Set<string>();
  for (const record of world.decrypts) {
    if (record.status !== 200) continue;
    expect(record.launch.conversation, 'opengid outside a group launch').toBe('group');
    expect(record.launch.shareTicket, 'opengid without a shareTicket').not.toBeNull();
    ids.add(record.opengid!);
  }
  expect(ids.size, 'one group, one opengid for every member').toBeLessThanOrEqual(1);
  // Real AES: data WeChat sealed for one person opens only with that person's key.
  for (const info of world.groupInfos) {
    for (const other of Object.values(USERS).filter((user) => user.id !== USERS[info.person].id)) {
      const key = world.wechat.currentSessionKey(DEMO_APP.appid, other.id);
      if (key) expect(await decrypts(key, info.encryptedData, info.iv), `${info.person}'s group info opened with ${other.id}'s key`).toBe(false);
    }
  }
  for (const launch of world.launchLog) {
    if (launch.shareTicket) expect(launch.conversation).toBe('group');
  }
}

const tapShare: ShareEvent = { type: 'user.tappedShareButton', id: 'b-101' };
const sendTo = (chat: 'single' | 'group'): ShareEvent[] => [{ type: 'user.sentTo', chat }, { type: 'wechat.cardPosted' }];
const objectShare = (chat: 'single' | 'group'): ShareEvent[] => [tapShare, { type: 'mp.contentReturned', source: 'object' }, ...sendTo(chat)];
const open = (who: 'b' | 'c', scene: number): ShareEvent[] => [
  { type: 'user.openedCard', who },
  { type: 'wechat.launched', scene },
  { type: 'server.loggedIn' },
];
const groupInfo: ShareEvent[] = [
  { type: 'user.openedGroupPage' },
  { type: 'wechat.groupInfoIssued', api: 'getGroupEnterInfo' },
  { type: 'server.groupDecrypted', opengid: '' },
];

describeChapterModel<ShareMachine, ShareWorld>({
  definition: shareSimulation,
  outcomes: worldOutcomes,
  serializeState,
  produce,
  invariants,
  readerControls: new Set([
    'handler-none',
    'handler-promise',
    'delay-5s',
    'ticket-off',
    'open-menu',
    'menu-forward',
    'menu-timeline',
    'close-menu',
    'share-b-101',
    'send-single',
    'send-group',
    'cancel-sheet',
    'open-as-b',
    'open-as-c',
    'open-leaderboard',
    'go-to-mp',
    'login-again',
  ]),
  minPaths: 40,
  scenarios: [
    { name: 'B and C open the same group card: one opengid', events: [...objectShare('group'), ...open('b', SCENE_WITH_SHARE_TICKET), ...groupInfo, ...open('c', SCENE_WITH_SHARE_TICKET), ...groupInfo] },
    {
      name: 'a group card without withShareTicket: 1008, and 40097 on the leaderboard',
      events: [
        { type: 'code.shareTicketSet', on: false },
        ...objectShare('group'),
        ...open('c', SCENE_GROUP_CHAT),
        { type: 'user.openedGroupPage' },
        { type: 'wechat.groupInfoRefused', errCode: 40097 },
      ],
    },
    {
      name: 'the promise misses the 3 s deadline',
      events: [
        { type: 'code.handlerSet', handler: 'promise' },
        { type: 'code.promiseDelaySet', ms: 5000 },
        tapShare,
        { type: 'mp.promiseReturned' },
        { type: 'wechat.promiseTimedOut' },
        ...sendTo('single'),
        ...open('b', SCENE_SINGLE_CHAT),
      ],
    },
    {
      name: 'a silent wx.login on B: 409, then a fresh open works',
      events: [
        ...objectShare('group'),
        ...open('b', SCENE_WITH_SHARE_TICKET),
        { type: 'code.calledLoginAgain' },
        { type: 'wechat.keyRotated' },
        { type: 'user.openedGroupPage' },
        { type: 'wechat.groupInfoIssued', api: 'getGroupEnterInfo' },
        { type: 'server.groupDecryptFailed', code: 'SESSION_KEY_MISMATCH' },
        ...open('b', SCENE_WITH_SHARE_TICKET),
        ...groupInfo,
      ],
    },
    {
      name: 'Moments: single-page mode, then 前往小程序',
      events: [
        { type: 'user.openedMenu' },
        { type: 'wechat.menuShown', forward: true, timeline: true },
        { type: 'user.choseTimeline' },
        { type: 'wechat.timelinePosted' },
        { type: 'user.openedCard', who: 'b' },
        { type: 'wechat.launched', scene: SCENE_TIMELINE_SINGLE_PAGE },
        { type: 'user.tappedGoToMiniProgram' },
        { type: 'wechat.launched', scene: SCENE_LEAVE_SINGLE_PAGE },
        { type: 'server.loggedIn' },
      ],
    },
  ],
  mustExercise: {
    'the menu greyed without onShareAppMessage': (sim) => sim.world.menus.some((menu) => !menu.forward),
    'the Moments item greyed while 发送给朋友 works': (sim) => sim.world.menus.some((menu) => menu.forward && !menu.timeline),
    'content from a promise resolved in time': (sim) => sim.world.promises.some((p) => p.usesPromise && p.settledAt !== null),
    'the default content at exactly 3 s': (sim) =>
      sim.world.promises.some((p) => !p.usesPromise && p.settledAt === p.startedAt + PROMISE_TIMEOUT_MS && p.delayMs > PROMISE_TIMEOUT_MS),
    'a promise ignored by a base library before 2.12.0': (sim) => sim.world.contents.some((c) => c.source === 'ignoredPromise'),
    'a card sent with no callback (2018-10 on)': (sim) => sim.world.posted.length > sim.world.callbacks.length && sim.world.posted.some((p) => p.conversation !== 'timeline'),
    'a success callback with shareTickets (before 2018-10)': (sim) => sim.world.callbacks.some((c) => c.shareTickets > 0),
    'a single-chat open: 1007, no shareTicket': (sim) => sim.world.launchLog.some((l) => l.scene === SCENE_SINGLE_CHAT && l.shareTicket === null),
    'a group open without withShareTicket: 1008, no shareTicket': (sim) => sim.world.launchLog.some((l) => l.scene === SCENE_GROUP_CHAT && l.shareTicket === null),
    'a group open with a shareTicket: 1044': (sim) => sim.world.launchLog.some((l) => l.scene === SCENE_WITH_SHARE_TICKET && l.shareTicket !== null),
    'an opengid decrypted with the opener’s key': (sim) => sim.world.decrypts.some((d) => d.status === 200),
    'B and C get the same opengid': (sim) => {
      const ok = sim.world.decrypts.filter((d) => d.status === 200);
      return ok.some((d) => d.person === 'b') && ok.some((d) => d.person === 'c');
    },
    'the old getShareInfo path (before 2.17.3)': (sim) => sim.world.groupInfos.some((g) => g.api === 'getShareInfo'),
    'getGroupEnterInfo refused with 40097 outside a group card': (sim) => sim.snapshot.context.groupError === '40097',
    'a rotated session_key answered with 409': (sim) => sim.world.decrypts.some((d) => d.code === 'SESSION_KEY_MISMATCH'),
    'Moments single-page mode (1154)': (sim) => sim.world.launchLog.some((l) => l.scene === SCENE_TIMELINE_SINGLE_PAGE && l.singlePage),
    '前往小程序 starts the full mini program and logs in': (sim) =>
      sim.world.launchLog.some((l) => l.scene === SCENE_LEAVE_SINGLE_PAGE) && sim.world.tokens.b !== undefined,
  },
});
