/**
 * 多线程 Worker in the simulated world: what the WeChat client does when a
 * mini program creates a worker, posts to it, and when iOS reclaims the
 * experimental one. Every rule is a constant below with the official page it
 * comes from; where the docs say that something fails but not how (the error
 * text of a second createWorker, of a leading "/"), the world reports the
 * reason and no invented errMsg.
 *
 * The cost of fib(n) is a model: the number of calls the recursive fib makes
 * times SIMULATED_NS_PER_CALL. The chapter's phone measures the real thing in
 * the reader's browser; the simulated clock only has to be deterministic.
 */
import { atLeast } from './base-library.ts';

/** 多线程 Worker guide: config, the 注意事项 list (one worker, no wx, require only inside the folder, only JS files), the subpackage form. */
export const WORKERS_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/workers.html';
/** wx.createWorker: scriptPath is absolute without a leading "/", one worker at a time, useExperimentalWorker. */
export const CREATE_WORKER_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api/worker/wx.createWorker.html';
/** Worker.postMessage: before 2.20.2 only serializable key-value objects, after it any type. */
export const POST_MESSAGE_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api/worker/Worker.postMessage.html';
/** Worker.onProcessKilled: only on the main thread's worker object. */
export const ON_PROCESS_KILLED_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api/worker/Worker.onProcessKilled.html';
/** Worker.testOnProcessKilled: 2.27.1, only inside the worker thread. */
export const TEST_ON_PROCESS_KILLED_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api/worker/Worker.testOnProcessKilled.html';
/** Worker.onError: fires when a script error happens in the worker thread. */
export const ON_ERROR_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api/worker/Worker.onError.html';
/** Worker.terminate: only on the main thread's worker object. */
export const TERMINATE_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api/worker/Worker.terminate.html';
/** wx.preDownloadSubpackage: 2.27.3, `packageType: "workers"`. */
export const PRE_DOWNLOAD_SUBPACKAGE_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api/base/subpackage/wx.preDownloadSubpackage.html';

/** "目前限制最多只能创建一个 Worker，创建下一个 Worker 前请先调用 Worker.terminate" (CREATE_WORKER_DOC). */
export const MAX_CONCURRENT_WORKERS = 1;
/** From this base library postMessage carries any type; before it only serializable key-value objects (POST_MESSAGE_DOC). */
export const ANY_PAYLOAD_SINCE = '2.20.2';
/** `"workers": { "path": …, "isSubpackage": true }` and wx.preDownloadSubpackage (WORKERS_DOC, PRE_DOWNLOAD_SUBPACKAGE_DOC). */
export const WORKER_SUBPACKAGE_SINCE = '2.27.3';
/** wx.createWorker itself (CREATE_WORKER_DOC). */
export const CREATE_WORKER_SINCE = '1.9.90';
/** useExperimentalWorker (CREATE_WORKER_DOC). */
export const EXPERIMENTAL_WORKER_SINCE = '2.13.0';
/** worker.testOnProcessKilled() (TEST_ON_PROCESS_KILLED_DOC). */
export const TEST_ON_PROCESS_KILLED_SINCE = '2.27.1';
/** The worker folder in app.json and the entry file the official demo uses. */
export const WORKERS_FOLDER = 'workers';
export const WORKER_SCRIPT = 'workers/fib/index.js';

/** One frame at 60 frames a second: the budget the render thread has. */
export const FRAME_BUDGET_MS = 1000 / 60;
/**
 * A simulation choice, not a WeChat figure: what one call of the recursive
 * fib costs on the simulated phone. Only the ratio between n values matters.
 */
export const SIMULATED_NS_PER_CALL = 8;
/** How long the simulated worker subpackage takes to download (a simulation choice). */
export const SUBPACKAGE_DOWNLOAD_MS = 300;
/** The n a reader can pick; the official demo caps its input at 40. */
export const FIB_PRESETS = [25, 32, 38] as const;
/** The base libraries a reader can pick: both sides of 2.20.2, and a current one past 2.27.3. */
export const SDK_PRESETS = ['2.20.1', '2.20.2', '3.7.0'] as const;

