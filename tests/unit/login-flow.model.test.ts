/**
 * Model-based test of 小程序登录: the machine is the model, the simulated
 * world is the system under test. Every transition of the machine is taken by
 * some generated path; each step makes the world produce the event the model
 * expects (by arranging WeChat's state, then stepping), and each path ends
 * with checks on who holds which secret and what the servers stored.
 */
import { expect } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import type { LoginEvent, LoginMachine } from '../../src/chapters/login/machine.ts';
import { Simulation, STEP_CONTROL_ID } from '../../src/kit/engine/engine.ts';
import { loginSimulation, type LoginWorld } from '../../src/chapters/login/simulation.ts';
import { DEMO_APP, DEMO_USER } from '../../src/world/simulated-world.ts';
import type { SimMessage } from '../../src/world/support/wire.ts';
import { describeChapterModel, hasKey, outcomesByState, press, setSwitch, stateWith } from '../support/chapter-model.ts';

type LoginSnapshot = SnapshotFrom<LoginMachine>;

const loginFailed: LoginEvent = { type: 'server.loginFailed', status: 401, code: 'WECHAT_40029', message: '' };

/**
 * What the world can answer in each waiting state. A host that sees only the
 * HTTP response (the companion) also sends the final server events from
 * `requestInFlight`; the simulated world always goes through the server's steps.
 */
const worldOutcomes: Record<string, LoginEvent[]> = {
  'loggingIn.requestingCode': [{ type: 'wx.loginSucceeded', code: 'CODE' }],
  'loggingIn.awaitingServer.requestInFlight': [{ type: 'server.codeReceived' }],
  'loggingIn.awaitingServer.exchangingCode': [
    { type: 'wechat.sessionIssued', openid: 'OPENID' },
    ...[-1, 40029, 40226, 45011].map((errcode) => ({ type: 'wechat.loginRejected' as const, errcode, errmsg: '' })),
  ],
  'loggingIn.awaitingServer.issuingToken': [
    { type: 'server.tokenIssued', token: 'TOKEN', openid: 'OPENID' },
    { type: 'server.tokenIssued', token: 'TOKEN', openid: 'OPENID', sessionKey: 'KEY' },
  ],
  'loggingIn.awaitingServer.respondingWithError': [loginFailed],
  checkingSession: [{ type: 'wx.sessionValid' }, { type: 'wx.sessionExpired' }],
  fetchingProfile: [{ type: 'server.profileReturned', openid: 'OPENID' }, { type: 'server.unauthorized', code: 'TOKEN_EXPIRED', message: '' }],
  resubmittingCode: [loginFailed],
  callingWeChatDirectly: [{ type: 'wx.requestFailed', errMsg: 'request:fail url not in domain list' }],
};

const serializeState = ({ value, context: c }: LoginSnapshot) =>
  stateWith(value, { token: c.token !== null, code: c.code !== null, leak: c.sessionKeyOnClient, retry: c.retryProfile, retried: c.profileRetried });

type LoginSim = Simulation<LoginMachine, LoginWorld>;

/** How the world is made to produce each event the reader cannot send. */
async function produce(sim: LoginSim, event: LoginEvent) {
  switch (event.type) {
    case 'wechat.loginRejected': {
      const arrange = { [-1]: 'busy', 45011: 'quota', 40226: 'risky', 40029: 'plus-6m' }[event.errcode];
      if (!arrange) throw new Error(`no arrangement for ${event.errcode}`);
      await press(sim, arrange);
      break;
    }
    case 'wechat.sessionIssued':
      await setSwitch(sim, 'risky', false);
      break;
    case 'server.tokenIssued':
      await setSwitch(sim, 'leak', event.sessionKey !== undefined);
      break;
    case 'server.unauthorized':
      await press(sim, 'plus-2h');
      break;
    case 'wx.sessionExpired':
      await press(sim, 'expire-session');
      break;
  }
  await press(sim, STEP_CONTROL_ID);
  if (event.type === 'wechat.loginRejected') {
    const exchange = sim.world.inFlight.exchange;
    expect(exchange && !exchange.ok && exchange.errcode).toBe(event.errcode);
  }
}

function successfulExchanges(messages: readonly SimMessage[]): string[] {
  const codes: string[] = [];
  messages.forEach((message, index) => {
    const reply = messages[index + 1];
    if (message.label === 'GET /sns/jscode2session' && reply && hasKey(reply.payload, 'openid')) {
      codes.push((message.payload as { js_code: string }).js_code);
    }
  });
  return codes;
}

/** Whether the wrong design (session_key sent to the phone) was switched on at some step of this path. */
const leakWasOn = (sim: LoginSim) => sim.frame().log.some((entry) => entry.control === 'leak');

describeChapterModel<LoginMachine, LoginWorld>({
  definition: loginSimulation,
  outcomes: outcomesByState(worldOutcomes),
  serializeState,
  produce,
  minPaths: 20,
  invariants(sim) {
    const { world } = sim;
    const frame = sim.frame();
    const storage = world.client.storageSnapshot();
    const toPhone = frame.messages.filter((m) => m.to === 'miniprogram' || m.to === 'client');
    // session_key reaches the phone only under the wrong design.
    if (!leakWasOn(sim)) {
      expect(storage).not.toHaveProperty('session_key');
      expect(toPhone.filter((m) => hasKey(m.payload, 'session_key'))).toEqual([]);
    }
    expect(sim.snapshot.context.sessionKeyOnClient).toBe('session_key' in storage);
    // A code yields at most one session.
    const codes = successfulExchanges(frame.messages);
    expect(new Set(codes).size).toBe(codes.length);
    // Logged in means: the phone holds our token, and the server holds the session for that openid.
    if (sim.snapshot.matches('loggedIn')) {
      expect(storage.token).toBe(sim.snapshot.context.token);
      const openid = world.wechat.openid(DEMO_APP.appid, DEMO_USER.id);
      expect(world.sessions.records.get(openid)?.sessionKey).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    }
    // Signed out means signed out on the phone too: no token in its storage.
    if (sim.snapshot.matches('signedOut')) {
      expect(sim.snapshot.context.token).toBeNull();
      expect(storage).not.toHaveProperty('token');
    }
  },
  mustExercise: {
    'a logged-in session': (sim) => sim.snapshot.matches('loggedIn'),
    'a used code refused by WeChat (40163 or 40029)': (sim) =>
      sim.frame().messages.some((m) => m.label === 'errcode 40163' || m.label === 'errcode 40029'),
    'an expired token answered with 401': (sim) => sim.frame().messages.some((m) => m.label.startsWith('401')),
    '401 → log in again → GET /api/me retried once and answered': (sim) => {
      const labels = sim.frame().messages.map((m) => m.label);
      const unauthorized = labels.findIndex((l) => l.startsWith('401'));
      return unauthorized >= 0 && labels.slice(unauthorized).filter((l) => l === 'GET /api/me').length >= 1 && labels.at(-1) === '200 OK';
    },
    'a second 401 after the retry ends the attempt instead of looping': (sim) =>
      sim.snapshot.matches('signedOut') && sim.frame().messages.filter((m) => m.label.startsWith('401')).length >= 2,
    'session_key leaked under the wrong design': (sim) => 'session_key' in sim.world.client.storageSnapshot(),
    'the WeChat client refusing api.weixin.qq.com': (sim) => sim.world.directCallAttempted,
  },
});
