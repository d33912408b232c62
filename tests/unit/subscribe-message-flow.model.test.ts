/**
 * Model-based test of 订阅消息: the machine is the model, the simulated world
 * (WeChat's SubscribeMessages and the developer server's real send core) is
 * the system under test. Before a world step the test arranges, through the
 * reader's own controls where one exists, the world in which WeChat must
 * produce the modelled outcome: the era and tmplIds for 20003, the main
 * switch for 20004, each send fault for its errcode.
 *
 * Invariants come from the world's own records: sends succeed at most as many
 * times as the user accepted; a template the user never accepted never
 * yields a successful send; a call that did not come straight from the tap
 * always fails with the tap errMsg; the ledger never goes below zero.
 */
import { describe, expect, it } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import type { PopupChoice, SubscribeEvent, SubscribeMachine } from '../../src/chapters/subscribe-message/machine.ts';
import { subscribeSimulation } from '../../src/chapters/subscribe-message/simulation.ts';
import { DINER, RESTAURANT, tmplIdsFor, type SubscribeWorld } from '../../src/chapters/subscribe-message/world.ts';
import { Simulation, stateToString, STEP_CONTROL_ID } from '../../src/kit/engine/engine.ts';
import { TAP_GESTURE_ERRMSG } from '../../src/world/wechat/subscribe-messages.ts';
import { choose, describeChapterModel, press, setSwitch } from '../support/chapter-model.ts';

type Snapshot = SnapshotFrom<SubscribeMachine>;
type Sim = Simulation<SubscribeMachine, SubscribeWorld>;


/** Accepts the test arranged through WeChat's API (not through a popup), per world. */
const arrangedAccepts = new WeakMap<SubscribeWorld, number>();

const failed = (errMsg: string, errCode?: number): SubscribeEvent => ({ type: 'wechat.requestFailed', errMsg, ...(errCode ? { errCode } : {}) });
const sendFailed = (code: string, field?: string): SubscribeEvent => ({ type: 'developer.sendFailed', code, ...(field ? { field } : {}) });

const SEND_FAULTS: readonly [SubscribeEvent, string | null][] = [
  [sendFailed('SUBSCRIBE_43101'), null],
  [sendFailed('SUBSCRIBE_47003', 'data.thing4.value'), 'fault-long-thing'],
  [sendFailed('SUBSCRIBE_47003', 'data.phrase3.value'), 'fault-phrase-space'],
  [sendFailed('SUBSCRIBE_40037'), 'fault-wrong-template'],
  [sendFailed('SUBSCRIBE_41030'), 'fault-page-not-live'],
  [sendFailed('SUBSCRIBE_40003'), 'fault-other-appid'],
  [sendFailed('TEMPLATE_MESSAGE_OFFLINE'), 'legacy-template-code'],
];
const FAULT_CONTROLS = SEND_FAULTS.flatMap(([, control]) => (control ? [control] : []));

function worldOutcomes(snapshot: Snapshot): SubscribeEvent[] {
  switch (stateToString(snapshot.value)) {
    case 'tapping':
      return [{ type: 'mp.requestCalled' }];
    case 'requesting':
      if (snapshot.context.handler === 'awaitFirst') return [failed(TAP_GESTURE_ERRMSG)];
      return [
        failed('requestSubscribeMessage:fail Templates count out of max bounds', 20003),
        failed('requestSubscribeMessage:fail The main switch is switched off', 20004),
        failed('requestSubscribeMessage:fail Templates type must be same', 20002),
        failed('requestSubscribeMessage:fail No template data return, verify the template id exist', 20001),
        { type: 'wechat.popupShown', kind: 'one-time' },
        { type: 'wechat.popupShown', kind: 'long-term' },
        { type: 'wechat.requestAnswered', result: {}, popup: false },
      ];
    case 'answering':
      return [{ type: 'wechat.requestAnswered', result: {}, popup: true }];
    case 'handling':
      return [{ type: 'mp.resultHandled', toldServer: true }];
    case 'sending':
      return [{ type: 'developer.sent', msgid: 0 }, { type: 'developer.skipped' }, ...SEND_FAULTS.map(([event]) => event)];
    default:
      return [];
  }
}

// Payloads depend on ids and msgids the world draws; the node is the state plus the code the reader chose.
const serializeState = (snapshot: Snapshot) => `${stateToString(snapshot.value)}|${snapshot.context.handler}|${snapshot.context.check}`;

