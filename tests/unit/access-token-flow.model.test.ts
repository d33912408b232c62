/**
 * Model-based test of the access_token chapter: the machine is the model,
 * the simulated world (WeChat's token registry, two servers, a shared store)
 * is the system under test. Generated paths interleave the two servers under
 * the naive and the locked design; hand-written scenarios add what needs the
 * clock (the ping-pong, the late overwrite, stable_token). The scenario tests
 * below then check the chapter's promises one by one, with the reader's
 * controls only.
 */
import { describe, expect, it } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import { Simulation, stateToString, STEP_CONTROL_ID } from '../../src/kit/engine/engine.ts';
import { accessTokenSimulation, type AccessTokenWorld } from '../../src/chapters/access-token/simulation.ts';
import { sourceOf, usesStore, type AccessTokenEvent, type AccessTokenMachine, type ServerId, type Strategy } from '../../src/chapters/access-token/machine.ts';
import { HERD_CALLERS } from '../../src/chapters/access-token/world.ts';
import { describeChapterModel, press, setSwitch } from '../support/chapter-model.ts';

type Snapshot = SnapshotFrom<AccessTokenMachine>;
type Sim = Simulation<AccessTokenMachine, AccessTokenWorld>;

const SERVERS = ['a', 'b'] as const;
const laneOf = (server: ServerId) => `server-${server}`;
const otherOf = (server: ServerId): ServerId => (server === 'a' ? 'b' : 'a');
/** A call on a server that has no token yet: fetch one, then the call succeeds. */
const callWithNewToken = (server: ServerId): AccessTokenEvent[] => [
  { type: 'user.called', server },
  { type: 'server.needsToken', server },
  { type: 'server.tokenRequested', server },
  { type: 'server.tokenReceived', server },
  { type: 'server.apiSucceeded', server },
];

/** A call with a token WeChat no longer accepts: 40001. */
const callRejected = (server: ServerId): AccessTokenEvent[] => [
  { type: 'user.called', server },
  { type: 'server.apiRejected', server, errcode: 40001 },
];

/** The reader picks a strategy and the world applies it. */
const useStrategy = (strategy: Strategy): AccessTokenEvent[] => [{ type: 'user.choseStrategy', strategy }, { type: 'world.strategyApplied' }];

/** What the world can answer, per server, given what the servers believe and are doing. */
function outcomes(snapshot: Snapshot): AccessTokenEvent[] {
  const state = stateToString(snapshot.value);
  if (state === 'configuring') return [{ type: 'world.strategyApplied' }];
  const { context } = snapshot;
  // The naive herd's hundred /cgi-bin/token fetches kill whatever B holds in memory.
  const killedOthers = context.strategy === 'naive' && context.held.b !== 'none';
  if (state === 'herd') return [{ type: 'server.herdServed', callers: HERD_CALLERS, fetches: 1, killedOthers }];
  if (state === 'revoking') return [{ type: 'wechat.tokenRevoked' }];
  const events: AccessTokenEvent[] = [];
  for (const server of SERVERS) {
    const belief = context.held[sourceOf(context.strategy, server)];
    const storeLive = usesStore(context.strategy) && context.held.store === 'live';
    // Under a lock, a server whose response is on its way holds the lock.
    const otherHoldsLock = (context.strategy === 'locked' || context.strategy === 'hub') && context.steps[otherOf(server)] === 'inTransit';
    switch (context.steps[server]) {
      case 'calling':
        if (belief === 'none') events.push({ type: 'server.needsToken', server });
        else if (belief === 'live') events.push({ type: 'server.apiSucceeded', server });
        else {
          events.push({ type: 'server.apiRejected', server, errcode: 40001 });
          if (!context.retried[server]) events.push({ type: 'server.tokenRejected', server, errcode: 40001 });
        }
        break;
      case 'fetching':
        events.push(storeLive ? { type: 'server.tokenShared', server } : otherHoldsLock ? { type: 'server.lockBusy', server } : { type: 'server.tokenRequested', server });
        break;
      case 'waitingLock':
        events.push(storeLive ? { type: 'server.tokenShared', server } : otherHoldsLock ? { type: 'server.lockBusy', server } : { type: 'server.needsToken', server });
        break;
      case 'inTransit':
        if (!context.delayed[server]) events.push({ type: 'server.stillInTransit', server });
        events.push({ type: 'server.tokenReceived', server });
        break;
    }
  }
  return events;
}

