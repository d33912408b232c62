/**
 * The 转发 simulator: three phones (A shares; B and C open), the
 * conversations in between, the developer server and WeChat's server. The
 * rules are WeChat's (world/wechat/share.ts); the decrypt is the developer
 * server's core (world/developer/share-groups.ts), the same one the
 * companion server runs, with real AES under each opener's own session_key.
 */
import type { SnapshotFrom } from 'xstate';
import { choiceControl, clockControl, codeChoice, effectTable, stateMeta, toggleControl, userControl, type EffectRun } from '../../kit/engine/controls.ts';
import { defineSimulation, type Control, type EffectPlace, type Finding, type HolderRow, type LaneSpec, type WorldView } from '../../kit/engine/definition.ts';
import { DEMO_APP } from '../../world/simulated-world.ts';
import {
  CHAT_TYPE_NAMES,
  GROUP_ENTER_INFO_DOC,
  NO_CALLBACK_DATE,
  NO_CALLBACK_SINCE,
  PAGE_SHARE_DOC,
  promiseSettlement,
  PROMISE_SINCE,
  PROMISE_TIMEOUT_MS,
  SCENE_LEAVE_SINGLE_PAGE,
  SCENE_NAMES,
  SCENE_SINGLE_CHAT,
  SHARE_CALLBACK_NOTICE,
  SHARE_DOC,
  SHARE_SDK_PRESETS,
  SHARE_TIMELINE_DOC,
  shareAbilities,
  SIGNATURE_DOC,
  TIMELINE_SINCE,
  type ShareSdk,
} from '../../world/wechat/share.ts';
import { MINIPROGRAM } from '../shared/code-files.ts';
import { shareMachine, type Person, type ShareEffect, type ShareEvent, type ShareHandler, type ShareMachine } from './machine.ts';
import {
  createShareWorld,
  DEFAULT_PATH,
  DEFAULT_TITLE,
  GROUP,
  ITEMS,
  lastCard,
  PROMISE_DELAYS_MS,
  PROMISE_TITLE_SUFFIX,
  USERS,
  type Launch,
  type ShareWorld,
} from './world.ts';
import { LANES } from '../shared/lanes.ts';

type Snapshot = SnapshotFrom<ShareMachine>;

export const PERSON_LANE: Record<Person, string> = { b: 'phone-b', c: 'phone-c' };

/** A person's phone as a lane: 阿岚的手机, which a narrow column breaks as 阿岚的 / 手机. */
const phoneLane = (id: string, nickname: string): LaneSpec => ({ id, label: `${nickname}的手机`, segments: [`${nickname}的`, '手机'], trust: 'device' });

const userOf = (person: Person) => USERS[person].id;

/** Who lost the share callback: both conditions of the notice, said the same way wherever the simulator says it. */
const NO_CALLBACK_RULE = `${NO_CALLBACK_DATE} 起新提交的版本，在基础库 ${NO_CALLBACK_SINCE} 及以上`;

export const sceneLabel = (scene: number) => `${scene} ${SCENE_NAMES[scene] ?? ''}`.trim();

export const CHAT_NAMES = { single: `单聊（${USERS.a.nickname} ↔ ${USERS.b.nickname}）`, group: `群聊「${GROUP.name}」`, timeline: '朋友圈' } as const;

const HANDLER_WORDS: Record<ShareHandler, string> = {
  none: '没有定义',
  object: '直接返回 { title, path }',
  promise: '返回默认内容 + promise',
};

/** What the page's handler builds for this tap: the item's own title and path, or the page's. */
function shareTarget(snapshot: Snapshot): { title: string; path: string } {
  const item = ITEMS.find((candidate) => candidate.id === snapshot.context.itemId);
  return item ? { title: item.title, path: `${DEFAULT_PATH}?id=${item.id}` } : { title: DEFAULT_TITLE, path: DEFAULT_PATH };
}

function opener(snapshot: Snapshot): Person {
  const who = snapshot.context.opener;
  if (!who) throw new Error('nobody is opening the card');
  return who;
}