/** Re-reads tmplIds after the reader changed what the handler asks for (the tap already ran). */
function retarget(sim: Sim) {
  if (sim.world.call) sim.world.call.tmplIds = tmplIdsFor(sim.world);
}

async function arrangeRequest(sim: Sim, event: Extract<SubscribeEvent, { type: 'wechat.requestFailed' | 'wechat.popupShown' | 'wechat.requestAnswered' }>) {
  const { world } = sim;
  await setSwitch(sim, 'main-switch-off', event.type === 'wechat.requestFailed' && event.errCode === 20004);
  if (event.type === 'wechat.requestFailed' && event.errCode === 20003) {
    await choose(sim, world.ask === 'six' ? 'era-current' : 'era-before-2025');
    if (world.era === 'before2025') await choose(sim, 'ask-four');
  } else if (event.type === 'wechat.requestFailed' && event.errCode === 20002) {
    await choose(sim, 'industry-medical');
    await choose(sim, 'ask-mixed');
  } else if (event.type === 'wechat.requestFailed' && event.errCode === 20001) {
    await choose(sim, 'industry-catering');
    await choose(sim, 'ask-long-term');
  } else if (event.type === 'wechat.requestAnswered') {
    // 「总是保持」 from an earlier popup, arranged through WeChat's API: the same call a kept popup makes.
    await choose(sim, 'ask-one');
    const ids = tmplIdsFor(world);
    world.wechat.answerSubscribePopup(RESTAURANT.appid, DINER.id, { asking: ids, settled: { errMsg: 'requestSubscribeMessage:ok' }, answer: { accept: { [ids[0]!]: true }, keep: true } });
    arrangedAccepts.set(world, (arrangedAccepts.get(world) ?? 0) + 1);
  } else if (event.type === 'wechat.popupShown' && event.kind === 'long-term') {
    await choose(sim, 'industry-medical');
    await choose(sim, 'ask-long-term');
  } else if (event.type === 'wechat.popupShown') {
    await choose(sim, 'industry-catering');
    await choose(sim, 'ask-two');
  }
  retarget(sim);
}

async function arrangeSend(sim: Sim, event: SubscribeEvent) {
  const { world } = sim;
  for (const control of FAULT_CONTROLS) await setSwitch(sim, control, false);
  if (event.type === 'developer.skipped') {
    world.registered = false;
    return;
  }
  world.registered = true;
  const left = world.wechat.subscriptionsLeft(RESTAURANT.appid, DINER.id, world.templates.queue);
  if (event.type === 'developer.sent') {
    if (left === 0) {
      world.wechat.acceptSubscription(RESTAURANT.appid, DINER.id, world.templates.queue);
      arrangedAccepts.set(world, (arrangedAccepts.get(world) ?? 0) + 1);
    }
    // A cached token: another server force-refreshes it, so this send meets 40001 and retries once.
    if (world.tokenCache.cached) await press(sim, 'stale-token');
    return;
  }
  const fault = SEND_FAULTS.find(([candidate]) => JSON.stringify(candidate) === JSON.stringify(event))?.[1];
  if (fault) await setSwitch(sim, fault, true);
  else if (left > 0) throw new Error('43101 needs an empty ledger; this path left sends over');
}

async function produce(sim: Sim, event: SubscribeEvent) {
  if (event.type === 'wechat.requestFailed' || event.type === 'wechat.popupShown' || (event.type === 'wechat.requestAnswered' && !event.popup)) {
    await arrangeRequest(sim, event);
  }
  if (event.type === 'developer.sent' || event.type === 'developer.skipped' || event.type === 'developer.sendFailed') await arrangeSend(sim, event);
  await press(sim, STEP_CONTROL_ID);
}

/** Accepts the user gave for a template: in popups, silently through kept choices, or arranged by the test. */
function acceptsOf(world: SubscribeWorld, templateId: string): number {
  return world.requests.filter((request) => request.result?.[templateId] === 'accept').length;
}

