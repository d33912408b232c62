/**
 * 多线程 Worker chapter: pages/worker and workers/fib. The fake
 * `wx.createWorker` runs the mini program's own worker file in a Node worker
 * thread, with what WeChat gives a worker and nothing more: a global `worker`
 * (onMessage, postMessage, testOnProcessKilled), no `wx`, and `require` only
 * inside the worker folder. Messages cross by structured clone, so they are
 * copies, as in WeChat; at most one worker may be alive.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker as NodeWorker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { miniprogramRoot, openPage, tap, text, unloadPages, type SimPage } from './harness.ts';
import { requestLog, useCompanion, type Stack } from './stack.ts';
import type { FakeWeChat } from './wechat.ts';

const PAGE = 'pages/worker/worker';
const WORKERS_FOLDER = `${miniprogramRoot}workers/`;
const TYPESCRIPT = createRequire(import.meta.url).resolve('typescript');
/** The message a worker's testOnProcessKilled() sends up its port; the page never sees it. */
const KILL = '__fakeProcessKilled';

/**
 * What runs first in the worker thread: TypeScript compiled as DevTools
 * compiles it (types stripped, CommonJS), WeChat's worker globals, and
 * require fenced into the worker folder.
 */
const BOOT = `
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const ts = require(workerData.typescript);
Module._extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2017 },
  });
  module._compile(outputText, filename);
};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const file = resolve.call(this, request, parent, ...rest);
  if (parent && !file.startsWith(workerData.folder)) throw new Error('worker may only require files in its folder: ' + request);
  return file;
};
globalThis.worker = {
  onMessage(listener) { parentPort.on('message', (message) => listener(message)); },
  postMessage(message) { parentPort.postMessage(message); },
  testOnProcessKilled() { parentPort.postMessage({ ${KILL}: true }); },
};
require(workerData.entry);
`;

type Listener<T> = (value: T) => void;

/** wx.createWorker over Node worker threads; `created` counts the workers started, `live` the one alive. */
function fakeWorkers() {
  const state = { created: 0, live: null as NodeWorker | null, refused: [] as string[] };
  function createWorker(scriptPath: string, options: { useExperimentalWorker?: boolean } = {}) {
    // The docs say both fail; their error text is not documented, so these messages are the fake's own.
    if (state.live) {
      state.refused.push(scriptPath);
      throw new Error('fake createWorker: a worker is already running (one at a time; terminate() it first)');
    }
    // DevTools compiles workers/fib/index.ts to the index.js the page names.
    const entry = `${miniprogramRoot}${scriptPath}`.replace(/\.js$/, '.ts');
    if (scriptPath.startsWith('/') || !entry.startsWith(WORKERS_FOLDER) || !existsSync(entry)) throw new Error(`fake createWorker: no worker script at ${scriptPath}`);
    const thread = new NodeWorker(BOOT, { eval: true, workerData: { entry, folder: WORKERS_FOLDER, typescript: TYPESCRIPT } });
    state.created += 1;
    state.live = thread;
    let dead = false;
    const listeners = { message: [] as Listener<unknown>[], error: [] as Listener<{ error: Error }>[], killed: [] as Listener<void>[] };
    const end = () => {
      dead = true;
      if (state.live === thread) state.live = null;
      void thread.terminate();
    };
    thread.on('message', (message: Record<string, unknown>) => {
      if (dead) return; // a reclaimed or terminated worker's replies never arrive
      if (message?.[KILL]) {
        // testOnProcessKilled simulates the iOS reclaim of an experimental worker
        if (!options.useExperimentalWorker) return;
        end();
        for (const listener of listeners.killed) listener();
        return;
      }
      for (const listener of listeners.message) listener(message);
    });
    thread.on('error', (error) => {
      if (!dead) for (const listener of listeners.error) listener({ error });
    });
    return {
      postMessage: (message: unknown) => void (dead || thread.postMessage(message)),
      onMessage: (listener: Listener<unknown>) => void listeners.message.push(listener),
      onError: (listener: Listener<{ error: Error }>) => void listeners.error.push(listener),
      onProcessKilled: (listener: Listener<void>) => void listeners.killed.push(listener),
      terminate: end,
    };
  }
  return { state, createWorker, stop: () => state.live && void state.live.terminate() };
}