const handlers: Record<ShareEffect, EffectRun<ShareWorld, ShareMachine>> = {
  async showMenu(world, snapshot) {
    const abilities = shareAbilities(world.settings.sdk);
    const forward = snapshot.context.handler !== 'none';
    // "显示'分享到朋友圈'按钮时必须同时显示'发送给朋友'按钮", and the page needs onShareTimeline.
    const timeline = forward && world.settings.timelineHandler && abilities.timeline;
    world.menus.push({ forward, timeline });
    world.wire.record({
      from: 'phone-a',
      to: 'phone-a',
      label: '右上角 ··· 菜单',
      payload: { 发送给朋友: forward ? '可点' : '灰色', 分享到朋友圈: timeline ? '可点' : '灰色' },
      tone: forward ? 'normal' : 'error',
      note: forward
        ? timeline
          ? '页面定义了 onShareAppMessage 和 onShareTimeline：两项都可点'
          : abilities.timeline
            ? '没有 onShareTimeline：「分享到朋友圈」是灰的'
            : `基础库 ${world.settings.sdk} 还没有分享到朋友圈（${TIMELINE_SINCE} 起）`
        : '页面没有定义 onShareAppMessage：「发送给朋友」是灰的，点不了',
    });
    return { type: 'wechat.menuShown', forward, timeline };
  },

  async callShareHandler(world, snapshot, { schedule }) {
    const { from } = snapshot.context;
    const target = shareTarget(snapshot);
    const abilities = shareAbilities(world.settings.sdk);
    world.wire.record({
      from: 'phone-a',
      to: 'phone-a',
      label: 'onShareAppMessage(options)',
      payload: from === 'button' ? { from: 'button', target: { dataset: { id: snapshot.context.itemId } } } : { from: 'menu' },
      note: from === 'button' ? 'open-type="share" 的按钮：target 就是这个按钮，data-id 在 target.dataset 里' : '右上角菜单里的「发送给朋友」：没有 target',
    });
    if (snapshot.context.handler === 'object') {
      world.contents.push({ ...target, source: 'object' });
      world.wire.record({ from: 'phone-a', to: 'phone-a', label: '返回 { title, path }', payload: target, note: 'path 必须以 / 开头' });
      return { type: 'mp.contentReturned', source: 'object' };
    }
    const defaults = { title: DEFAULT_TITLE, path: DEFAULT_PATH };
    if (!abilities.promise) {
      world.contents.push({ ...defaults, source: 'ignoredPromise' });
      world.wire.record({
        from: 'phone-a',
        to: 'phone-a',
        label: '返回 { title, path, promise }',
        payload: defaults,
        tone: 'error',
        note: `基础库 ${world.settings.sdk} 没有 promise 字段（${PROMISE_SINCE} 起）：这里按只认同步的 title、path 演示`,
      });
      return { type: 'mp.contentReturned', source: 'ignoredPromise' };
    }
    const delayMs = snapshot.context.promiseDelayMs;
    const settlement = promiseSettlement(delayMs);
    const record = { startedAt: world.clock.now(), settledAt: null as number | null, usesPromise: settlement.usesPromise, delayMs };
    world.promises.push(record);
    world.wire.record({
      from: 'phone-a',
      to: 'phone-a',
      label: '返回 { title, path, promise }',
      payload: { ...defaults, promise: `${delayMs / 1000} 秒后 resolve` },
      note: `微信先拿着默认内容，最多等 promise ${PROMISE_TIMEOUT_MS / 1000} 秒`,
    });
    schedule({
      after: settlement.afterMs,
      lane: 'phone-a',
      label: settlement.usesPromise ? 'promise resolve' : `${PROMISE_TIMEOUT_MS / 1000} 秒到了`,
      run: ({ world: w, record: wire }) => {
        record.settledAt = w.clock.now();
        if (settlement.usesPromise) {
          const content = { title: `${target.title}${PROMISE_TITLE_SUFFIX}`, path: target.path };
          w.contents.push({ ...content, source: 'promise' });
          wire({ from: 'phone-a', to: 'phone-a', label: 'promise resolve', payload: content, note: `${delayMs / 1000} 秒，在 ${PROMISE_TIMEOUT_MS / 1000} 秒之内：用 resolve 的结果` });
          return { type: 'mp.promiseResolved' };
        }
        w.contents.push({ ...defaults, source: 'fallback' });
        wire({
          from: 'phone-a',
          to: 'phone-a',
          label: `${PROMISE_TIMEOUT_MS / 1000} 秒到了，改用默认内容`,
          payload: defaults,
          tone: 'error',
          note: `promise 要 ${delayMs / 1000} 秒才 resolve；之后的结果微信不再理会`,
        });
        return { type: 'wechat.promiseTimedOut' };
      },
    });
    return { type: 'mp.promiseReturned' };
  },

  async sendCard(world, snapshot) {
    const chat = snapshot.context.sent;
    if (chat !== 'single' && chat !== 'group') throw new Error('no chat chosen');
    const content = world.contents.at(-1)!;
    const withShareTicket = snapshot.context.cardTicket;
    world.posted.push({ conversation: chat, title: content.title, path: content.path, withShareTicket, at: world.clock.now() });
    const abilities = shareAbilities(world.settings.sdk);
    world.wire.record({
      from: 'phone-a',
      to: 'chat',
      label: `小程序卡片 → ${CHAT_NAMES[chat]}`,
      payload: { title: content.title, path: content.path },
      note: abilities.callback ? undefined : `基础库 ${world.settings.sdk}：小程序收不到任何回调，不知道卡片发没发、发给了谁`,
    });
    if (abilities.callback) {
      const shareTickets = chat === 'group' && withShareTicket ? 1 : 0;
      world.callbacks.push({ sdk: world.settings.sdk, shareTickets });
      world.wire.record({
        from: 'phone-a',
        to: 'phone-a',
        label: 'success({ shareTickets })',
        payload: { shareTickets: shareTickets ? ['（群的 shareTicket）'] : [] },
        tone: 'error',
        note: `基础库 ${NO_CALLBACK_SINCE} 以下的行为；${NO_CALLBACK_RULE}没有这个回调`,
      });
      return { type: 'wechat.shareCallback', shareTickets };
    }
    return { type: 'wechat.cardPosted' };
  },

  async callTimelineHandler(world) {
    const content = { title: DEFAULT_TITLE, query: 'from=timeline' };
    world.wire.record({ from: 'phone-a', to: 'phone-a', label: 'onShareTimeline()', payload: content, note: '没有自定义 path，只有 query；图片按 1:1 显示' });
    world.contents.push({ title: content.title, path: `${DEFAULT_PATH}?${content.query}`, source: 'timeline' });
    world.posted.push({ conversation: 'timeline', title: content.title, path: `${DEFAULT_PATH}?${content.query}`, withShareTicket: false, at: world.clock.now() });
    world.wire.record({ from: 'phone-a', to: 'chat', label: '发表到朋友圈', payload: content });
    return { type: 'wechat.timelinePosted' };
  },

  async openCard(world, snapshot) {
    const who = opener(snapshot);
    const chat = snapshot.context.sent;
    const card = lastCard(world);
    if (!chat || !card) throw new Error('no card to open');
    const entry = world.groups.openCard(DEMO_APP.appid, userOf(who), {
      conversation: chat,
      ...(chat === 'group' ? { groupId: GROUP.id } : {}),
      withShareTicket: card.withShareTicket,
    });
    const launch: Launch = {
      person: who,
      conversation: chat,
      scene: entry.scene,
      shareTicket: entry.shareTicket,
      chatType: entry.chatType,
      singlePage: chat === 'timeline',
      sdk: world.settings.sdk,
    };
    world.launches[who] = launch;
    world.launchLog.push(launch);
    world.wire.record({ from: 'chat', to: PERSON_LANE[who], label: `${USERS[who].nickname}点开卡片`, payload: { path: card.path } });
    const options: Record<string, unknown> = { scene: entry.scene, path: card.path.slice(1) };
    if (entry.shareTicket) options.shareTicket = entry.shareTicket;
    if (entry.chatType !== null) options.chatType = entry.chatType;
    world.wire.record({
      from: PERSON_LANE[who],
      to: PERSON_LANE[who],
      label: 'App.onLaunch / onShow',
      payload: options,
      note: entry.shareTicket
        ? '群里带 withShareTicket 的卡片：有 shareTicket，只在这次启动里有效'
        : chat === 'timeline'
          ? '朋友圈：单页模式，没有登录态'
          : chat === 'single'
            ? '单聊的卡片没有 shareTicket'
            : '群里的卡片，但分享时没有 withShareTicket：没有 shareTicket',
    });
    return { type: 'wechat.launched', scene: entry.scene };
  },

  async leaveSinglePage(world, snapshot) {
    const who = opener(snapshot);
    world.groups.enterElsewhere(DEMO_APP.appid, userOf(who), SCENE_LEAVE_SINGLE_PAGE);
    const launch: Launch = { ...world.launches[who]!, scene: SCENE_LEAVE_SINGLE_PAGE, shareTicket: null, chatType: null, singlePage: false };
    world.launches[who] = launch;
    world.launchLog.push(launch);
    world.wire.record({
      from: PERSON_LANE[who],
      to: PERSON_LANE[who],
      label: '前往小程序：完整启动',
      payload: { scene: SCENE_LEAVE_SINGLE_PAGE },
      note: '离开单页模式，小程序完整启动，可以登录了',
    });
    return { type: 'wechat.launched', scene: SCENE_LEAVE_SINGLE_PAGE };
  },

  async login(world, snapshot) {
    const who = opener(snapshot);
    const code = world.wechat.issueLoginCode(DEMO_APP.appid, userOf(who));
    world.wire.record({ from: PERSON_LANE[who], to: 'developer', label: 'POST /api/login', payload: { code }, note: 'App.onLaunch 里的 wx.login：服务器要先存好这个用户的 session_key' });
    const response = await world.server.login({ code });
    const body = response.body as { token?: string };
    if (response.status !== 200 || !body.token) throw new Error(`login failed: ${JSON.stringify(response.body)}`);
    world.tokens[who] = body.token;
    world.wire.record({ from: 'developer', to: PERSON_LANE[who], label: '200 token', payload: { token: `${body.token.slice(0, 12)}…` } });
    return { type: 'server.loggedIn' };
  },

  async loginSilently(world) {
    world.wechat.setNextRotation(DEMO_APP.appid, USERS.b.id, 'rotate');
    const code = world.wechat.issueLoginCode(DEMO_APP.appid, USERS.b.id);
    world.wire.record({
      from: 'phone-b',
      to: 'wechat',
      label: 'wx.login()',
      payload: { code },
      tone: 'error',
      note: '这个 code 没有送到服务器，微信却换了 session_key：服务器手里那把解不开之后的群信息了',
    });
    return { type: 'wechat.keyRotated' };
  },

  async fetchGroupInfo(world, snapshot) {
    const who = opener(snapshot);
    const lane = PERSON_LANE[who];
    const { groupApi } = shareAbilities(world.settings.sdk);
    const launch = world.launches[who];
    let result;
    if (groupApi === 'getGroupEnterInfo') {
      world.wire.record({ from: lane, to: 'wechat', label: 'wx.getGroupEnterInfo()', note: '不用传 shareTicket：微信看这次是怎么进来的' });
      result = await world.groups.groupEnterInfo(DEMO_APP.appid, userOf(who));
    } else {
      if (!launch?.shareTicket) {
        world.wire.record({ from: lane, to: lane, label: '没有 shareTicket', tone: 'error', note: '页面代码不调用 wx.getShareInfo：不是从群里带 shareTicket 的卡片进来的' });
        return { type: 'wechat.groupInfoRefused', errCode: -1 };
      }
      world.wire.record({ from: lane, to: 'wechat', label: 'wx.getShareInfo({ shareTicket })', payload: { shareTicket: launch.shareTicket }, note: '基础库 2.17.3 起官方推荐改用 wx.getGroupEnterInfo' });
      result = await world.groups.shareInfo(DEMO_APP.appid, userOf(who), launch.shareTicket);
    }
    if (!result.ok) {
      world.wire.record({ from: 'wechat', to: lane, label: `fail ${result.errCode}`, payload: { errCode: result.errCode }, tone: 'error', note: '40097 场景错误：这次不是从群聊的卡片进来的（基础库 3.7.8 起，单聊里传 allowSingleChat: true 才有结果）' });
      return { type: 'wechat.groupInfoRefused', errCode: result.errCode };
    }
    world.groupInfos.push({ person: who, api: groupApi, encryptedData: result.encryptedData, iv: result.iv });
    world.wire.record({
      from: 'wechat',
      to: lane,
      label: 'encryptedData + iv',
      payload: { encryptedData: `${result.encryptedData.slice(0, 24)}…`, iv: result.iv },
      note: `用${USERS[who].nickname}此刻的 session_key 加密：只有存着这把钥匙的服务器解得开`,
    });
    return { type: 'wechat.groupInfoIssued', api: groupApi };
  },

  async decryptGroup(world, snapshot) {
    const who = opener(snapshot);
    const lane = PERSON_LANE[who];
    const info = world.groupInfos.filter((record) => record.person === who).at(-1);
    if (!info) throw new Error('no group info to send');
    const body = { encryptedData: info.encryptedData, iv: info.iv };
    world.wire.record({ from: lane, to: 'developer', label: 'POST /api/share/group', payload: { encryptedData: `${info.encryptedData.slice(0, 24)}…`, iv: info.iv } });
    const response = await world.share.decryptGroup(`Bearer ${world.tokens[who] ?? ''}`, body);
    const launch = world.launches[who]!;
    if (response.status === 200) {
      const { opengid, members } = response.body as { opengid: string; members: number };
      world.decrypts.push({ person: who, status: 200, opengid, launch });
      world.wire.record({
        from: 'developer',
        to: lane,
        label: '200 opengid',
        payload: { opengid, members },
        note: `用${USERS[who].nickname}登录时存下的 session_key 解密，watermark.appid 核对无误`,
      });
      return { type: 'server.groupDecrypted', opengid };
    }
    const code = (response.body as { error: { code: string } }).error.code;
    world.decrypts.push({ person: who, status: response.status, code, launch });
    world.wire.record({ from: 'developer', to: lane, label: `${response.status} ${code}`, payload: response.body, tone: 'error' });
    return { type: 'server.groupDecryptFailed', code };
  },
};

