/**
 * 多线程 Worker as a statechart of one mini program page and its worker:
 * creating the one worker the platform allows, running fib(n) on the logic
 * thread or in the worker, posting an object and changing it afterwards,
 * the worker asking the logic thread to fetch (it has no wx), iOS
 * reclaiming the experimental worker mid-job, and terminate.
 *
 * The machine only decides what happens next; the WeChat client and the
 * threads (the world) report what happened. Every side effect is a named
 * entry action with an empty default. Not a parallel machine: the kit looks
 * up each state's code by the whole state string, and the page's logic
 * thread does one thing at a time anyway.
 */
import { assign, setup } from 'xstate';
import type { CreateRefusal, PayloadKind } from '../../world/wechat/worker.ts';

export interface FibResult {
  where: 'main' | 'worker';
  n: number;
  value: number;
  /** How long the logic thread was blocked: the whole job on the main thread, nothing for the worker. */
  blockedMs: number;
}

export interface WorkerContext {
  /** Whether the page holds a worker it created (the world knows whether it is still alive). */
  hasWorker: boolean;
  nextJobId: number;
  /** The fib job waiting for the worker's reply. */
  job: { id: number; n: number } | null;
  lastResult: FibResult | null;
  /** What the reader chose to post next. */
  payload: PayloadKind;
  /** An object was posted, so there is something to change afterwards and something for the worker to echo. */
  posted: boolean;
  /** What the worker echoed back of its copy; null when its copy is not a documented payload. */
  echo: { count: number | null } | null;
  lastError: string | null;
  /** The job whose data the worker asked the logic thread to fetch. */
  relayJob: number | null;
}

export type WorkerEvent =
  | { type: 'user.createdWorker' }
  | { type: 'user.ranOnMainThread' }
  | { type: 'user.ranInWorker' }
  | { type: 'user.postedObject'; kind: PayloadKind }
  | { type: 'user.mutatedObject' }
  | { type: 'user.askedEcho' }
  | { type: 'user.terminated' }
  | { type: 'user.calledWxInWorker' }
  | { type: 'user.relayedFetch' }
  /** `error`: the worker started, but its entry script threw while loading and onError reported it. */
  | { type: 'wx.workerCreated'; error?: string }
  | { type: 'wx.createFailed'; reason: CreateRefusal }
  | { type: 'wx.subpackageDownloadStarted' }
  | { type: 'wx.subpackageDownloaded' }
  | { type: 'wx.terminated' }
  | { type: 'worker.errored'; message: string }
  | { type: 'main.computed'; n: number; value: number; blockedMs: number }
  | { type: 'main.jobPosted'; jobId: number; n: number }
  | { type: 'worker.replied'; jobId: number; n: number; value: number }
  | { type: 'system.workerKilled'; handled: boolean }
  | { type: 'main.jobResent'; jobId: number }
  | { type: 'worker.received'; supported: boolean }
  | { type: 'main.mutated' }
  | { type: 'worker.echoed'; count: number | null }
  | { type: 'worker.askedFetch'; jobId: number }
  | { type: 'main.fetchedForWorker' }
  | { type: 'worker.jobDone'; jobId: number };

/** The effects a host provides; each runs on entering the state that names it. */
export type WorkerEffect =
  | 'createWorker'
  | 'computeOnMainThread'
  | 'postJob'
  | 'computeInWorker'
  | 'recreateAndResend'
  | 'postObject'
  | 'mutateObject'
  | 'echoCopy'
  | 'callWxInWorker'
  | 'askMainToFetch'
  | 'fetchForWorker'
  | 'finishFetchedJob'
  | 'terminateWorker';

const noEffect = () => {};

const initialContext: WorkerContext = {
  hasWorker: false,
  nextJobId: 1,
  payload: 'plain',
  job: null,
  lastResult: null,
  posted: false,
  echo: null,
  lastError: null,
  relayJob: null,
};

