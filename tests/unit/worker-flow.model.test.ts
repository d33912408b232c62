/**
 * Model-based test of 多线程 Worker: the machine is the model, the simulated
 * WeChat client (`MiniProgramWorkers`) and the chapter's threads are the
 * system under test. Before a world step the test sets, through the reader's
 * own controls, the config, base library, platform and faults under which
 * the world must produce the modelled event, then checks that it does.
 *
 * The chapter's invariants are checked against the world's own records: at
 * most one live worker ever; the worker's copy (and its echo) never shows a
 * change the logic thread made after posting; wx never works in the worker;
 * the frames the render thread lost follow from the job's cost.
 */
import { expect } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import type { WorkerEvent, WorkerMachine } from '../../src/chapters/worker/machine.ts';
import { REQUIRE_OUTSIDE_ERROR, sdkControl, workerSimulation, WX_IN_WORKER_ERROR, type WorkerWorld } from '../../src/chapters/worker/simulation.ts';
import { Simulation, stateToString, STEP_CONTROL_ID } from '../../src/kit/engine/engine.ts';
import { droppedFrames, fib, fibCostMs, type CreateRefusal } from '../../src/world/wechat/worker.ts';
import { choose, describeChapterModel, press, setSwitch, stateWith } from '../support/chapter-model.ts';

type Snapshot = SnapshotFrom<WorkerMachine>;
type Sim = Simulation<WorkerMachine, WorkerWorld>;

const step = (sim: Sim) => press(sim, STEP_CONTROL_ID);

/** The default n: the world's fib events carry it. */
const N = 38;
const FAULTS = ['leading-slash', 'folder-missing', 'require-outside', 'no-wait-download', 'as-subpackage'] as const;

const failed = (reason: CreateRefusal): WorkerEvent => ({ type: 'wx.createFailed', reason });

function worldOutcomes(snapshot: Snapshot): WorkerEvent[] {
  const { context } = snapshot;
  switch (stateToString(snapshot.value)) {
    case 'creating':
      return context.hasWorker
        ? [failed('one-at-a-time')]
        : [
            { type: 'wx.workerCreated' },
            { type: 'wx.workerCreated', error: REQUIRE_OUTSIDE_ERROR },
            { type: 'wx.subpackageDownloadStarted' },
            failed('leading-slash'),
            failed('folder-missing'),
            failed('subpackage-not-downloaded'),
            failed('no-predownload-api'),
          ];
    case 'downloadingSubpackage':
      return [{ type: 'wx.subpackageDownloaded' }];
    case 'computingOnMain':
      return [{ type: 'main.computed', n: N, value: fib(N), blockedMs: fibCostMs(N) }];
    case 'postingJob':
      return [{ type: 'main.jobPosted', jobId: context.nextJobId, n: N }];
    case 'workerComputing': {
      const job = context.job!;
      return [
        { type: 'worker.replied', jobId: job.id, n: job.n, value: fib(job.n) },
        { type: 'system.workerKilled', handled: true },
        { type: 'system.workerKilled', handled: false },
      ];
    }
    case 'recreating':
      return [{ type: 'main.jobResent', jobId: context.job!.id }, failed('folder-missing')];
    case 'postingObject':
      return context.payload === 'map' ? [{ type: 'worker.received', supported: true }, { type: 'worker.received', supported: false }] : [{ type: 'worker.received', supported: true }];
    case 'mutating':
      return [{ type: 'main.mutated' }];
    case 'echoing':
      return [{ type: 'worker.echoed', count: 1 }];
    case 'callingWxInWorker':
      return [{ type: 'worker.errored', message: WX_IN_WORKER_ERROR }];
    case 'relay.workerAsks':
      return [{ type: 'worker.askedFetch', jobId: context.nextJobId }];
    case 'relay.mainFetches':
      return [{ type: 'main.fetchedForWorker' }];
    case 'relay.workerFinishes':
      return [{ type: 'worker.jobDone', jobId: context.relayJob! }];
    case 'terminating':
      return [{ type: 'wx.terminated' }];
    default:
      return [];
  }
}

const serializeState = ({ value, context: c }: Snapshot) => stateWith(value, { worker: c.hasWorker, posted: c.posted, payload: c.payload });

/** Every config fault off, except those named; the worker experimental so a kill can be arranged later. */
async function configure(sim: Sim, on: readonly (typeof FAULTS)[number][] = []) {
  for (const fault of FAULTS) await setSwitch(sim, fault, on.includes(fault));
  await setSwitch(sim, 'experimental', true);
}