const EFFECT_LANES: Record<ShareEffect, EffectPlace> = {
  showMenu: { lane: 'phone-a', busy: '微信画出 ··· 菜单' },
  callShareHandler: { lane: 'phone-a', busy: '调用页面的 onShareAppMessage' },
  sendCard: { lane: 'phone-a', busy: '微信把卡片发出去' },
  callTimelineHandler: { lane: 'phone-a', busy: '调用 onShareTimeline，发表到朋友圈' },
  openCard: { lane: 'chat', busy: '从卡片启动小程序' },
  leaveSinglePage: { lane: 'chat', busy: '离开单页模式，完整启动' },
  login: { lane: 'developer', busy: '登录：code 换 session_key' },
  loginSilently: { lane: 'phone-b', busy: `${USERS.b.nickname}的小程序调用 wx.login` },
  fetchGroupInfo: { lane: 'wechat', busy: '微信为打开的人加密群信息' },
  decryptGroup: { lane: 'developer', busy: '服务器解密群信息' },
};

const effects = effectTable(handlers, (name) => EFFECT_LANES[name]);

const user = userControl<ShareEvent>;
const code = codeChoice<ShareEvent>;

/** Control id of a base-library preset: `sdk-2-17-3`. */
export const sdkControl = (version: string) => `sdk-${version.replace(/\./g, '-')}`;
export const delayControl = (ms: number) => `delay-${ms / 1000}s`;
export const shareButtonControl = (id: string) => `share-${id}`;