const serializeState = (snapshot: Snapshot) => {
  const { exclusive, strategy, steps, held, retried, delayed } = snapshot.context;
  // retried and delayed are reset when a call or a fetch starts, so an idle server is its belief alone.
  const server = (s: ServerId) =>
    steps[s] === 'idle' ? `idle/${held[s]}` : `${steps[s]}/${held[s]}/${retried[s]}${steps[s] === 'inTransit' ? `/${delayed[s]}` : ''}`;
  return `${exclusive ? stateToString(snapshot.value) : ''}|${strategy}|a:${server('a')}|b:${server('b')}|store:${held.store}`;
};

/** Run the server's pending effect: by its lane when another lane is busy too. */
async function stepServer(sim: Sim, server: ServerId) {
  const lanes = new Set(sim.frame().pending.map((p) => p.lane));
  await press(sim, lanes.size > 1 ? `next-${laneOf(server)}` : STEP_CONTROL_ID);
}

/** The token a server would use now, as the world holds it. */
function tokenOf(sim: Sim, server: ServerId): string | undefined {
  const world = sim.world;
  return (usesStore(world.strategy) ? world.store.entry : world.memory[server])?.token;
}

async function produce(sim: Sim, event: AccessTokenEvent) {
  if (!('server' in event)) {
    await press(sim, STEP_CONTROL_ID);
    return;
  }
  const { server } = event;
  switch (event.type) {
    case 'server.tokenRejected':
    case 'server.apiRejected': {
      await setSwitch(sim, 'retry-once', event.type === 'server.tokenRejected');
      // A token in its grace window dies when the window ends: wait for it.
      const token = tokenOf(sim, server);
      if (token && sim.world.wechat.accessTokenStatus(token).state === 'grace') await press(sim, 'plus-5m');
      break;
    }
    case 'server.apiSucceeded':
      // Under stable_token, let the 5-minute window pass first: nothing the other server did can kill this token.
      if (sim.world.strategy === 'stable') await press(sim, 'plus-5m');
      break;
    case 'server.stillInTransit':
    case 'server.tokenReceived':
      await setSwitch(sim, `slow-${server}`, event.type === 'server.stillInTransit');
      break;
  }
  await stepServer(sim, server);
}

/** The fetch that started a /cgi-bin/token's end: the first /cgi-bin/token fetch after it. */
function killerOf(world: AccessTokenWorld, token: string) {
  const issued = world.fetches.findIndex((fetch) => fetch.token === token);
  if (issued < 0 || world.fetches[issued]!.endpoint !== 'token') return undefined;
  return world.fetches.slice(issued + 1).find((fetch) => fetch.endpoint === 'token');
}

const rejectedByOtherServer = (world: AccessTokenWorld, server: ServerId) =>
  world.calls.some((call) => call.by === server && call.errcode === 40001 && killerOf(world, call.token)?.by === otherOf(server));

function checkInvariants(sim: Sim) {
  const world = sim.world;
  // No lane is a device: the token has nowhere to leak to, and nothing is addressed to a device.
  expect(sim.definition.lanes.filter((lane) => lane.trust === 'device')).toEqual([]);
  expect(sim.definition.phones).toEqual([]);

  // Retry once, never loop: each retry follows a rejection of the same server's first attempt.
  for (const server of SERVERS) {
    const calls = world.calls.filter((call) => call.by === server);
    calls.forEach((call, i) => {
      if (call.retry) expect(calls[i - 1]?.errcode, `${server}'s retry follows a rejection`).not.toBe(0);
      if (call.retry) expect(calls[i - 1]?.retry).toBe(false);
    });
  }

  // One refresher per generation: under the lock or the 中控, no two fetches replace the same token.
  const guarded = world.fetches.filter((fetch) => (fetch.strategy === 'locked' || fetch.strategy === 'hub') && fetch.by !== 'ops');
  const generations = guarded.map((fetch) => `${fetch.strategy}:${fetch.replacing}`);
  expect(new Set(generations).size, `generations refreshed twice: ${generations.join(', ')}`).toBe(generations.length);
  expect(world.lateOverwrites.every((overwrite) => world.fetches.find((f) => f.token === overwrite.stale)?.strategy === 'shared')).toBe(true);

  // With every fix on, the only rejected calls are first attempts with a token someone invalidated on purpose.
  for (const call of world.calls.filter((c) => c.fixesOn && c.errcode !== 0)) {
    expect(call.retry, 'a retry with every fix on never fails').toBe(false);
    const issuedAt = world.fetches.find((fetch) => fetch.token === call.token)!.at;
    expect(world.invalidations.some((at) => at >= issuedAt && at <= call.at), `${call.by} rejected without an invalidation`).toBe(true);
  }
}