async function pickSdk(sim: Sim, version: string) {
  await choose(sim, sdkControl(version));
}

const CREATE_FAILURES: Record<CreateRefusal, (sim: Sim) => Promise<void>> = {
  'one-at-a-time': (sim) => configure(sim),
  'leading-slash': (sim) => configure(sim, ['leading-slash']),
  'folder-missing': (sim) => configure(sim, ['folder-missing']),
  'subpackage-not-downloaded': (sim) => configure(sim, ['as-subpackage', 'no-wait-download']),
  'no-predownload-api': async (sim) => {
    await configure(sim, ['as-subpackage']);
    await pickSdk(sim, '2.20.1');
  },
};

async function produce(sim: Sim, event: WorkerEvent) {
  switch (event.type) {
    case 'wx.workerCreated':
      // After a subpackage download the form stays; the download is what makes creation work.
      await configure(sim, [...(event.error ? (['require-outside'] as const) : []), ...(sim.world.workers.subpackageDownloaded ? (['as-subpackage'] as const) : [])]);
      break;
    case 'wx.subpackageDownloadStarted':
      await configure(sim, ['as-subpackage']);
      await pickSdk(sim, '3.7.0');
      break;
    case 'wx.createFailed':
      await CREATE_FAILURES[event.reason](sim);
      break;
    case 'main.jobResent':
      await configure(sim);
      break;
    case 'worker.replied':
    case 'system.workerKilled': {
      const kill = event.type === 'system.workerKilled';
      await setSwitch(sim, 'ios', kill);
      await setSwitch(sim, 'memory-pressure', kill);
      await setSwitch(sim, 'no-kill-handler', kill && !event.handled);
      // The worker's own effect runs first, then the world delivers its reply or the kill.
      await step(sim);
      break;
    }
    case 'main.computed':
      // The logic thread starts the job, then the world delivers its end when the clock gets there.
      await step(sim);
      break;
    case 'worker.received':
      await pickSdk(sim, event.supported ? '3.7.0' : '2.20.1');
      break;
    default:
      break;
  }
  await step(sim);
}

function invariants(sim: Sim) {
  const { world } = sim;
  const { context } = sim.snapshot;
  // At most one live worker: a createWorker succeeds only when none is alive, and is refused only then.
  for (const attempt of world.workers.attempts) {
    if (attempt.ok) expect(attempt.liveBefore, 'a second worker was created while one was alive').toBe(0);
    if (attempt.reason === 'one-at-a-time') expect(attempt.liveBefore).toBe(1);
  }
  // The worker never sees a change made on the logic thread after posting.
  const copy = world.workerCopy;
  if (copy && copy.count !== null) expect(copy.count, 'the worker’s copy changed with the main thread’s object').toBe(copy.countAtPost);
  if (copy && world.echo) expect(world.echo.count).toBe(copy.count);
  if (copy?.count === null) expect(copy.kind).toBe('map');
  // The page's idea of its worker matches WeChat's whenever the page is at rest.
  if (sim.snapshot.matches('noWorker') || sim.snapshot.matches('ready') || sim.snapshot.matches('replyLost')) {
    expect(context.hasWorker, 'the page and WeChat disagree about the live worker').toBe(world.workers.live !== null);
  }
  // wx never works inside the worker.
  for (const message of sim.frame().messages.filter((m) => m.from === 'worker' && m.label.startsWith('wx.'))) expect(message.tone).toBe('error');
  // The frames the render thread lost follow from the job: all of them on the main thread, none for the worker.
  if (world.frames) {
    expect(world.frames.busyMs).toBe(fibCostMs(world.frames.n));
    expect(world.frames.dropped).toBe(world.frames.where === 'main' ? droppedFrames(world.frames.busyMs) : 0);
  }
}

const created: WorkerEvent[] = [{ type: 'user.createdWorker' }, { type: 'wx.workerCreated' }];
const runInWorker: WorkerEvent[] = [{ type: 'user.ranInWorker' }, { type: 'main.jobPosted', jobId: 1, n: N }];