const SDK_LABELS: Record<ShareSdk, string> = {
  '2.2.5': `基础库 2.2.5（低于 ${NO_CALLBACK_SINCE}：有回调）`,
  '2.16.1': '基础库 2.16.1（getShareInfo）',
  '2.17.3': '基础库 2.17.3（getGroupEnterInfo）',
};

const choice = choiceControl<ShareWorld>;

export const shareControls: readonly Control<ShareWorld, ShareEvent>[] = [
  code('handler-none', '不定义 onShareAppMessage', { type: 'code.handlerSet', handler: 'none' }, '页面没有 onShareAppMessage：菜单里的「发送给朋友」变灰', (c) => c.handler === 'none'),
  code('handler-object', 'onShareAppMessage 返回对象', { type: 'code.handlerSet', handler: 'object' }, '同步返回 { title, path }', (c) => c.handler === 'object'),
  code('handler-promise', 'onShareAppMessage 返回 promise', { type: 'code.handlerSet', handler: 'promise' }, `返回默认内容加 promise（基础库 ${PROMISE_SINCE} 起）`, (c) => c.handler === 'promise'),
  ...PROMISE_DELAYS_MS.map((ms) =>
    code(delayControl(ms), `promise ${ms / 1000} 秒后 resolve`, { type: 'code.promiseDelaySet', ms }, `超过 ${PROMISE_TIMEOUT_MS / 1000} 秒，微信改用默认内容`, (c) => c.promiseDelayMs === ms),
  ),
  code('ticket-on', 'withShareTicket: true', { type: 'code.shareTicketSet', on: true }, 'showShareMenu({ withShareTicket: true })：群里的卡片被打开时带 shareTicket', (c) => c.withShareTicket === true),
  code('ticket-off', 'withShareTicket: false', { type: 'code.shareTicketSet', on: false }, '不带 withShareTicket：群里的卡片也没有 shareTicket', (c) => c.withShareTicket === false),
  { ...toggleControl<ShareWorld>('timeline-handler', '定义 onShareTimeline', '分享到朋友圈：还必须有 onShareAppMessage', (w) => w.settings.timelineHandler, (w, on) => void (w.settings.timelineHandler = on)), actor: 'code' },
  { ...toggleControl<ShareWorld>('unlock-button', '加一个「分享后解锁」按钮', '诱导分享：官方不推荐，还可能违反《运营规范》；2018-10 起也根本无从验证', (w) => w.settings.unlockButton, (w, on) => void (w.settings.unlockButton = on)), actor: 'code' },
  user('open-menu', '点右上角 ···', { type: 'user.openedMenu' }, '微信的菜单：有 onShareAppMessage，「发送给朋友」才可点'),
  user('menu-forward', '菜单：发送给朋友', { type: 'user.choseSendToFriend' }, '微信调用页面的 onShareAppMessage，拿到卡片内容再让用户选聊天'),
  user('menu-timeline', '菜单：分享到朋友圈', { type: 'user.choseTimeline' }, '微信调用 onShareTimeline；朋友圈里点开的是单页模式'),
  user('close-menu', '关闭菜单', { type: 'user.closedMenu' }, '什么也不发，回到页面'),
  ...ITEMS.map((item) => user(shareButtonControl(item.id), `点「${item.title}」的分享按钮`, { type: 'user.tappedShareButton', id: item.id }, `<button open-type="share" data-id="${item.id}">`)),
  user('send-single', `发给${USERS.b.nickname}（单聊）`, { type: 'user.sentTo', chat: 'single' }, `卡片发到单聊：从这里打开是场景值 ${SCENE_SINGLE_CHAT}，没有 shareTicket`),
  user('send-group', `发到${GROUP.name}`, { type: 'user.sentTo', chat: 'group' }, `卡片发到群里：${USERS.b.nickname}和${USERS.c.nickname}都能点开`),
  user('cancel-sheet', '取消分享', { type: 'user.cancelledSheet' }, '用户关掉了分享面板：小程序同样不知道'),
  user('open-as-b', `${USERS.b.nickname}点开卡片`, { type: 'user.openedCard', who: 'b' }, '从聊天里的卡片启动小程序：看启动参数里带了什么'),
  user('open-as-c', `${USERS.c.nickname}点开卡片`, { type: 'user.openedCard', who: 'c' }, `${USERS.c.nickname}只在群里`),
  user('open-leaderboard', '打开本群排行榜', { type: 'user.openedGroupPage' }, '群排行榜页：要群信息，再交给服务器解密'),
  user('go-to-mp', '前往小程序', { type: 'user.tappedGoToMiniProgram' }, '单页模式底部的按钮：完整启动小程序'),
  ...SHARE_SDK_PRESETS.map((version) =>
    choice(sdkControl(version), SDK_LABELS[version], '把几台手机的基础库换成这一版', (world) => void (world.settings.sdk = version), (world) => world.settings.sdk === version),
  ),
  code('login-again', `${USERS.b.nickname}的小程序又调了一次 wx.login`, { type: 'code.calledLoginAgain' }, '新 code 没有送到服务器，微信却换了 session_key：服务器存的那把解不开了'),
  clockControl('plus-1s', '+1 秒', 1000, '等 promise：3 秒时微信不再等'),
];

