/**
 * The Worker rules of the simulated WeChat client (`world/wechat/worker.ts`),
 * the cost model the simulated clock uses, the phone's frame meter, and the
 * message protocol of the real Web Worker the phone starts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { measureFrames } from '../../src/chapters/worker/frame-meter.ts';
import { REAL_MAX_N, slowFib } from '../../src/chapters/worker/fib.ts';
import {
  droppedFrames,
  fib,
  fibCalls,
  fibCostMs,
  MAX_CONCURRENT_WORKERS,
  MiniProgramWorkers,
  payloadSupported,
  type CreatePlan,
  type WorkerConfig,
} from '../../src/world/wechat/worker.ts';

function workers(config: Partial<WorkerConfig> = {}, settings: Partial<Pick<MiniProgramWorkers, 'sdkVersion' | 'subpackageDownloaded'>> = {}) {
  const w = new MiniProgramWorkers();
  Object.assign(w.config, config);
  Object.assign(w, settings);
  return w;
}

describe('createWorker', () => {
  const cases: [string, MiniProgramWorkers, CreatePlan['kind'], string?][] = [
    ['the folder form, nothing wrong', workers(), 'create'],
    ['a leading slash', workers({ leadingSlash: true }), 'refuse', 'leading-slash'],
    ['no workers folder in the package', workers({ folderMissing: true }), 'refuse', 'folder-missing'],
    ['a subpackage, waiting for the download', workers({ form: 'subpackage' }), 'download'],
    ['a subpackage, not waiting', workers({ form: 'subpackage', waitsForDownload: false }), 'refuse', 'subpackage-not-downloaded'],
    ['a subpackage already downloaded', workers({ form: 'subpackage' }, { subpackageDownloaded: true }), 'create'],
    ['a subpackage below 2.27.3', workers({ form: 'subpackage' }, { sdkVersion: '2.27.2' }), 'refuse', 'no-predownload-api'],
  ];
  it.each(cases)('%s', (_name, w, kind, reason) => {
    const plan = w.plan();
    expect(plan.kind).toBe(kind);
    if (plan.kind === 'refuse') expect(plan.reason).toBe(reason);
  });

  it(`allows ${MAX_CONCURRENT_WORKERS} live worker: the next one only after terminate()`, () => {
    const w = workers();
    expect(w.create()).toMatchObject({ ok: true, worker: { id: 1 } });
    expect(w.create()).toEqual({ ok: false, reason: 'one-at-a-time' });
    w.terminate();
    expect(w.create()).toMatchObject({ ok: true, worker: { id: 2 } });
    expect(w.attempts.map((a) => [a.ok, a.liveBefore])).toEqual([
      [true, 0],
      [false, 1],
      [true, 0],
    ]);
  });

  it('starts a worker whose script requires outside its folder, marked broken', () => {
    const w = workers({ requireOutside: true });
    expect(w.create()).toMatchObject({ ok: true, worker: { broken: true } });
  });

  it('lets only the iOS experimental worker be reclaimed', () => {
    const w = workers();
    w.create();
    w.platform = 'ios';
    expect(w.killable).toBe(false);
    w.terminate();
    w.useExperimentalWorker = true;
    w.create();
    w.platform = 'android';
    expect(w.killable).toBe(false);
    expect(() => w.kill()).toThrow();
    w.platform = 'ios';
    w.kill();
    expect(w.live).toBeNull();
    expect(w.kills).toBe(1);
    expect(w.create().ok).toBe(true);
  });
});

describe('postMessage payloads', () => {
  it.each([
    ['plain', '2.20.1', true],
    ['map', '2.20.1', false],
    ['map', '2.20.2', true],
    ['map', '3.7.0', true],
  ] as const)('%s on %s: %s', (kind, sdk, supported) => expect(payloadSupported(kind, sdk)).toBe(supported));
});

describe('the cost model', () => {
  it.each([
    [0, 0, 1],
    [1, 1, 1],
    [10, 55, 177],
    [25, 75025, 242785],
    [38, 39088169, 126491971],
  ])('fib(%i) = %i in %i calls', (n, value, calls) => {
    expect(fib(n)).toBe(value);
    expect(fibCalls(n)).toBe(calls);
  });

  it('counts the calls the recursive fib really makes', () => {
    let calls = 0;
    const counted = (n: number): number => (calls++, n < 2 ? n : counted(n - 1) + counted(n - 2));
    expect(counted(20)).toBe(fib(20));
    expect(calls).toBe(fibCalls(20));
  });

  it.each([
    [25, 2, 0],
    [32, 56, 3],
    [38, 1012, 60],
  ])('fib(%i) keeps a thread busy %i ms: %i frames of 60 fps lost', (n, ms, frames) => {
    expect(fibCostMs(n)).toBe(ms);
    expect(droppedFrames(ms)).toBe(frames);
  });
});

describe('the frame meter', () => {
  const steady = (from: number, to: number) => Array.from({ length: Math.floor((to - from) / 16.7) + 1 }, (_, i) => from + i * 16.7);

  it('counts the frames drawn during a job that left the thread free', () => {
    expect(measureFrames(steady(0, 500), 100, 400)).toEqual({ drawn: 18, longestMs: 17, dropped: 0 });
  });

  it('measures a blocked thread from the last frame before the job to the first one after it', () => {
    // Frames every 16.7 ms up to 83.5; the job blocks from 90 to 690; the next frame runs at 700.
    const frames = [...steady(0, 100), 700, 716.7, 733.4];
    expect(measureFrames(frames, 90, 690)).toEqual({ drawn: 0, longestMs: 617, dropped: 36 });
  });

  it('counts a frame with the same coarse timestamp as the job\'s start or end as outside it', () => {
    // The ball's frame ran at 90.0, the job read the clock right after it and got 90.0 too; likewise at the end.
    const frames = [...steady(0, 90), 90, 690, 706.7];
    expect(measureFrames(frames, 90, 690)).toEqual({ drawn: 0, longestMs: 600, dropped: 35 });
  });

  it('ignores junk timestamps, and reports nothing for a job with no frames around it', () => {
    expect(measureFrames([Number.NaN, 0, 1000, 2000], 1500, 1600)).toEqual({ drawn: 0, longestMs: 1000, dropped: 59 });
    expect(measureFrames([], 0, 10)).toEqual({ drawn: 0, longestMs: 0, dropped: 0 });
  });
});

describe('the Web Worker protocol', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('answers { id, n } with the same id and fib(n), and bounds n', async () => {
    const replies: unknown[] = [];
    const scope: { onmessage: ((event: { data: unknown }) => void) | null; postMessage(reply: unknown): void } = {
      onmessage: null,
      postMessage: (reply) => void replies.push(reply),
    };
    vi.stubGlobal('self', scope);
    await import('../../src/chapters/worker/fib.worker.ts');
    scope.onmessage!({ data: { id: 7, n: 20 } });
    scope.onmessage!({ data: { id: 8, n: -3 } });
    scope.onmessage!({ data: 'nonsense' });
    expect(replies).toEqual([
      { id: 7, n: 20, value: 6765, ms: expect.any(Number) },
      { id: 8, n: 0, value: 0, ms: expect.any(Number) },
      { id: 0, n: 0, value: 0, ms: expect.any(Number) },
    ]);
    expect(slowFib(20)).toBe(fib(20));
    expect(REAL_MAX_N).toBeLessThanOrEqual(40);
  });
});