describeChapterModel<WorkerMachine, WorkerWorld>({
  definition: workerSimulation,
  outcomes: worldOutcomes,
  serializeState,
  produce,
  invariants,
  minPaths: 30,
  scenarios: [
    {
      name: 'post, change obj twice, the worker echoes the old value',
      events: [
        ...created,
        { type: 'user.postedObject', kind: 'plain' },
        { type: 'worker.received', supported: true },
        { type: 'user.mutatedObject' },
        { type: 'main.mutated' },
        { type: 'user.mutatedObject' },
        { type: 'main.mutated' },
        { type: 'user.askedEcho' },
        { type: 'worker.echoed', count: 1 },
      ],
    },
    {
      name: 'create twice, then terminate frees the slot',
      events: [
        ...created,
        { type: 'user.createdWorker' },
        failed('one-at-a-time'),
        { type: 'user.terminated' },
        { type: 'wx.terminated' },
        ...created,
      ],
    },
    {
      name: 'killed mid-job on iOS, recreated and resent by job id',
      events: [...created, ...runInWorker, { type: 'system.workerKilled', handled: true }, { type: 'main.jobResent', jobId: 1 }, { type: 'worker.replied', jobId: 1, n: N, value: fib(N) }],
    },
    {
      name: 'main thread, then the same job in the worker',
      events: [{ type: 'user.ranOnMainThread' }, { type: 'main.computed', n: N, value: fib(N), blockedMs: fibCostMs(N) }, ...created, ...runInWorker, { type: 'worker.replied', jobId: 1, n: N, value: fib(N) }],
    },
    {
      name: 'subpackage: download first, then create',
      events: [{ type: 'user.createdWorker' }, { type: 'wx.subpackageDownloadStarted' }, { type: 'wx.subpackageDownloaded' }, { type: 'wx.workerCreated' }],
    },
  ],
  mustExercise: {
    'a main-thread fib that froze the animation': (sim) => sim.world.frames?.where === 'main' && sim.world.frames.dropped > 0,
    'the same fib in the worker, no frame lost': (sim) => sim.world.frames?.where === 'worker' && sim.world.jobs.some((job) => job.outcome === 'replied'),
    'the worker echoing the value from before a later mutation': (sim) =>
      sim.world.echo !== null && sim.world.workerCopy !== null && sim.world.main.count > sim.world.workerCopy.countAtPost && sim.world.echo.count === sim.world.workerCopy.countAtPost,
    'a Map not guaranteed before 2.20.2': (sim) => sim.world.workerCopy?.kind === 'map' && sim.world.workerCopy.count === null,
    'a Map carried from 2.20.2 on': (sim) => sim.world.workerCopy?.kind === 'map' && sim.world.workerCopy.count !== null,
    'a second createWorker refused while one runs': (sim) => sim.world.workers.attempts.some((a) => a.reason === 'one-at-a-time'),
    'terminate frees the slot for a new worker': (sim) => sim.world.workers.attempts.filter((a) => a.ok).length >= 2 && sim.world.workers.attempts.some((a) => a.reason === 'one-at-a-time'),
    'wx.request failing inside the worker': (sim) => sim.world.wxFailures > 0 && sim.snapshot.context.lastError === WX_IN_WORKER_ERROR,
    'the worker asking the main thread to fetch, answered by job id': (sim) => sim.world.relays.some((relay) => relay.done),
    'an iOS experimental worker reclaimed mid-job, recreated and the job resent by id': (sim) =>
      sim.world.workers.kills > 0 && sim.world.jobs.some((job) => job.workers.length === 2 && job.outcome === 'replied'),
    'a reclaimed worker whose reply never comes (no onProcessKilled)': (sim) => sim.snapshot.matches('replyLost') && sim.world.jobs.some((job) => job.outcome === 'lost'),
    'a scriptPath with a leading slash refused': (sim) => sim.world.workers.attempts.some((a) => a.reason === 'leading-slash'),
    'a package without the workers folder refused': (sim) => sim.world.workers.attempts.some((a) => a.reason === 'folder-missing'),
    'createWorker before the subpackage download refused': (sim) => sim.world.workers.attempts.some((a) => a.reason === 'subpackage-not-downloaded'),
    'no wx.preDownloadSubpackage before 2.27.3': (sim) => sim.world.workers.attempts.some((a) => a.reason === 'no-predownload-api'),
    'createWorker after preDownloadSubpackage succeeding': (sim) => sim.world.workers.subpackageDownloaded && sim.world.workers.attempts.at(-1)?.ok === true,
    'a require outside the worker folder reported by onError': (sim) => sim.snapshot.context.lastError === REQUIRE_OUTSIDE_ERROR && sim.world.workers.live?.broken === true,
  },
});
