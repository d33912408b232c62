/**
 * 谁动了我的 token: two business servers (A, B) that call WeChat APIs with an
 * access_token, under one of five designs for where the token comes from.
 *
 * The machine is flat and names the step that just happened (a server is
 * calling, fetching, waiting for the lock…), because two servers work at the
 * same time: what each one is doing, and what it believes about the token it
 * holds, is context. Every side effect is a named entry action with an empty
 * default; the host (the simulator) runs it on the lane of the server whose
 * turn it is. Results come back as events named for what happened.
 *
 * Beliefs (`held`) are what the servers know, not what WeChat knows: a token
 * another server's fetch killed still looks `live` until a call is rejected.
 */
import { and, assign, setup } from 'xstate';

export type ServerId = 'a' | 'b';

/**
 * Where the token comes from:
 * - naive:  each server caches in memory and calls GET /cgi-bin/token when its copy looks expired;
 * - shared: one shared store, but whoever finds it empty fetches (no lock);
 * - locked: shared store, a lock and a second read after taking it (what the companion does with Redis);
 * - hub:    a 中控 server owns refresh; business servers only read, and ask it when the token is bad;
 * - stable: each server caches in memory and calls POST /cgi-bin/stable_token (normal mode).
 */
export const STRATEGIES = ['naive', 'shared', 'locked', 'hub', 'stable'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** Whether the strategy keeps the token in one shared store rather than in each server's memory. */
export const usesStore = (strategy: Strategy) => strategy === 'shared' || strategy === 'locked' || strategy === 'hub';

export type ServerStep = 'idle' | 'calling' | 'fetching' | 'waitingLock' | 'inTransit';

/** What a holder believes of its token: none, good, or dead without knowing it yet. */
export type Belief = 'none' | 'live' | 'stale';

export interface AccessTokenContext {
  strategy: Strategy;
  steps: Record<ServerId, ServerStep>;
  /** Whether the current call already refreshed once after a rejection (retry-once). */
  retried: Record<ServerId, boolean>;
  /** Whether the current response already waited one extra step on a slow network. */
  delayed: Record<ServerId, boolean>;
  /** Each server's memory cache, and the shared store. */
  held: Record<ServerId | 'store', Belief>;
  /** A reconfiguration, herd or leak drill is running: nothing else starts until it ends. */
  exclusive: boolean;
  succeeded: number;
  failed: number;
  herd: { callers: number; fetches: number } | null;
}

type ServerEvent<T extends string, Extra = object> = { type: T; server: ServerId } & Extra;

export type AccessTokenEvent =
  | { type: 'user.choseStrategy'; strategy: Strategy }
  | { type: 'user.called'; server: ServerId }
  | { type: 'user.startedHerd' }
  | { type: 'user.revokedToken' }
  | { type: 'world.strategyApplied' }
  | { type: 'wechat.tokenRevoked' }
  | ServerEvent<'server.needsToken'>
  | ServerEvent<'server.tokenShared'>
  | ServerEvent<'server.lockBusy'>
  | ServerEvent<'server.tokenRequested'>
  | ServerEvent<'server.stillInTransit'>
  | ServerEvent<'server.tokenReceived'>
  | ServerEvent<'server.tokenRejected', { errcode: number }>
  | ServerEvent<'server.apiSucceeded'>
  | ServerEvent<'server.apiRejected', { errcode: number }>
  | { type: 'server.herdServed'; callers: number; fetches: number; killedOthers: boolean };

export type AccessTokenEffect =
  | 'applyStrategy'
  | 'callApiA'
  | 'callApiB'
  | 'requestTokenA'
  | 'requestTokenB'
  | 'waitForLockA'
  | 'waitForLockB'
  | 'deliverResponseA'
  | 'deliverResponseB'
  | 'serveHerd'
  | 'revokeToken';

const noEffect = () => {};

/** The holder a server reads under the current strategy. */
export const sourceOf = (strategy: Strategy, server: ServerId): ServerId | 'store' => (usesStore(strategy) ? 'store' : server);

const initialContext: AccessTokenContext = {
  strategy: 'naive',
  steps: { a: 'idle', b: 'idle' },
  retried: { a: false, b: false },
  delayed: { a: false, b: false },
  held: { a: 'none', b: 'none', store: 'none' },
  exclusive: false,
  succeeded: 0,
  failed: 0,
  herd: null,
};

const allIdle = (context: AccessTokenContext) => !context.exclusive && context.steps.a === 'idle' && context.steps.b === 'idle';
const serverOf = (event: AccessTokenEvent): ServerId => ('server' in event ? event.server : 'a');

/**
 * What a server reports moves that server on: to `<step>A` when A sent it, to
 * `<step>B` when B did, re-entering it so that its effect runs again, with the
 * same actions either way.
 */
const toServerStep = <const TActions>(step: 'calling' | 'fetching' | 'waitingLock' | 'inTransit', actions: TActions) =>
  [
    { guard: 'fromA', target: `.${step}A`, reenter: true, actions },
    { target: `.${step}B`, reenter: true, actions },
  ] as const;

export const accessTokenMachine = setup({
  types: { context: {} as AccessTokenContext, events: {} as AccessTokenEvent },
  actions: {
    applyStrategy: noEffect,
    callApiA: noEffect,
    callApiB: noEffect,
    requestTokenA: noEffect,
    requestTokenB: noEffect,
    waitForLockA: noEffect,
    waitForLockB: noEffect,
    deliverResponseA: noEffect,
    deliverResponseB: noEffect,
    serveHerd: noEffect,
    revokeToken: noEffect,
    setStep: assign(({ context, event }, params: { step: ServerStep }) => ({ steps: { ...context.steps, [serverOf(event)]: params.step } })),
    setBelief: assign(({ context, event }, params: { belief: Belief }) => ({
      held: { ...context.held, [sourceOf(context.strategy, serverOf(event))]: params.belief },
    })),
    setRetried: assign(({ context, event }, params: { retried: boolean }) => ({ retried: { ...context.retried, [serverOf(event)]: params.retried } })),
    setDelayed: assign(({ context, event }, params: { delayed: boolean }) => ({ delayed: { ...context.delayed, [serverOf(event)]: params.delayed } })),
    countSucceeded: assign({ succeeded: ({ context }) => context.succeeded + 1 }),
    countFailed: assign({ failed: ({ context }) => context.failed + 1 }),
  },
  guards: {
    fromA: ({ event }) => serverOf(event) === 'a',
    serverIdle: ({ context, event }) => !context.exclusive && event.type === 'user.called' && context.steps[event.server] === 'idle',
    allIdle: ({ context }) => allIdle(context),
    otherStrategy: ({ context, event }) => allIdle(context) && event.type === 'user.choseStrategy' && event.strategy !== context.strategy,
  },
}).createMachine({
  id: 'accessToken',
  initial: 'idle',
  context: initialContext,
  on: {
    'user.choseStrategy': {
      guard: 'otherStrategy',
      target: '.configuring',
      actions: assign(({ event }) => ({ strategy: event.strategy, exclusive: true })),
    },
    'world.strategyApplied': {
      target: '.idle',
      actions: assign(({ context }) => ({
        exclusive: false,
        // A new design is a new deployment: every cache starts empty, except the 中控's, which fetches at once.
        held: { a: 'none' as const, b: 'none' as const, store: context.strategy === 'hub' ? ('live' as const) : ('none' as const) },
      })),
    },
    'user.called': [
      {
        guard: and(['serverIdle', 'fromA']),
        target: '.callingA',
        reenter: true,
        actions: [{ type: 'setStep', params: { step: 'calling' } }, { type: 'setRetried', params: { retried: false } }],
      },
      {
        guard: 'serverIdle',
        target: '.callingB',
        reenter: true,
        actions: [{ type: 'setStep', params: { step: 'calling' } }, { type: 'setRetried', params: { retried: false } }],
      },
    ],
    'server.needsToken': toServerStep('fetching', { type: 'setStep', params: { step: 'fetching' } }),
    'server.lockBusy': toServerStep('waitingLock', { type: 'setStep', params: { step: 'waitingLock' } }),
    'server.tokenShared': toServerStep('calling', [{ type: 'setStep', params: { step: 'calling' } }, { type: 'setBelief', params: { belief: 'live' } }]),
    'server.tokenRequested': toServerStep('inTransit', [{ type: 'setStep', params: { step: 'inTransit' } }, { type: 'setDelayed', params: { delayed: false } }]),
    'server.stillInTransit': toServerStep('inTransit', { type: 'setDelayed', params: { delayed: true } }),
    'server.tokenReceived': toServerStep('calling', [{ type: 'setStep', params: { step: 'calling' } }, { type: 'setBelief', params: { belief: 'live' } }]),
    'server.tokenRejected': toServerStep('fetching', [
      { type: 'setStep', params: { step: 'fetching' } },
      { type: 'setBelief', params: { belief: 'none' } },
      { type: 'setRetried', params: { retried: true } },
    ]),
    'server.apiSucceeded': { target: '.callSucceeded', actions: [{ type: 'setStep', params: { step: 'idle' } }, 'countSucceeded'] },
    'server.apiRejected': {
      target: '.callFailed',
      actions: [{ type: 'setStep', params: { step: 'idle' } }, { type: 'setBelief', params: { belief: 'none' } }, 'countFailed'],
    },
    'user.startedHerd': { guard: 'allIdle', target: '.herd', actions: assign({ exclusive: true }) },
    'server.herdServed': {
      target: '.herdServed',
      actions: assign(({ context, event }) => {
        const source = sourceOf(context.strategy, 'a');
        const held = { ...context.held, [source]: 'live' as const };
        // The extra /cgi-bin/token fetches killed the token B held in memory.
        if (event.killedOthers && source === 'a' && held.b === 'live') held.b = 'stale';
        return { exclusive: false, held, herd: { callers: event.callers, fetches: event.fetches } };
      }),
    },
    'user.revokedToken': { guard: 'allIdle', target: '.revoking', actions: assign({ exclusive: true }) },
    'wechat.tokenRevoked': {
      target: '.revoked',
      actions: assign(({ context }) => ({
        exclusive: false,
        held: Object.fromEntries(Object.entries(context.held).map(([holder, belief]) => [holder, belief === 'live' ? 'stale' : belief])) as AccessTokenContext['held'],
      })),
    },
  },
  states: {
    idle: {},
    configuring: { entry: 'applyStrategy' },
    callingA: { entry: 'callApiA' },
    callingB: { entry: 'callApiB' },
    fetchingA: { entry: 'requestTokenA' },
    fetchingB: { entry: 'requestTokenB' },
    waitingLockA: { entry: 'waitForLockA' },
    waitingLockB: { entry: 'waitForLockB' },
    inTransitA: { entry: 'deliverResponseA' },
    inTransitB: { entry: 'deliverResponseB' },
    callSucceeded: {},
    callFailed: {},
    herd: { entry: 'serveHerd' },
    herdServed: {},
    revoking: { entry: 'revokeToken' },
    revoked: {},
  },
});

export type AccessTokenMachine = typeof accessTokenMachine;