export const workerMachine = setup({
  types: {
    context: {} as WorkerContext,
    events: {} as WorkerEvent,
  },
  actions: {
    createWorker: noEffect,
    computeOnMainThread: noEffect,
    postJob: noEffect,
    computeInWorker: noEffect,
    recreateAndResend: noEffect,
    postObject: noEffect,
    mutateObject: noEffect,
    echoCopy: noEffect,
    callWxInWorker: noEffect,
    askMainToFetch: noEffect,
    fetchForWorker: noEffect,
    finishFetchedJob: noEffect,
    terminateWorker: noEffect,
    clearError: assign({ lastError: null }),
    recordCreated: assign(({ event }) => ({ hasWorker: true, lastError: event.type === 'wx.workerCreated' ? (event.error ?? null) : null })),
    recordCreateFailure: assign(({ event }) => (event.type === 'wx.createFailed' ? { lastError: event.reason } : {})),
    recordWorkerError: assign(({ event }) => (event.type === 'worker.errored' ? { lastError: event.message } : {})),
    recordMainResult: assign(({ event }) =>
      event.type === 'main.computed' ? { lastResult: { where: 'main' as const, n: event.n, value: event.value, blockedMs: event.blockedMs } } : {},
    ),
    startJob: assign(({ context, event }) =>
      event.type === 'main.jobPosted' ? { job: { id: event.jobId, n: event.n }, nextJobId: context.nextJobId + 1 } : {},
    ),
    recordWorkerResult: assign(({ event }) =>
      event.type === 'worker.replied' ? { job: null, lastResult: { where: 'worker' as const, n: event.n, value: event.value, blockedMs: 0 } } : {},
    ),
    loseWorker: assign({ hasWorker: false }),
    abandonJob: assign({ job: null }),
    choosePayload: assign(({ event }) => (event.type === 'user.postedObject' ? { payload: event.kind } : {})),
    recordPosted: assign({ posted: true, echo: null }),
    recordEcho: assign(({ event }) => (event.type === 'worker.echoed' ? { echo: { count: event.count } } : {})),
    startRelay: assign(({ context, event }) =>
      event.type === 'worker.askedFetch' ? { relayJob: event.jobId, nextJobId: context.nextJobId + 1 } : {},
    ),
    finishRelay: assign({ relayJob: null }),
    forgetWorker: assign({ hasWorker: false, job: null, posted: false, echo: null }),
  },
  guards: {
    hasWorker: ({ context }) => context.hasWorker,
    hasPosted: ({ context }) => context.posted,
    // Guards also run for bare `{ type }` probes, so a payload may be missing.
    handled: ({ event }) => event.type === 'system.workerKilled' && event.handled === true,
  },
}).createMachine({
  id: 'worker',
  initial: 'noWorker',
  context: initialContext,
  states: {
    noWorker: {
      on: {
        'user.createdWorker': { target: 'creating', actions: 'clearError' },
        'user.ranOnMainThread': { target: 'computingOnMain', actions: 'clearError' },
      },
    },
    creating: {
      entry: 'createWorker',
      on: {
        'wx.workerCreated': { target: 'ready', actions: 'recordCreated' },
        'wx.subpackageDownloadStarted': 'downloadingSubpackage',
        'wx.createFailed': [
          { guard: 'hasWorker', target: 'ready', actions: 'recordCreateFailure' },
          { target: 'noWorker', actions: 'recordCreateFailure' },
        ],
      },
    },
    downloadingSubpackage: {
      on: { 'wx.subpackageDownloaded': 'creating' },
    },
    computingOnMain: {
      entry: 'computeOnMainThread',
      on: {
        'main.computed': [
          { guard: 'hasWorker', target: 'ready', actions: 'recordMainResult' },
          { target: 'noWorker', actions: 'recordMainResult' },
        ],
      },
    },
    ready: {
      on: {
        'user.ranOnMainThread': { target: 'computingOnMain', actions: 'clearError' },
        'user.ranInWorker': { target: 'postingJob', actions: 'clearError' },
        'user.postedObject': { target: 'postingObject', actions: ['clearError', 'choosePayload'] },
        'user.mutatedObject': { guard: 'hasPosted', target: 'mutating', actions: 'clearError' },
        'user.askedEcho': { guard: 'hasPosted', target: 'echoing', actions: 'clearError' },
        'user.createdWorker': { target: 'creating', actions: 'clearError' },
        'user.calledWxInWorker': { target: 'callingWxInWorker', actions: 'clearError' },
        'user.relayedFetch': { target: 'relay', actions: 'clearError' },
        'user.terminated': 'terminating',
      },
    },
    postingJob: {
      entry: 'postJob',
      on: { 'main.jobPosted': { target: 'workerComputing', actions: 'startJob' } },
    },
    workerComputing: {
      entry: 'computeInWorker',
      on: {
        'worker.replied': { target: 'ready', actions: 'recordWorkerResult' },
        'system.workerKilled': [
          { guard: 'handled', target: 'recreating', actions: 'loseWorker' },
          { target: 'replyLost', actions: 'loseWorker' },
        ],
        // A worker that never answers (its script failed to load) can still be ended from the page.
        'user.terminated': { target: 'terminating', actions: 'abandonJob' },
      },
    },
    recreating: {
      entry: 'recreateAndResend',
      on: {
        'main.jobResent': { target: 'workerComputing', actions: 'recordCreated' },
        'wx.createFailed': { target: 'replyLost', actions: 'recordCreateFailure' },
      },
    },
    replyLost: {
      on: {
        'user.createdWorker': { target: 'creating', actions: ['abandonJob', 'clearError'] },
        'user.terminated': { target: 'terminating', actions: 'abandonJob' },
      },
    },
    postingObject: {
      entry: 'postObject',
      on: { 'worker.received': { target: 'ready', actions: 'recordPosted' } },
    },
    mutating: {
      entry: 'mutateObject',
      on: { 'main.mutated': 'ready' },
    },
    echoing: {
      entry: 'echoCopy',
      on: { 'worker.echoed': { target: 'ready', actions: 'recordEcho' } },
    },
    callingWxInWorker: {
      entry: 'callWxInWorker',
      on: { 'worker.errored': { target: 'ready', actions: 'recordWorkerError' } },
    },
    relay: {
      initial: 'workerAsks',
      states: {
        workerAsks: {
          entry: 'askMainToFetch',
          on: { 'worker.askedFetch': { target: 'mainFetches', actions: 'startRelay' } },
        },
        mainFetches: {
          entry: 'fetchForWorker',
          on: { 'main.fetchedForWorker': 'workerFinishes' },
        },
        workerFinishes: {
          entry: 'finishFetchedJob',
          on: { 'worker.jobDone': { target: '#worker.ready', actions: 'finishRelay' } },
        },
      },
    },
    terminating: {
      entry: 'terminateWorker',
      on: { 'wx.terminated': { target: 'noWorker', actions: 'forgetWorker' } },
    },
  },
});

export type WorkerMachine = typeof workerMachine;