function invariants(sim: Sim) {
  const { world } = sim;
  const queue = world.templates.queue;
  const okSends = world.sends.filter((send) => send.ok && send.templateId === queue).length;
  const accepts = acceptsOf(world, queue) + (arrangedAccepts.get(world) ?? 0);
  expect(okSends, 'sends succeed at most as many times as the user accepted').toBeLessThanOrEqual(accepts);
  if (accepts === 0) expect(okSends, 'a template never accepted never yields a successful send').toBe(0);
  for (const request of world.requests.filter((r) => !r.fromTap)) {
    expect(request.outcome, 'a call after an await never reaches the popup').toBe('failed');
    expect(request.errMsg).toBe(TAP_GESTURE_ERRMSG);
  }
  for (const row of world.wechat.subscribeLedger(RESTAURANT.appid, DINER.id)) {
    expect(row.left).toBeGreaterThanOrEqual(0);
    if (row.left === Infinity) expect(row.kind === 'long-term' && world.industry === '医疗').toBe(true);
  }
  // Every push the receiver heard is one WeChat made, in order.
  expect(world.delivered).toBeLessThanOrEqual(world.wechat.subscribeEvents(RESTAURANT.appid).length);
}

/** The diner taps, the page calls requestSubscribeMessage at once, and WeChat's popup takes the diner's answer. */
const throughPopup = (kind: 'one-time' | 'long-term', choice: PopupChoice): SubscribeEvent[] => [
  { type: 'user.tappedSubscribe' },
  { type: 'mp.requestCalled' },
  { type: 'wechat.popupShown', kind },
  { type: 'user.answeredPopup', choice },
  { type: 'wechat.requestAnswered', result: {}, popup: true },
];
const tapAndAllow: SubscribeEvent[] = [...throughPopup('one-time', 'allowAll'), { type: 'mp.resultHandled', toldServer: true }];
const callNumber = (outcome: SubscribeEvent): SubscribeEvent[] => [{ type: 'user.calledNumber' }, outcome];
const sent: SubscribeEvent = { type: 'developer.sent', msgid: 0 };

describeChapterModel<SubscribeMachine, SubscribeWorld>({
  definition: subscribeSimulation,
  outcomes: worldOutcomes,
  serializeState,
  produce,
  invariants,
  readerControls: new Set(['tap-subscribe', 'popup-allow', 'popup-first-only', 'popup-reject', 'call-number', 'code-call-first', 'code-await-first', 'code-check-each', 'code-check-errmsg']),
  minPaths: 15,
  arrangesWorldDirectly: 'produce re-reads tmplIds after the tap and arranges kept choices, accepts and the notify list through the world’s own API',
  scenarios: [
    { name: 'one consent, one message: allow, send, send again → 43101', events: [...tapAndAllow, ...callNumber(sent), ...callNumber(sendFailed('SUBSCRIBE_43101'))] },
    { name: 'allow twice, send twice: the second send meets a refreshed token', events: [...tapAndAllow, ...tapAndAllow, ...callNumber(sent), ...callNumber(sent)] },
    {
      name: 'the errMsg mistake: reject, the handler registers anyway → 43101',
      events: [
        { type: 'code.checkErrMsg' },
        ...throughPopup('one-time', 'rejectAll'),
        { type: 'mp.resultHandled', toldServer: true },
        ...callNumber(sendFailed('SUBSCRIBE_43101')),
      ],
    },
    {
      name: 'checking each template: reject, nothing registered, nothing sent',
      events: [...throughPopup('one-time', 'rejectAll'), { type: 'mp.resultHandled', toldServer: false }],
    },
    {
      name: 'the tap rule: await first fails, call first works',
      events: [
        { type: 'code.awaitFirst' },
        { type: 'user.tappedSubscribe' },
        { type: 'mp.requestCalled' },
        failed(TAP_GESTURE_ERRMSG),
        { type: 'code.callFirst' },
        ...tapAndAllow,
      ],
    },
    {
      name: 'a long-term subscription in 医疗: ∞ after one accept',
      events: throughPopup('long-term', 'allowAll'),
    },
  ],
  mustExercise: {
    'one send, then 43101 on the second': (sim) => {
      const queue = sim.world.sends.filter((send) => send.templateId === sim.world.templates.queue && !send.legacy);
      return queue.some((send, i) => send.code === 'SUBSCRIBE_43101' && queue.slice(0, i).some((earlier) => earlier.ok));
    },
    '「总是保持」: no popup, and the kept accept still counts': (sim) =>
      sim.world.requests.some(
        (request) => request.outcome === 'silent' && Object.entries(request.result ?? {}).some(([id, status]) => status === 'accept' && sim.world.wechat.subscriptionsLeft(RESTAURANT.appid, DINER.id, id) > (request.leftBefore[id] ?? 0)),
      ),
    'the errMsg mistake ends in 43101': (sim) => sim.world.sends.some((send) => send.code === 'SUBSCRIBE_43101' && send.registeredBy === 'errMsgOnly' && send.everRejected),
    'the tap rule: a call after an await fails': (sim) => sim.world.requests.some((request) => !request.fromTap && request.errMsg === TAP_GESTURE_ERRMSG),
    '20003 under the 3-id docs': (sim) => sim.world.requests.some((request) => request.errCode === 20003 && request.era === 'before2025'),
    '20004 with the main switch off': (sim) => sim.world.requests.some((request) => request.errCode === 20004),
    '20002 one-time mixed with long-term': (sim) => sim.world.requests.some((request) => request.errCode === 20002),
    '20001 a long-term template in 餐饮': (sim) => sim.world.requests.some((request) => request.errCode === 20001),
    '47003 naming thing4': (sim) => sim.world.sends.some((send) => send.code === 'SUBSCRIBE_47003' && send.field === 'data.thing4.value'),
    '47003 naming phrase3': (sim) => sim.world.sends.some((send) => send.code === 'SUBSCRIBE_47003' && send.field === 'data.phrase3.value'),
    '40037 wrong template id': (sim) => sim.world.sends.some((send) => send.code === 'SUBSCRIBE_40037'),
    '41030 page not in the live version': (sim) => sim.world.sends.some((send) => send.code === 'SUBSCRIBE_41030'),
    '40003 another app’s openid': (sim) => sim.world.sends.some((send) => send.code === 'SUBSCRIBE_40003'),
    '40001 refreshed once, then sent': (sim) => sim.world.rejectedTokens > 0 && sim.world.sends.at(-1)?.ok === true,
    'the old template-message code fails': (sim) => sim.world.sends.some((send) => send.legacy),
    'a long-term subscription: ∞ in 医疗': (sim) =>
      sim.world.longTerm !== null && sim.world.wechat.subscriptionsLeft(RESTAURANT.appid, DINER.id, sim.world.longTerm) === Infinity,
    'a popup event heard by the server': (sim) =>
      sim.world.wechat.subscribeEvents(RESTAURANT.appid).slice(0, sim.world.delivered).some((push) => push.Event === 'subscribe_msg_popup_event'),
    'a sent event heard by the server': (sim) =>
      sim.world.wechat.subscribeEvents(RESTAURANT.appid).slice(0, sim.world.delivered).some((push) => push.Event === 'subscribe_msg_sent_event'),
  },
});