const PAGE_TS = `${MINIPROGRAM}/pages/share/share.ts`;
const PAGE_WXML = `${MINIPROGRAM}/pages/share/share.wxml`;
const ENTRY_TS = `${MINIPROGRAM}/pages/share/entry.ts`;
const GROUP_INFO_TS = `${MINIPROGRAM}/pages/share/group-info.ts`;
const GROUP_PAGE_TS = `${MINIPROGRAM}/pages/share/group/group.ts`;
const AUTH_TS = `${MINIPROGRAM}/utils/auth.ts`;
const CORE_TS = 'src/world/developer/share-groups.ts';
const ROUTE_TS = 'companion/server/src/routes/share.ts';

const states = {
  page: stateMeta(PAGE_WXML, 'share-button'),
  openingMenu: stateMeta(PAGE_TS, 'show-menu', '正在打开菜单…'),
  menu: stateMeta(PAGE_TS, 'show-menu'),
  composing: stateMeta(PAGE_TS, 'on-share', '正在准备分享内容…'),
  awaitingPromise: stateMeta(PAGE_TS, 'promise', '等待 promise…'),
  sheet: stateMeta(PAGE_TS, 'on-share'),
  sending: stateMeta(PAGE_TS, 'show-menu', '正在发送…'),
  composingTimeline: stateMeta(PAGE_TS, 'on-timeline', '正在发表…'),
  launching: stateMeta(ENTRY_TS, 'read-entry', '正在打开小程序…'),
  singlePage: stateMeta(PAGE_WXML, 'single-page'),
  leavingSinglePage: stateMeta(PAGE_WXML, 'single-page', '正在打开小程序…'),
  loggingIn: stateMeta(AUTH_TS, 'login', '登录中…'),
  loggingInSilently: stateMeta(GROUP_PAGE_TS, 'load-group', '调用 wx.login…'),
  gettingGroupInfo: stateMeta(GROUP_INFO_TS, 'get-group-info', '正在获取群信息…'),
  decrypting: stateMeta(CORE_TS, 'decrypt-group', '服务器解密中…'),
};