describeChapterModel<AccessTokenMachine, AccessTokenWorld>({
  definition: accessTokenSimulation,
  outcomes,
  serializeState,
  produce,
  invariants: checkInvariants,
  readerControls: new Set(['call-a', 'call-b', 'herd', 'revoke', 'use-locked']),
  minPaths: 50,
  mustExercise: {
    'the ping-pong: each server loses its token to the other one': (sim) => rejectedByOtherServer(sim.world, 'a') && rejectedByOtherServer(sim.world, 'b'),
    'a late response overwrites a newer token': (sim) => sim.world.lateOverwrites.length > 0,
    'stable_token stops the ping-pong': (sim) => {
      const stable = sim.world.calls.filter((call) => call.strategy === 'stable');
      return stable.some((c) => c.by === 'a') && stable.some((c) => c.by === 'b') && stable.every((c) => c.errcode === 0) && new Set(stable.map((c) => c.token)).size === 1;
    },
    'the herd collapses to one fetch': (sim) => sim.world.herds.some((herd) => herd.singleFlight && herd.fetches === 1 && herd.callers === HERD_CALLERS),
    'the naive herd fetches once per caller': (sim) => sim.world.herds.some((herd) => !herd.singleFlight && herd.fetches === HERD_CALLERS),
    'a retry after a rejection succeeds': (sim) => sim.world.calls.some((call) => call.retry && call.errcode === 0),
    'a server waits for the lock and reads the other one’s token': (sim) =>
      sim.frame().log.some((entry) => entry.state.startsWith('waitingLock')) && sim.world.fetches.filter((f) => f.strategy === 'locked').length >= 1,
  },
  scenarios: [
    {
      name: 'two naive servers ping-pong',
      events: [
        ...callWithNewToken('a'),
        ...callWithNewToken('b'),
        ...callRejected('a'),
        ...callWithNewToken('a'),
        ...callRejected('b'),
      ],
    },
    {
      name: 'a late response overwrites the newer token in a shared store without a lock',
      events: [
        ...useStrategy('shared'),
        { type: 'user.called', server: 'a' },
        { type: 'server.needsToken', server: 'a' },
        { type: 'server.tokenRequested', server: 'a' },
        ...callWithNewToken('b'),
        { type: 'server.tokenReceived', server: 'a' },
        { type: 'server.apiSucceeded', server: 'a' },
        ...callRejected('b'),
      ],
    },
    {
      name: 'stable_token: both servers share one token past the 5-minute window',
      events: [
        ...useStrategy('stable'),
        ...callWithNewToken('a'),
        ...callWithNewToken('b'),
        { type: 'user.called', server: 'a' },
        { type: 'server.apiSucceeded', server: 'a' },
      ],
    },
    {
      name: 'the herd, naive then with the lock',
      events: [
        { type: 'user.startedHerd' },
        { type: 'server.herdServed', callers: HERD_CALLERS, fetches: HERD_CALLERS, killedOthers: false },
        ...useStrategy('locked'),
        { type: 'user.startedHerd' },
        { type: 'server.herdServed', callers: HERD_CALLERS, fetches: 1, killedOthers: false },
      ],
    },
  ],
});

// ── The chapter's promises, with the reader's controls only ──

async function fresh(...controls: string[]): Promise<Sim> {
  const sim = new Simulation(accessTokenSimulation);
  for (const control of controls) await press(sim, control);
  return sim;
}