/** fib(n), iteratively: the world needs the answer, not the work. */
export function fib(n: number): number {
  let [a, b] = [0, 1];
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

/** How many calls `fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)` makes: 2·fib(n+1) − 1. */
export const fibCalls = (n: number) => 2 * fib(n + 1) - 1;

/** Simulated milliseconds the recursive fib(n) keeps its thread busy (at least 1). */
export const fibCostMs = (n: number) => Math.max(1, Math.round((fibCalls(n) * SIMULATED_NS_PER_CALL) / 1e6));

/** Frames the render thread could not draw while the logic thread was blocked for `blockedMs`. */
export const droppedFrames = (blockedMs: number) => Math.floor(blockedMs / FRAME_BUDGET_MS);

/** What the page posts: a plain key-value object, or one holding a Map (not a key-value object). */
export type PayloadKind = 'plain' | 'map';

/** Whether postMessage is documented to carry this payload on this base library. */
export const payloadSupported = (kind: PayloadKind, sdkVersion: string) => kind === 'plain' || atLeast(sdkVersion, ANY_PAYLOAD_SINCE);

/** How the worker folder is declared in app.json, or lost on the way into the package. */
export type WorkerConfigForm = 'folder' | 'subpackage';

export interface WorkerConfig {
  form: WorkerConfigForm;
  /** The build tool dropped the folder, or app.json lacks `workers`: the entry file is not in the package. */
  folderMissing: boolean;
  /** The page passes `/workers/fib/index.js`. */
  leadingSlash: boolean;
  /** The worker requires a file outside its folder. */
  requireOutside: boolean;
  /** The page calls createWorker only in preDownloadSubpackage's success callback. */
  waitsForDownload: boolean;
}

export type CreateRefusal = 'one-at-a-time' | 'leading-slash' | 'folder-missing' | 'subpackage-not-downloaded' | 'no-predownload-api';

export type CreatePlan =
  | { kind: 'create'; workerId: number; scriptFails: boolean }
  | { kind: 'download' }
  | { kind: 'refuse'; reason: CreateRefusal };

/** Why createWorker failed, in the reader's words: the docs say that it fails, not with which errMsg. */
export const REFUSAL_TEXT: Record<CreateRefusal, string> = {
  'one-at-a-time': `已经有一个 Worker 在运行：最多 ${MAX_CONCURRENT_WORKERS} 个，先 terminate() 再创建`,
  'leading-slash': 'scriptPath 是以 / 开头的路径：文档要求写成不以 / 开头的绝对路径',
  'folder-missing': '包里没有 workers 目录：app.json 没配 "workers"，或构建工具没把这个目录带上',
  'subpackage-not-downloaded': 'Worker 分包还没下载完就调用了 createWorker（文档原话：将报错）',
  'no-predownload-api': `这个基础库没有 wx.preDownloadSubpackage（${WORKER_SUBPACKAGE_SINCE} 起才有），调用它本身就抛出 TypeError`,
};

export interface LiveWorker {
  id: number;
  experimental: boolean;
  /** The entry script threw while loading (require outside the folder): onMessage was never registered. */
  broken: boolean;
}

/**
 * The WeChat client's side of one mini program's workers: the config the
 * package was built with, the base library, the platform, the one live worker.
 */
export class MiniProgramWorkers {
  config: WorkerConfig = { form: 'folder', folderMissing: false, leadingSlash: false, requireOutside: false, waitsForDownload: true };
  sdkVersion: string = SDK_PRESETS.at(-1)!;
  platform: 'ios' | 'android' = 'android';
  useExperimentalWorker = false;
  subpackageDownloaded = false;
  live: LiveWorker | null = null;
  /** Every createWorker call and what came of it, for the invariants and the reader. */
  readonly attempts: { ok: boolean; reason?: CreateRefusal; liveBefore: number }[] = [];
  /** Workers iOS reclaimed. */
  kills = 0;
  #nextId = 1;

  /** What createWorker does now; `create` and `refuse` are final, `download` starts preDownloadSubpackage first. */
  plan(): CreatePlan {
    const { config } = this;
    if (config.form === 'subpackage' && config.waitsForDownload && !this.subpackageDownloaded) {
      return atLeast(this.sdkVersion, WORKER_SUBPACKAGE_SINCE) ? { kind: 'download' } : { kind: 'refuse', reason: 'no-predownload-api' };
    }
    const reason = this.#refusal();
    if (reason) return { kind: 'refuse', reason };
    return { kind: 'create', workerId: this.#nextId, scriptFails: config.requireOutside };
  }

  #refusal(): CreateRefusal | null {
    if (this.live) return 'one-at-a-time';
    if (this.config.leadingSlash) return 'leading-slash';
    if (this.config.folderMissing) return 'folder-missing';
    if (this.config.form === 'subpackage' && !this.subpackageDownloaded) return 'subpackage-not-downloaded';
    return null;
  }

  /** Carries out createWorker: a new live worker, or the reason it failed. */
  create(): { ok: true; worker: LiveWorker } | { ok: false; reason: CreateRefusal } {
    const plan = this.plan();
    const liveBefore = this.live ? 1 : 0;
    if (plan.kind === 'download') throw new Error('createWorker waits for the subpackage: download it first');
    if (plan.kind === 'refuse') {
      this.attempts.push({ ok: false, reason: plan.reason, liveBefore });
      return { ok: false, reason: plan.reason };
    }
    this.#nextId += 1;
    this.live = { id: plan.workerId, experimental: this.useExperimentalWorker, broken: plan.scriptFails };
    this.attempts.push({ ok: true, liveBefore });
    return { ok: true, worker: this.live };
  }

  terminate(): void {
    this.live = null;
  }

  /** Whether iOS may reclaim the live worker: only the experimental worker on iOS is documented to be. */
  get killable(): boolean {
    return this.live !== null && this.live.experimental && this.platform === 'ios';
  }

  kill(): void {
    if (!this.killable) throw new Error('only the iOS experimental worker is reclaimed');
    this.live = null;
    this.kills += 1;
  }
}

/** A simulated heap address, deterministic so replays and views agree. */
export const addressOf = (slot: number) => `0x${(0x7f3a00 + slot * 0x40).toString(16)}`;