let stack: Stack;
let wechat: FakeWeChat;
let workers: ReturnType<typeof fakeWorkers>;
useCompanion((s, w) => {
  stack = s;
  wechat = w;
  workers = fakeWorkers();
  Object.assign(wechat.wx, { createWorker: workers.createWorker });
});

afterEach(() => {
  unloadPages();
  workers.stop();
});

/** Each worker thread compiles its TypeScript first, which takes a while on a busy machine. */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 20 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const gap = (page: SimPage) => page.data.longestGap as number;

function open(n: number): SimPage {
  const page = openPage(PAGE);
  page.instance.onNChange!({ detail: { value: n } });
  return page;
}

describe('worker page', () => {
  it('fib on the main thread stalls the ball; the same job in the worker does not', async () => {
    const page = open(36);
    await sleep(60);
    tap(page, '#run-main');
    await eventually(() => expect(text(page, '#result')).toContain('主线程：fib(36) = 14930352'));
    const mainMs = Number(/用时 (\d+) ms/.exec(text(page, '#result'))?.[1]);
    await eventually(() => expect(gap(page)).toBeGreaterThanOrEqual(mainMs));
    const mainGap = gap(page);
    expect(mainGap).toBeGreaterThan(40);

    tap(page, '#run-worker');
    await eventually(() => expect(text(page, '#result')).toContain('Worker：fib(36) = 14930352'));
    // The ball kept its 17 ms rhythm while the worker thread computed (with room for a busy machine).
    expect(gap(page)).toBeLessThan(mainGap / 2);
  });

  it('posts a copy: changing obj afterwards does not reach the worker, which echoes the old value', async () => {
    const page = open(30);
    // Taps arrive asynchronously, in order, as in WeChat.
    tap(page, '#post');
    tap(page, '#mutate');
    tap(page, '#mutate');
    await eventually(() => expect(text(page, '#main-count')).toBe('主线程的 obj：count = 3'));
    tap(page, '#echo-button');
    await eventually(() => expect(text(page, '#echo')).toBe('Worker 那份：count = 1'));
  });

  it('refuses a second createWorker before terminate, shows the caught error, and keeps the first worker', async () => {
    const page = open(25);
    tap(page, '#create-twice');
    await eventually(() => expect(text(page, '#create-error')).not.toBe(''));
    expect(text(page, '#create-error')).toContain('createWorker 失败：fake createWorker: a worker is already running');
    expect(workers.state.created).toBe(1);
    expect(workers.state.refused).toEqual(['workers/fib/index.js']);
    tap(page, '#run-worker');
    await eventually(() => expect(text(page, '#result')).toContain('Worker：fib(25) = 75025'));

    tap(page, '#terminate');
    await eventually(() => expect(workers.state.live).toBeNull());
    tap(page, '#create');
    await eventually(() => expect(workers.state.created).toBe(2));
    expect(page.data.hasWorker).toBe(true);
  });

  it('has no wx in the worker: it asks the main thread to fetch and matches the answer by job id', async () => {
    const page = open(25);
    tap(page, '#report-button');
    const digits = [...stack.openid].filter((ch) => ch >= '0' && ch <= '9').reduce((sum, ch) => sum + Number(ch), 0);
    // Logging in first (the page has no token yet), then the fetch, then the worker's answer.
    await eventually(() => expect(text(page, '#report')).toBe(`job 1：openid 的各位数字之和是 ${digits}`));
    expect(requestLog(wechat)).toEqual(['POST /api/login 200', 'GET /api/me 200']);
  });

  it('recreates the worker when it is reclaimed mid-job and resends the job under its id', async () => {
    const page = open(36);
    // The kill is handled first, while the fib job sent right after it is still unanswered.
    tap(page, '#test-kill');
    tap(page, '#run-worker');
    await eventually(() => expect(text(page, '#result')).toContain('Worker：fib(36) = 14930352'));
    expect(page.data.kills).toBe(1);
    expect(workers.state.created).toBe(2);
    expect(text(page, '#worker-state')).toBe('有一个 Worker 在运行（被系统回收 1 次）');
  });

  it('terminates the worker on unload, so the next visit can create one', () => {
    open(25);
    expect(workers.state.live).not.toBeNull();
    unloadPages();
    expect(workers.state.live).toBeNull();
    const again = open(25);
    expect(again.data.hasWorker).toBe(true);
    expect(workers.state.created).toBe(2);
  });
});