/** A reader presses 「服务器 X 调用接口」, then 下一步 until that server is idle again. */
async function call(sim: Sim, server: ServerId) {
  await press(sim, `call-${server}`);
  for (let i = 0; sim.snapshot.context.steps[server] !== 'idle'; i++) {
    expect(i, 'a call ends within a few steps').toBeLessThan(10);
    await stepServer(sim, server);
  }
  return sim.world.calls.filter((c) => c.by === server).at(-1)!;
}

describe('access_token chapter scenarios', () => {
  it('a naive herd is told about the daily quota of /cgi-bin/token, a stable_token herd about stable_token\'s own limits', async () => {
    const herdFinding = async (...controls: string[]) => {
      const sim = await fresh(...controls);
      const drain = async () => {
        for (let i = 0; sim.canApply(STEP_CONTROL_ID) && i < 20; i++) await press(sim, STEP_CONTROL_ID);
      };
      await drain();
      await press(sim, 'herd');
      await drain();
      return sim.frame().world.findings.find((finding) => finding.title.includes('次获取'))?.detail ?? '';
    };
    expect(await herdFinding()).toContain('/cgi-bin/token 的每日额度');
    const stable = await herdFinding('use-stable');
    expect(stable).toContain('stable_token 是 1 万次/分钟、50 万次/天');
    expect(stable).not.toContain('/cgi-bin/token');
  });

  it('naive servers ping-pong: B’s refresh kills A’s token 5 minutes later, then A’s kills B’s', async () => {
    const sim = await fresh();
    expect((await call(sim, 'a')).errcode).toBe(0);
    expect((await call(sim, 'b')).errcode).toBe(0);
    expect((await call(sim, 'a')).errcode).toBe(0); // still inside the grace window
    await press(sim, 'plus-5m');
    expect((await call(sim, 'a')).errcode).toBe(40001);
    expect((await call(sim, 'a')).errcode).toBe(0); // A refreshed, so B's token is now in grace
    await press(sim, 'plus-5m');
    expect((await call(sim, 'b')).errcode).toBe(40001);
    expect(rejectedByOtherServer(sim.world, 'a') && rejectedByOtherServer(sim.world, 'b')).toBe(true);
    expect(sim.frame().world.findings[0]?.href).toBe('https://developers.weixin.qq.com/doc/oplatform/developers/dev/AccessToken.html');
    checkInvariants(sim);
  });

  it('stable_token stops the ping-pong: one token for both, hours of calls without a rejection', async () => {
    const sim = await fresh('use-stable', STEP_CONTROL_ID, 'refresh-ahead');
    for (let round = 0; round < 30; round++) {
      expect((await call(sim, 'a')).errcode).toBe(0);
      expect((await call(sim, 'b')).errcode).toBe(0);
      await press(sim, 'plus-5m');
    }
    const tokens = new Set(sim.world.calls.map((c) => c.token));
    expect(tokens.size).toBe(2); // renewed once, in its last five minutes, and both servers moved together
    expect(sim.world.fetches.every((fetch) => fetch.endpoint === 'stable')).toBe(true);
    checkInvariants(sim);
  });

  it('a slow network makes the earlier request land last and overwrite the newer token; the lock prevents it', async () => {
    const sim = await fresh('use-shared', STEP_CONTROL_ID, 'slow-a', 'call-a', 'call-b');
    // 下一步 only, in queue order: A asks first, B second, B's answer lands first.
    while (sim.frame().pending.length > 0) await press(sim, STEP_CONTROL_ID);
    expect(sim.world.lateOverwrites).toHaveLength(1);
    const { stale, over } = sim.world.lateOverwrites[0]!;
    expect(sim.world.wechat.accessTokenStatus(stale).state).toBe('grace');
    expect(sim.world.wechat.accessTokenStatus(over).state).toBe('valid');
    expect(sim.frame().world.findings.map((f) => f.title)).toContain('迟到的响应：T1 覆盖了更新的 T2');
    await press(sim, 'plus-5m');
    expect((await call(sim, 'b')).errcode).toBe(40001);

    const locked = await fresh('use-locked', STEP_CONTROL_ID, 'slow-a', 'call-a', 'call-b');
    while (locked.frame().pending.length > 0) await press(locked, STEP_CONTROL_ID);
    expect(locked.world.lateOverwrites).toEqual([]);
    expect(locked.world.fetches).toHaveLength(1);
    checkInvariants(locked);
  });

  it('the reader picks who lands first with next-<lane>', async () => {
    const sim = await fresh('use-shared', STEP_CONTROL_ID, 'call-a', 'call-b', 'next-server-a', 'next-server-a', 'next-server-b', 'next-server-b');
    expect(sim.frame().pending.map((p) => p.effect)).toEqual(['deliverResponseA', 'deliverResponseB']);
    await press(sim, 'next-server-b');
    await press(sim, 'next-server-a');
    expect(sim.world.lateOverwrites).toHaveLength(1);
  });

  it.each([
    ['use-naive', false, HERD_CALLERS],
    ['use-shared', false, HERD_CALLERS],
    ['use-stable', false, HERD_CALLERS],
    ['use-locked', true, 1],
    ['use-hub', true, 0],
  ] as const)('herd under %s: %s single-flight, %i upstream fetches', async (strategy, singleFlight, fetches) => {
    const controls = strategy === 'use-naive' ? [] : [strategy, STEP_CONTROL_ID];
    const sim = await fresh(...controls, 'herd', STEP_CONTROL_ID);
    expect(sim.world.herds).toEqual([{ strategy: strategy.slice(4), singleFlight, callers: HERD_CALLERS, fetches }]);
    expect(sim.snapshot.context.herd).toEqual({ callers: HERD_CALLERS, fetches });
    if (strategy === 'use-stable') expect(new Set(sim.world.fetches.map((f) => f.token)).size).toBe(1);
    if (strategy === 'use-naive') {
      // 100 tokens issued one after another: only the last is current, the one before it in grace, the rest dead.
      const states = sim.world.fetches.map((f) => sim.world.wechat.accessTokenStatus(f.token).state);
      expect(states.filter((s) => s === 'revoked')).toHaveLength(HERD_CALLERS - 2);
    }
  });

  it('with every fix on, a leak drill costs each server at most one rejection and one refresh in total', async () => {
    const sim = await fresh('use-locked', STEP_CONTROL_ID, 'refresh-ahead', 'retry-once');
    await call(sim, 'a');
    await call(sim, 'b');
    await press(sim, 'revoke');
    await press(sim, STEP_CONTROL_ID);
    const fetchesBefore = sim.world.fetches.filter((f) => f.by !== 'ops').length;
    const first = await call(sim, 'a');
    expect(first.errcode).toBe(0);
    expect(first.retry).toBe(true);
    expect((await call(sim, 'b')).errcode).toBe(0);
    expect(sim.world.fetches.filter((f) => f.by !== 'ops').length - fetchesBefore).toBe(1);
    expect(sim.world.calls.filter((c) => c.errcode !== 0)).toHaveLength(1);
    checkInvariants(sim);
  });

  it('the 中控 refreshes every hour; the servers never call WeChat themselves', async () => {
    const sim = await fresh('use-hub', STEP_CONTROL_ID, 'refresh-ahead', 'retry-once');
    for (let hour = 0; hour < 5; hour++) {
      expect((await call(sim, 'a')).errcode).toBe(0);
      expect((await call(sim, 'b')).errcode).toBe(0);
      await press(sim, 'plus-1h');
    }
    expect(sim.world.fetches.every((fetch) => fetch.by === 'hub')).toBe(true);
    expect(sim.world.fetches).toHaveLength(6);
    const frame = sim.frame();
    expect(frame.messages.filter((m) => m.to === 'wechat').every((m) => m.from === 'hub' || m.label.startsWith('POST /cgi-bin/message'))).toBe(true);
    checkInvariants(sim);
  });

  it('the leak drill on /cgi-bin/token takes two fetches: the first leaves the leaked token 5 minutes', async () => {
    const sim = await fresh();
    await call(sim, 'a');
    const leaked = sim.world.memory.a!.token;
    await press(sim, 'revoke');
    await press(sim, STEP_CONTROL_ID);
    const ops = sim.world.fetches.filter((f) => f.by === 'ops');
    expect(ops).toHaveLength(2);
    expect(sim.world.wechat.accessTokenStatus(leaked).state).toBe('revoked');
    expect(sim.world.wechat.accessTokenStatus(ops[0]!.token).state).toBe('grace');
  });
});