const codeFiles = [PAGE_WXML, PAGE_TS, ENTRY_TS, AUTH_TS, GROUP_PAGE_TS, GROUP_INFO_TS, ROUTE_TS, CORE_TS] as const;

function personRows(world: ShareWorld, person: Person): HolderRow[] {
  const lane = PERSON_LANE[person];
  const launch = world.launches[person];
  const decrypt = world.decrypts.filter((record) => record.person === person).at(-1);
  const rows: HolderRow[] = [
    { holder: lane, item: 'scene', value: launch ? sceneLabel(launch.scene) : '（还没打开）' },
    { holder: lane, item: 'shareTicket', value: launch ? (launch.shareTicket ?? '（没有）') : '—' },
    { holder: lane, item: 'chatType', value: launch?.chatType ? `${launch.chatType} ${CHAT_TYPE_NAMES[launch.chatType] ?? ''}` : '（没有）' },
    { holder: lane, item: 'opengid', value: decrypt?.opengid ?? (decrypt ? `失败：${decrypt.code}` : '（没有）') },
  ];
  const sessionKey = world.sessions.records.get(world.wechat.issuedOpenid(DEMO_APP.appid, userOf(person)) ?? '')?.sessionKey;
  if (sessionKey) rows.push({ holder: 'developer', item: `${USERS[person].nickname}的 session_key`, value: sessionKey, secret: true });
  const current = world.wechat.currentSessionKey(DEMO_APP.appid, userOf(person));
  if (current) rows.push({ holder: 'wechat', item: `${USERS[person].nickname}当前的 session_key`, value: current, secret: true });
  return rows;
}

