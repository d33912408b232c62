/**
 * Model-based test of 小程序登录: the machine is the model, the simulated
 * world is the system under test. Every transition of the machine is taken by
 * some generated path; each step makes the world produce the event the model
 * expects (by arranging WeChat's state, then stepping), and each path ends
 * with checks on who holds which secret and what the servers stored.
 */
import { describe, expect, it } from 'vitest';
import { loginMachine, type LoginEvent, type LoginMachine } from '../../src/chapters/login/machine.ts';
import { Simulation, stateToString, STEP_CONTROL_ID } from '../../src/kit/engine/engine.ts';
import { loginSimulation, type LoginWorld } from '../../src/chapters/login/simulation.ts';
import { DEMO_APP, DEMO_USER } from '../../src/world/simulated-world.ts';
import type { SimMessage } from '../../src/world/support/wire.ts';
import { transitionCover } from '../support/transition-cover.ts';
import type { SnapshotFrom } from 'xstate';

type LoginSnapshot = SnapshotFrom<LoginMachine>;

const readerEvents: LoginEvent[] = loginSimulation.controls.flatMap((c) => (c.kind === 'user' ? [c.event] : []));

const loginFailed: LoginEvent = { type: 'server.loginFailed', status: 401, code: 'WECHAT_40029', message: '' };

/**
 * What the world can answer in each waiting state. A host that sees only the
 * HTTP response (the companion) also sends the final server events from
 * `requestInFlight`; the simulated world always goes through the server's steps.
 */
const outcomesByState: Record<string, LoginEvent[]> = {
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

const modelEvents = (snapshot: LoginSnapshot) => [...readerEvents, ...(outcomesByState[stateToString(snapshot.value)] ?? [])];

const serializeState = (snapshot: LoginSnapshot) => {
  const { token, code, sessionKeyOnClient } = snapshot.context;
  return `${stateToString(snapshot.value)}|token:${token !== null}|code:${code !== null}|leak:${sessionKeyOnClient}`;
};

type LoginSim = Simulation<LoginMachine, LoginWorld>;

async function press(sim: LoginSim, control: string) {
  const result = await sim.apply(control);
  if (!result.ok) throw new Error(`${control}: ${result.reason}`);
}

async function setSwitch(sim: LoginSim, control: string, on: boolean) {
  if (sim.frame().active.includes(control) !== on) await press(sim, control);
}

/** How the world is made to produce each event; reader events are simply the reader's controls. */
async function produce(sim: LoginSim, event: LoginEvent) {
  const userControl = loginSimulation.controls.find((c) => c.kind === 'user' && c.event.type === event.type);
  if (userControl) return press(sim, userControl.id);
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

function hasKey(payload: unknown, key: string): boolean {
  return typeof payload === 'object' && payload !== null && key in payload;
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

const { paths, untaken } = transitionCover(loginMachine, { events: modelEvents, serializeState });

describe('login flow model', () => {
  it('generated paths take every declared transition', () => {
    expect(untaken).toEqual([]);
    expect(paths.length).toBeGreaterThan(20);
  });

  it('reaches every state of the machine', () => {
    const reached = new Set(paths.flatMap((p) => p.steps.map((s) => stateToString(s.state.value))));
    const all: string[] = [];
    const walk = (node: typeof loginMachine.root) => {
      for (const child of Object.values(node.states)) {
        if (Object.keys(child.states).length === 0) all.push(child.path.join('.'));
        walk(child);
      }
    };
    walk(loginMachine.root);
    expect(all.filter((s) => !reached.has(s))).toEqual([]);
  });

  describe.each(paths.map((p) => [p.name, p] as const))('%s', (_name, path) => {
    it('the world produces the modelled events and keeps its secrets', async () => {
      const sim = new Simulation(loginSimulation);
      let leakEverOn = false;
      for (const step of path.steps) {
        await produce(sim, step.event);
        leakEverOn ||= sim.world.settings.exposeSessionKey;
        expect(serializeState(sim.snapshot)).toBe(serializeState(step.state));
      }

      const { world } = sim;
      const frame = sim.frame();
      const storage = world.client.storageSnapshot();
      const toPhone = frame.messages.filter((m) => m.to === 'miniprogram' || m.to === 'client');

      // session_key reaches the phone only under the wrong design.
      if (!leakEverOn) {
        expect(storage).not.toHaveProperty('session_key');
        expect(toPhone.filter((m) => hasKey(m.payload, 'session_key'))).toEqual([]);
      }
      expect(sim.snapshot.context.sessionKeyOnClient).toBe('session_key' in storage);
      // The AppSecret only ever travels from the developer server to WeChat.
      for (const message of frame.messages.filter((m) => hasKey(m.payload, 'secret'))) {
        expect([message.from, message.to]).toEqual(['developer', 'wechat']);
      }
      // A code yields at most one session.
      const codes = successfulExchanges(frame.messages);
      expect(new Set(codes).size).toBe(codes.length);
      // Logged in means: the phone holds our token, and the server holds the session for that openid.
      if (sim.snapshot.matches('loggedIn')) {
        expect(storage.token).toBe(sim.snapshot.context.token);
        const openid = world.wechat.openid(DEMO_APP.appid, DEMO_USER.id);
        expect(world.sessions.records.get(openid)?.sessionKey).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      }
      // A rejected login leaves no token behind.
      if (sim.snapshot.matches('signedOut')) expect(sim.snapshot.context.token).toBeNull();
    });
  });
});