describe('code choices', () => {
  it('choosing the code already there is not a step: only the other way is offered', async () => {
    const sim = new Simulation(subscribeSimulation);
    expect(sim.snapshot.context).toMatchObject({ handler: 'callFirst', check: 'perTemplate' });
    expect(sim.canApply('code-call-first')).toBe(false);
    expect(sim.canApply('code-check-each')).toBe(false);
    await press(sim, 'code-await-first');
    await press(sim, 'code-check-errmsg');
    expect(sim.canApply('code-await-first')).toBe(false);
    expect(sim.canApply('code-check-errmsg')).toBe(false);
    expect(sim.canApply('code-call-first')).toBe(true);
    expect(sim.canApply('code-check-each')).toBe(true);
    // The code in place shows pressed.
    expect(sim.frame().active).toEqual(expect.arrayContaining(['code-await-first', 'code-check-errmsg']));
    expect(sim.frame().active).not.toContain('code-call-first');
  });
});

describe('an unavailable control', () => {
  it('is named with the quotes in its label nested, 「点『叫号时通知我』」', async () => {
    const sim = new Simulation(subscribeSimulation);
    await press(sim, 'tap-subscribe');
    expect(await sim.apply('tap-subscribe')).toEqual({ ok: false, reason: '「点『叫号时通知我』」此刻不可用' });
  });
});

describe('choices of the world', () => {
  it('the one in place is not offered: pressing it would be a step that changed nothing', async () => {
    const sim = new Simulation(subscribeSimulation);
    expect(sim.frame().active).toContain('industry-catering');
    expect(sim.frame().enabled).not.toContain('industry-catering');
    // A link written while it was still offered holds such a step; it restores, as a step that changes nothing.
    const before = sim.frame();
    expect(await sim.apply('industry-catering')).toEqual({ ok: true });
    expect({ ...sim.frame(), log: before.log }).toEqual(before);
    await press(sim, 'industry-medical');
    expect(sim.frame().enabled).toContain('industry-catering');
    expect(sim.frame().enabled).not.toContain('industry-medical');
  });
});