function view(world: ShareWorld, snapshot: Snapshot): WorldView {
  const { context } = snapshot;
  const { settings } = world;
  const abilities = shareAbilities(settings.sdk);
  const content = world.contents.at(-1);
  const chatRow = (conversation: 'single' | 'group' | 'timeline') => {
    const card = world.posted.filter((posted) => posted.conversation === conversation).at(-1);
    return { holder: 'chat', item: CHAT_NAMES[conversation], value: card ? `「${card.title}」→ ${card.path}` : '（没有卡片）' };
  };
  const opengid = world.groups.issuedOpengid(DEMO_APP.appid, GROUP.id);
  const holdings: HolderRow[] = [
    { holder: 'phone-a', item: 'onShareAppMessage', value: HANDLER_WORDS[context.handler] },
    { holder: 'phone-a', item: 'onShareTimeline', value: settings.timelineHandler ? '已定义' : '没有定义' },
    { holder: 'phone-a', item: 'withShareTicket', value: String(context.withShareTicket) },
    { holder: 'phone-a', item: 'promise 耗时', value: `${context.promiseDelayMs / 1000} 秒` },
    { holder: 'phone-a', item: '基础库', value: settings.sdk },
    { holder: 'phone-a', item: '分享内容', value: content ? `「${content.title}」→ ${content.path}` : '（还没有）' },
    {
      holder: 'phone-a',
      item: '分享结果',
      value: abilities.callback
        ? context.callbackTickets === null
          ? '（还没有回调）'
          : `success，shareTickets ${context.callbackTickets} 个`
        : '永远不知道（没有回调）',
    },
    chatRow('single'),
    chatRow('group'),
    chatRow('timeline'),
    ...personRows(world, 'b'),
    ...personRows(world, 'c'),
    { holder: 'wechat', item: `「${GROUP.name}」的 opengid`, value: opengid ?? '（还没有人拿过）' },
  ];

  const findings: Finding[] = [];
  if (context.menu && !context.menu.forward) {
    findings.push({ level: 'warning', title: '「发送给朋友」是灰的', detail: '页面没有定义 onShareAppMessage。文档的原话是“只有定义了此事件处理函数，右上角菜单才会显示‘转发’按钮”，菜单上这一项显示为「发送给朋友」。', href: PAGE_SHARE_DOC });
  }
  if (context.source === 'fallback') {
    findings.push({
      level: 'warning',
      title: `promise ${PROMISE_TIMEOUT_MS / 1000} 秒内没有 resolve`,
      detail: '微信没有再等，卡片用的是同步返回的默认 title 和 path。慢的请求要么提前做，要么让默认内容本身就能用。',
      href: PAGE_SHARE_DOC,
    });
  }
  if (context.source === 'ignoredPromise') {
    findings.push({ level: 'warning', title: `基础库 ${settings.sdk} 没有 promise 字段`, detail: `promise 从基础库 ${PROMISE_SINCE} 起才有；更早的版本只用同步返回的内容。`, href: PAGE_SHARE_DOC });
  }
  if (world.posted.length > 0 && !abilities.callback) {
    findings.push({
      level: 'warning',
      title: '小程序不知道卡片发没发出去',
      detail: `${NO_CALLBACK_RULE}，分享没有 success/fail/complete，也不再立即给 shareTicket。群信息只能等有人从群里点开卡片时再拿。`,
      href: SHARE_CALLBACK_NOTICE,
    });
  }
  if (abilities.callback) {
    findings.push({
      level: 'warning',
      title: `这是基础库 ${NO_CALLBACK_SINCE} 以下的规则`,
      detail: '旧教程里的 success(res) { res.shareTickets[0] } 就是这时的写法。现在的基础库没有这个回调，照抄的代码永远等不到它。',
      href: SHARE_CALLBACK_NOTICE,
    });
  }
  if (settings.unlockButton) {
    findings.push({
      level: 'danger',
      title: '「分享后解锁」可能违反《运营规范》',
      detail: abilities.callback
        ? '这个基础库里回调还在，按钮看上去“能用”；但诱导或强制分享（“转发后才能解锁某项功能”）官方不推荐，还可能违反《运营规范》。'
        : '小程序根本不知道用户有没有分享，这个按钮无从验证；诱导或强制分享官方也不推荐，还可能违反《运营规范》。',
      href: SHARE_DOC,
    });
  }
  if (context.groupError === '40097') {
    findings.push({ level: 'warning', title: 'getGroupEnterInfo：40097 场景错误', detail: '这次不是从群聊的卡片进来的，比如单聊或朋友圈。基础库 3.7.8 起，调用时传 allowSingleChat: true，单聊里能拿到 open_single_roomid；模拟器的页面没有传。不带 withShareTicket 的群卡片能不能拿到，文档没写，模拟器按拿不到处理。', href: GROUP_ENTER_INFO_DOC });
  }
  if (context.groupError === 'SESSION_KEY_MISMATCH') {
    findings.push({
      level: 'danger',
      title: '解密失败：session_key 对不上',
      detail: '微信用打开者此刻的 session_key 加密，服务器手里的却是旧的（新的 wx.login 换了它，code 没送到服务器）。重新登录，再要一次群信息。',
      href: SIGNATURE_DOC,
    });
  }
  if (snapshot.matches('singlePage')) {
    findings.push({ level: 'warning', title: '朋友圈单页模式', detail: '没有登录态，不能跳转，很多接口不可用；点底部的「前往小程序」才会完整启动。', href: SHARE_TIMELINE_DOC });
  }
  return { holdings, findings };
}

export const shareSimulation = defineSimulation<ShareMachine, ShareWorld>({
  flow: 'share',
  title: '转发',
  machine: shareMachine,
  lanes: [
    phoneLane('phone-a', USERS.a.nickname),
    { id: 'chat', label: '聊天', trust: 'wechat' },
    phoneLane('phone-b', USERS.b.nickname),
    phoneLane('phone-c', USERS.c.nickname),
    LANES.developer,
    LANES.wechat,
  ],
  phones: [
    { id: 'a', label: `${USERS.a.nickname}（分享的人）` },
    { id: 'b', label: USERS.b.nickname },
    { id: 'c', label: USERS.c.nickname },
  ],
  timeScale: 'ms',
  effects,
  createWorld: createShareWorld,
  controls: shareControls,
  view,
  states,
  codeFiles,
});
