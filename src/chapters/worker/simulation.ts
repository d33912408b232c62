/**
 * The 多线程 Worker simulator: the worker machine bound to a simulated
 * mini program whose logic thread, worker thread, view layer and system are
 * four lanes on a millisecond clock. The WeChat client's rules are
 * `world/wechat/worker.ts`; what each thread holds in memory lives here,
 * because it is the chapter's own demonstration (two boxes, two addresses).
 */
import type { SnapshotFrom } from 'xstate';
import { groupDigits } from '../../kit/shell/format.ts';
import { VirtualClock } from '../../world/support/clock.ts';
import { atLeast } from '../../world/wechat/base-library.ts';
import { silentWire, type Recorder } from '../../world/support/wire.ts';
import {
  addressOf,
  ANY_PAYLOAD_SINCE,
  CREATE_WORKER_DOC,
  CREATE_WORKER_SINCE,
  droppedFrames,
  EXPERIMENTAL_WORKER_SINCE,
  fib,
  fibCalls,
  fibCostMs,
  FIB_PRESETS,
  FRAME_BUDGET_MS,
  MAX_CONCURRENT_WORKERS,
  MiniProgramWorkers,
  ON_ERROR_DOC,
  ON_PROCESS_KILLED_DOC,
  payloadSupported,
  POST_MESSAGE_DOC,
  PRE_DOWNLOAD_SUBPACKAGE_DOC,
  REFUSAL_TEXT,
  SDK_PRESETS,
  SIMULATED_NS_PER_CALL,
  SUBPACKAGE_DOWNLOAD_MS,
  TERMINATE_DOC,
  TEST_ON_PROCESS_KILLED_DOC,
  TEST_ON_PROCESS_KILLED_SINCE,
  WORKER_SCRIPT,
  WORKER_SUBPACKAGE_SINCE,
  WORKERS_DOC,
  WORKERS_FOLDER,
  type CreateRefusal,
  type PayloadKind,
} from '../../world/wechat/worker.ts';
import { workerMachine, type WorkerEffect, type WorkerEvent, type WorkerMachine } from './machine.ts';
import { choiceControl, codeChoice, effectBuilder, stateMeta, toggleControl, userControl } from '../../kit/engine/controls.ts';
import { defineSimulation, type Control, type EffectSpec, type Finding, type HolderRow, type WorldControl, type WorldView } from '../../kit/engine/definition.ts';
import { MINIPROGRAM } from '../shared/code-files.ts';
import { USER_PHONE } from '../shared/lanes.ts';

/** What the worker's onError reports when its code touches wx: the docs say wx is unavailable, not with which message. */
export const WX_IN_WORKER_ERROR = 'Worker 里没有 wx：wx.request 调不了（具体报错文字文档没写）';
/** What the worker's onError reports when its entry script requires a file outside the worker folder. */
export const REQUIRE_OUTSIDE_ERROR = "require('../../utils/format') 失败：Worker 只能 require 自己目录里的文件";
/** The path the worker asks the logic thread to fetch for it, and the user it answers with. */
export const RELAY_PATH = '/api/me';
const RELAY_OPENID = 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M';

/** What the companion's worker computes from the fetched openid: the sum of its digits. */
const digitSum = (text: string) => [...text].filter((ch) => ch >= '0' && ch <= '9').reduce((sum, ch) => sum + Number(ch), 0);

/** One object in one thread's memory, at its own address. */
export interface HeapObject {
  address: string;
  /** null: the copy of a payload the docs do not guarantee (a Map before 2.20.2). */
  count: number | null;
}

export interface JobRecord {
  id: number;
  n: number;
  /** The worker instances it was sent to, in order (a resend after a kill goes to a new one). */
  workers: number[];
  outcome: 'pending' | 'replied' | 'lost' | 'abandoned';
}

export interface WorkerWorld {
  clock: VirtualClock;
  wire: Recorder;
  workers: MiniProgramWorkers;
  /** The n the reader picked for fib(n). */
  n: number;
  /** The page's code listens to onProcessKilled, recreates the worker and resends by job id. */
  handlesKill: boolean;
  /** Armed: iOS reclaims the experimental worker halfway through its next job. */
  memoryPressure: boolean;
  /** `obj` on the logic thread. */
  main: HeapObject & { count: number };
  /** The worker's copy of the last `obj` posted, and what `obj.count` was at that moment. */
  workerCopy: (HeapObject & { countAtPost: number; kind: PayloadKind }) | null;
  /** The copy the worker sent back. */
  echo: HeapObject | null;
  /** The render thread's last measurement: how many frames went without a new picture from the logic thread. */
  frames: { where: 'main' | 'worker'; n: number; busyMs: number; dropped: number } | null;
  jobs: JobRecord[];
  wxFailures: number;
  relays: { jobId: number; done: boolean }[];
  /** How many addresses were handed out: each copy gets a fresh one. */
  slots: number;
}

export function createWorkerWorld(): WorkerWorld {
  return {
    clock: new VirtualClock(),
    wire: silentWire,
    workers: new MiniProgramWorkers(),
    n: FIB_PRESETS.at(-1)!,
    handlesKill: true,
    memoryPressure: false,
    main: { address: addressOf(0), count: 1 },
    workerCopy: null,
    echo: null,
    frames: null,
    jobs: [],
    wxFailures: 0,
    relays: [],
    slots: 1,
  };
}

type Snapshot = SnapshotFrom<WorkerMachine>;

const newAddress = (world: WorkerWorld) => addressOf(world.slots++);
const scriptPath = (world: WorkerWorld) => (world.workers.config.leadingSlash ? `/${WORKER_SCRIPT}` : WORKER_SCRIPT);
const createCall = (world: WorkerWorld) =>
  `wx.createWorker('${scriptPath(world)}'${world.workers.useExperimentalWorker ? ', { useExperimentalWorker: true }' : ''})`;
const ms = (value: number) => `${groupDigits(value)} ms`;
const payloadOf = (kind: PayloadKind, count: number) => (kind === 'map' ? { count, seen: 'Map(1) { "fib" => 38 }' } : { count });

/** createWorker as the page calls it: possibly after preDownloadSubpackage, possibly refused. */
function createWorker(world: WorkerWorld, schedule: Parameters<EffectSpec<WorkerWorld, WorkerMachine>['run']>[0]['schedule']): WorkerEvent {
  const plan = world.workers.plan();
  if (plan.kind === 'download') {
    world.wire.record({
      from: 'main',
      to: 'system',
      label: "wx.preDownloadSubpackage({ packageType: 'workers' })",
      note: 'Worker 配成了分包：先下载，在 success 回调里再 createWorker',
    });
    schedule({
      after: SUBPACKAGE_DOWNLOAD_MS,
      lane: 'system',
      label: 'Worker 分包下载完成',
      run: ({ world: w, record }) => {
        w.workers.subpackageDownloaded = true;
        record({ from: 'system', to: 'main', label: 'preDownloadSubpackage success', note: '现在可以 createWorker 了' });
        return { type: 'wx.subpackageDownloaded' };
      },
    });
    return { type: 'wx.subpackageDownloadStarted' };
  }
  if (plan.kind === 'refuse' && plan.reason === 'no-predownload-api') {
    world.workers.create();
    world.wire.record({ from: 'main', to: 'main', label: 'wx.preDownloadSubpackage(…)', tone: 'error', note: REFUSAL_TEXT[plan.reason] });
    return { type: 'wx.createFailed', reason: plan.reason };
  }
  world.wire.record({ from: 'main', to: 'system', label: createCall(world) });
  const result = world.workers.create();
  if (!result.ok) {
    // How the failure reaches the code (a throw, or something else) is not documented; the label says only that it failed.
    world.wire.record({ from: 'system', to: 'main', label: 'createWorker 失败', tone: 'error', note: REFUSAL_TEXT[result.reason] });
    return { type: 'wx.createFailed', reason: result.reason };
  }
  world.wire.record({
    from: 'system',
    to: 'worker',
    label: `启动 Worker 线程 #${result.worker.id}，运行 ${WORKER_SCRIPT}`,
    note: result.worker.experimental ? '实验 Worker：iOS 上运行更快，但系统资源紧张时可能被回收' : '独立的全局上下文和线程：没有页面，没有 wx',
  });
  if (result.worker.broken) {
    world.wire.record({ from: 'worker', to: 'main', label: 'worker.onError', payload: { error: REQUIRE_OUTSIDE_ERROR }, tone: 'error', note: '入口脚本加载时就抛错：onMessage 没注册上' });
    return { type: 'wx.workerCreated', error: REQUIRE_OUTSIDE_ERROR };
  }
  return { type: 'wx.workerCreated' };
}

const effect = effectBuilder<WorkerWorld, WorkerMachine>();

const effects: Record<WorkerEffect, EffectSpec<WorkerWorld, WorkerMachine>> = {
  createWorker: effect('main', '逻辑层调用 wx.createWorker', async (world, _snapshot, { schedule }) => createWorker(world, schedule)),

  computeOnMainThread: effect('main', '逻辑层自己算 fib(n)', async (world, _snapshot, { schedule }) => {
    const n = world.n;
    const busy = fibCostMs(n);
    world.wire.record({
      from: 'main',
      to: 'main',
      label: `fib(${n})：同步递归 ${groupDigits(fibCalls(n))} 次调用`,
      tone: busy > FRAME_BUDGET_MS ? 'error' : 'normal',
      note: `逻辑层被占住约 ${ms(busy)}（按每次调用 ${SIMULATED_NS_PER_CALL} ns 估算）：每 17 ms 一次的小球重绘、setData、点击回调都在排队`,
    });
    schedule({
      after: busy,
      lane: 'main',
      label: `主线程算完 fib(${n})`,
      run: ({ world: w, record }) => {
        const dropped = droppedFrames(busy);
        w.frames = { where: 'main', n, busyMs: busy, dropped };
        record({
          from: 'main',
          to: 'render',
          label: `setData：小球终于动了（fib(${n}) = ${fib(n)}）`,
          tone: dropped > 0 ? 'error' : 'normal',
          note: dropped > 0 ? `这期间视图层有 ${dropped} 帧没收到新画面，最长一帧 ${ms(busy)}` : '没超过一帧的预算，看不出卡顿',
        });
        return { type: 'main.computed', n, value: fib(n), blockedMs: busy };
      },
    });
  }),

  postJob: effect('main', '逻辑层把任务发给 Worker', async (world, snapshot) => {
    const jobId = snapshot.context.nextJobId;
    const n = world.n;
    world.jobs.push({ id: jobId, n, workers: [world.workers.live?.id ?? 0], outcome: 'pending' });
    world.wire.record({ from: 'main', to: 'worker', label: 'worker.postMessage', payload: { type: 'fib', jobId, n }, note: 'postMessage 立即返回，逻辑层接着处理别的事' });
    return { type: 'main.jobPosted', jobId, n };
  }),

  computeInWorker: effect('worker', 'Worker 线程算 fib(n)', async (world, snapshot, { schedule }) => {
    const job = snapshot.context.job;
    const record = world.jobs.find((j) => j.id === job?.id);
    const live = world.workers.live;
    if (!job || !record || !live) throw new Error('computeInWorker needs a job and a live worker');
    if (live.broken) {
      world.wire.record({
        from: 'worker',
        to: 'worker',
        label: '消息没人接',
        tone: 'error',
        note: '入口脚本加载时就出错了，worker.onMessage 从没注册：这条任务不会有回复',
      });
      return;
    }
    const busy = fibCostMs(job.n);
    world.wire.record({
      from: 'worker',
      to: 'worker',
      label: `fib(${job.n})：Worker 线程忙 ${ms(busy)}`,
      note: '逻辑层空着：小球照常每帧更新',
    });
    if (world.memoryPressure && world.workers.killable) {
      schedule({
        after: Math.max(1, Math.floor(busy / 2)),
        lane: 'system',
        label: 'iOS 回收实验 Worker',
        run: ({ world: w, record: note }) => {
          if (w.workers.live?.id !== live.id) {
            note({ from: 'system', to: 'system', label: `job ${job.id} 随 Worker 一起结束`, note: 'terminate() 在系统回收之前就结束了它' });
            return;
          }
          w.memoryPressure = false;
          w.workers.kill();
          record.outcome = w.handlesKill ? 'pending' : 'lost';
          note({ from: 'system', to: 'worker', label: '系统资源紧张：回收实验 Worker', tone: 'error', note: `job ${job.id} 算到一半，连同线程一起没了` });
          if (w.handlesKill) {
            note({ from: 'system', to: 'main', label: 'worker.onProcessKilled', note: '主线程的监听函数收到通知' });
          } else {
            note({ from: 'system', to: 'main', label: '（没有监听 onProcessKilled）', tone: 'error', note: '页面不知道 Worker 没了，还在等回复' });
          }
          return { type: 'system.workerKilled', handled: w.handlesKill };
        },
      });
      return;
    }
    schedule({
      after: busy,
      lane: 'worker',
      label: `Worker 回复 job ${job.id}`,
      run: ({ world: w, record: note }) => {
        // Terminated while computing: the job ended with its thread.
        if (w.workers.live?.id !== live.id) {
          note({ from: 'system', to: 'system', label: `job ${job.id} 随 Worker 一起结束`, note: 'terminate() 之后不会再有回复' });
          return;
        }
        record.outcome = 'replied';
        w.frames = { where: 'worker', n: job.n, busyMs: busy, dropped: 0 };
        note({ from: 'worker', to: 'main', label: 'worker.postMessage', payload: { type: 'fib', jobId: job.id, result: fib(job.n) }, note: '按 jobId 找到对应的任务' });
        note({ from: 'main', to: 'render', label: 'setData：显示结果', note: '整个计算期间，视图层一帧没少' });
        return { type: 'worker.replied', jobId: job.id, n: job.n, value: fib(job.n) };
      },
    });
  }),

  recreateAndResend: effect('main', 'onProcessKilled：重建 Worker，按 jobId 重发', async (world, snapshot, { schedule }) => {
    const job = snapshot.context.job;
    const record = world.jobs.find((j) => j.id === job?.id);
    if (!job || !record) throw new Error('recreateAndResend needs the job in flight');
    const created = createWorker(world, schedule);
    if (created.type !== 'wx.workerCreated') {
      record.outcome = 'lost';
      return created;
    }
    record.workers.push(world.workers.live!.id);
    world.wire.record({
      from: 'main',
      to: 'worker',
      label: 'worker.postMessage',
      payload: { type: 'fib', jobId: job.id, n: job.n },
      note: '还没收到回复的任务按原来的 jobId 重发',
    });
    return { type: 'main.jobResent', jobId: job.id };
  }),

  postObject: effect('main', '逻辑层 postMessage(obj)', async (world, snapshot) => {
    const kind = snapshot.context.payload;
    const supported = payloadSupported(kind, world.workers.sdkVersion);
    const copy = { address: newAddress(world), count: supported ? world.main.count : null, countAtPost: world.main.count, kind };
    world.workerCopy = copy;
    world.echo = null;
    world.wire.record({
      from: 'main',
      to: 'worker',
      label: 'worker.postMessage(obj)',
      payload: payloadOf(kind, world.main.count),
      tone: supported ? 'normal' : 'error',
      note: supported
        ? `复制，不是共享：主线程的 obj 在 ${world.main.address}，Worker 收到的副本在 ${copy.address}`
        : `基础库 ${world.workers.sdkVersion} 的 postMessage 只支持可序列化的 key-value 对象；Map 到了 Worker 会变成什么，文档没写`,
    });
    return { type: 'worker.received', supported };
  }),

  mutateObject: effect('main', '逻辑层修改 obj.count', async (world) => {
    world.main.count += 1;
    world.wire.record({
      from: 'main',
      to: 'main',
      label: `obj.count++ → ${world.main.count}`,
      note: world.workerCopy ? `改的是 ${world.main.address}；Worker 的副本在 ${world.workerCopy.address}，不受影响` : undefined,
    });
    return { type: 'main.mutated' };
  }),

  echoCopy: effect('worker', 'Worker 把它的副本发回来', async (world) => {
    const copy = world.workerCopy;
    if (!copy) throw new Error('echoCopy needs a posted object');
    world.echo = { address: newAddress(world), count: copy.count };
    world.wire.record({
      from: 'worker',
      to: 'main',
      label: 'worker.postMessage(副本)',
      payload: copy.count === null ? { count: '（文档没保证）' } : { count: copy.count },
      note: `回来的又是一份新副本，在 ${world.echo.address}`,
    });
    return { type: 'worker.echoed', count: copy.count };
  }),

  callWxInWorker: effect('worker', 'Worker 里调用 wx.request', async (world) => {
    world.wxFailures += 1;
    world.wire.record({
      from: 'worker',
      to: 'worker',
      label: `wx.request({ url: '${RELAY_PATH}' })`,
      tone: 'error',
      note: '官方：Worker 内不支持 wx 系列的 API',
    });
    world.wire.record({ from: 'worker', to: 'main', label: 'worker.onError', payload: { error: WX_IN_WORKER_ERROR }, tone: 'error' });
    return { type: 'worker.errored', message: WX_IN_WORKER_ERROR };
  }),

  askMainToFetch: effect('worker', 'Worker 请逻辑层代发请求', async (world, snapshot) => {
    const jobId = snapshot.context.nextJobId;
    world.relays.push({ jobId, done: false });
    world.wire.record({ from: 'main', to: 'worker', label: 'worker.postMessage', payload: { type: 'report', jobId } });
    world.wire.record({
      from: 'worker',
      to: 'main',
      label: 'worker.postMessage',
      payload: { type: 'fetch', jobId, path: RELAY_PATH },
      note: 'Worker 没有 wx：把要请求的东西连同 jobId 交给逻辑层',
    });
    return { type: 'worker.askedFetch', jobId };
  }),

  fetchForWorker: effect('main', '逻辑层 wx.request，再把结果发给 Worker', async (world, snapshot) => {
    const jobId = snapshot.context.relayJob;
    world.wire.record({ from: 'main', to: 'system', label: `wx.request GET ${RELAY_PATH}`, note: '网络请求只能在逻辑层发' });
    world.wire.record({ from: 'system', to: 'main', label: '200', payload: { openid: RELAY_OPENID } });
    world.wire.record({ from: 'main', to: 'worker', label: 'worker.postMessage', payload: { type: 'fetched', jobId, data: { openid: RELAY_OPENID } } });
    return { type: 'main.fetchedForWorker' };
  }),

  finishFetchedJob: effect('worker', 'Worker 用拿到的数据完成任务', async (world, snapshot) => {
    const jobId = snapshot.context.relayJob;
    const relay = world.relays.find((r) => r.jobId === jobId);
    if (jobId === null || !relay) throw new Error('finishFetchedJob needs the relayed job');
    relay.done = true;
    const text = `openid 的各位数字之和是 ${digitSum(RELAY_OPENID)}`;
    world.wire.record({ from: 'worker', to: 'main', label: 'worker.postMessage', payload: { type: 'report', jobId, text }, note: 'jobId 对上了：逻辑层知道这是哪个任务的结果' });
    return { type: 'worker.jobDone', jobId };
  }),

  terminateWorker: effect('main', '逻辑层调用 worker.terminate()', async (world) => {
    const live = world.workers.live;
    for (const job of world.jobs) if (job.outcome === 'pending') job.outcome = 'abandoned';
    world.workers.terminate();
    world.workerCopy = null;
    world.echo = null;
    world.wire.record({
      from: 'main',
      to: 'system',
      label: 'worker.terminate()',
      note: live ? `Worker #${live.id} 结束，它的内存一起释放；现在可以再 createWorker` : 'Worker 已经不在了；页面照样调用一次，保证不留下实例',
    });
    return { type: 'wx.terminated' };
  }),
};

const user = userControl<WorkerEvent>;
const code = codeChoice<WorkerEvent>;

/** Control id of a base-library preset: `sdk-2-20-2`. */
export const sdkControl = (version: string) => `sdk-${version.replace(/\./g, '-')}`;
/** Control id of an n preset: `n-38`. */
export const fibControl = (n: number) => `n-${n}`;

const choice = choiceControl<WorkerWorld>;

function codeToggle(id: string, label: string, hint: string, isOn: (world: WorkerWorld) => boolean, set: (world: WorkerWorld, on: boolean) => void): WorldControl<WorkerWorld> {
  return { ...toggleControl<WorkerWorld>(id, label, hint, isOn, set), actor: 'code' };
}

export const workerControls: readonly Control<WorkerWorld, WorkerEvent>[] = [
  code('create', 'wx.createWorker', { type: 'user.createdWorker' }, `页面 onLoad 里创建 Worker（基础库 ${CREATE_WORKER_SINCE} 起）；已有一个时再调用会失败：同一时间只能有一个 Worker`),
  user('run-main', '在主线程算 fib(n)', { type: 'user.ranOnMainThread' }, '逻辑层同步计算：算完之前小球不会动'),
  user('run-worker', '交给 Worker 算 fib(n)', { type: 'user.ranInWorker' }, 'postMessage 把任务交出去，逻辑层继续更新小球的位置'),
  user('post-plain', 'postMessage(obj)', { type: 'user.postedObject', kind: 'plain' }, '把 { count } 发给 Worker：对方收到的是副本'),
  user('post-map', 'postMessage(带 Map 的对象)', { type: 'user.postedObject', kind: 'map' }, `${ANY_PAYLOAD_SINCE} 之前只支持可序列化的 key-value 对象`),
  user('mutate', '发送后修改 obj.count++', { type: 'user.mutatedObject' }, '改主线程的 obj，看 Worker 的副本变不变'),
  user('echo', '让 Worker 回显它的副本', { type: 'user.askedEcho' }, 'Worker 把自己收到的那份发回来'),
  user('terminate', 'worker.terminate()', { type: 'user.terminated' }, '结束 Worker；页面 onUnload 时也要调用'),
  code('wx-in-worker', '错误写法：Worker 里调 wx.request', { type: 'user.calledWxInWorker' }, 'Worker 内不支持 wx 系列的 API'),
  code('relay', 'Worker 请逻辑层代发请求（jobId）', { type: 'user.relayedFetch' }, '正确写法：Worker 发 { type: "fetch", jobId }，逻辑层请求后按 jobId 发回'),
  ...FIB_PRESETS.map((n) =>
    choice(fibControl(n), `n = ${n}`, `fib(${n}) 递归约 ${groupDigits(fibCalls(n))} 次调用`, (world) => void (world.n = n), (world) => world.n === n, 'user'),
  ),
  ...SDK_PRESETS.map((version) =>
    choice(
      sdkControl(version),
      `基础库 ${version}`,
      `把手机上的基础库换成 ${version}`,
      (world) => void (world.workers.sdkVersion = version),
      (world) => world.workers.sdkVersion === version,
      'world',
    ),
  ),
  toggleControl<WorkerWorld>('ios', 'iOS 手机', '切换平台：只有 iOS 上的实验 Worker 会被系统回收', (w) => w.workers.platform === 'ios', (w, on) => {
    w.workers.platform = on ? 'ios' : 'android';
  }),
  toggleControl<WorkerWorld>(
    'memory-pressure',
    'iOS 内存紧张',
    '下一次 Worker 计算到一半时，系统回收实验 Worker',
    (w) => w.memoryPressure,
    (w, on) => void (w.memoryPressure = on),
  ),
  codeToggle('experimental', 'useExperimentalWorker: true', `下一次 createWorker 创建实验 Worker（基础库 ${EXPERIMENTAL_WORKER_SINCE} 起；iOS 上更快，可能被回收）`, (w) => w.workers.useExperimentalWorker, (w, on) => {
    w.workers.useExperimentalWorker = on;
  }),
  codeToggle('no-kill-handler', '错误写法：不监听 onProcessKilled', '被回收后没人重建 Worker、重发任务', (w) => !w.handlesKill, (w, on) => void (w.handlesKill = !on)),
  codeToggle('as-subpackage', 'workers 配成分包', `"workers": { "path": "workers", "isSubpackage": true }（基础库 ${WORKER_SUBPACKAGE_SINCE} 起）`, (w) => w.workers.config.form === 'subpackage', (w, on) => {
    w.workers.config.form = on ? 'subpackage' : 'folder';
  }),
  codeToggle('no-wait-download', '错误写法：不等分包下载完就 createWorker', '没有先调 wx.preDownloadSubpackage', (w) => !w.workers.config.waitsForDownload, (w, on) => {
    w.workers.config.waitsForDownload = !on;
  }),
  codeToggle('leading-slash', "错误写法：路径写成 '/workers/…'", 'scriptPath 不能以 / 开头', (w) => w.workers.config.leadingSlash, (w, on) => {
    w.workers.config.leadingSlash = on;
  }),
  codeToggle('folder-missing', '构建工具没带上 workers 目录', '或者 app.json 里漏了 "workers"：包里找不到入口文件', (w) => w.workers.config.folderMissing, (w, on) => {
    w.workers.config.folderMissing = on;
  }),
  codeToggle('require-outside', "错误写法：Worker 里 require('../../utils/…')", 'Worker 只能 require 自己目录里的文件', (w) => w.workers.config.requireOutside, (w, on) => {
    w.workers.config.requireOutside = on;
  }),
];

const PAGE_TS = `${MINIPROGRAM}/pages/worker/worker.ts`;
const PAGE_WXML = `${MINIPROGRAM}/pages/worker/worker.wxml`;
const WORKER_JS = `${MINIPROGRAM}/workers/fib/index.ts`;
const APP_JSON = `${MINIPROGRAM}/app.json`;

const states = {
  noWorker: stateMeta(PAGE_TS, 'create-worker'),
  creating: stateMeta(PAGE_TS, 'create-worker', '创建 Worker…'),
  downloadingSubpackage: stateMeta(APP_JSON, 'workers', '下载 Worker 分包…'),
  computingOnMain: stateMeta(PAGE_TS, 'run-main', '主线程计算中…'),
  ready: stateMeta(WORKER_JS, 'dispatch'),
  postingJob: stateMeta(PAGE_TS, 'run-worker', '交给 Worker…'),
  workerComputing: stateMeta(WORKER_JS, 'fib', 'Worker 计算中…'),
  recreating: stateMeta(PAGE_TS, 'on-process-killed', '重建 Worker…'),
  replyLost: stateMeta(PAGE_TS, 'on-process-killed', '等待 Worker 回复…'),
  postingObject: stateMeta(PAGE_TS, 'copy-not-share', '发送中…'),
  mutating: stateMeta(PAGE_TS, 'copy-not-share'),
  echoing: stateMeta(WORKER_JS, 'dispatch', '等待回显…'),
  callingWxInWorker: stateMeta(WORKER_JS, 'ask-main', 'Worker 请求中…'),
  'relay.workerAsks': stateMeta(WORKER_JS, 'ask-main', '生成报告…'),
  'relay.mainFetches': stateMeta(PAGE_TS, 'relay-fetch', '生成报告…'),
  'relay.workerFinishes': stateMeta(WORKER_JS, 'finish-fetched', '生成报告…'),
  terminating: stateMeta(PAGE_TS, 'terminate'),
};

const codeFiles = [PAGE_TS, WORKER_JS, PAGE_WXML, APP_JSON] as const;

function configText(world: WorkerWorld): string {
  const { config } = world.workers;
  if (config.folderMissing) return '（包里没有 workers 目录）';
  return config.form === 'subpackage' ? `{ "path": "${WORKERS_FOLDER}", "isSubpackage": true }` : `"${WORKERS_FOLDER}"`;
}

const countText = (count: number | null) => (count === null ? '（文档没保证是什么）' : `{ count: ${count} }`);

/** Why the last createWorker failed, for the findings: where each reason is documented. */
const REFUSAL_SOURCE: Record<CreateRefusal, string> = {
  'one-at-a-time': CREATE_WORKER_DOC,
  'leading-slash': CREATE_WORKER_DOC,
  'folder-missing': WORKERS_DOC,
  'subpackage-not-downloaded': WORKERS_DOC,
  'no-predownload-api': PRE_DOWNLOAD_SUBPACKAGE_DOC,
};

function view(world: WorkerWorld, snapshot: Snapshot): WorldView {
  const { workers } = world;
  const { context } = snapshot;
  const holdings: HolderRow[] = [
    { holder: 'main', item: `obj（${world.main.address}）`, value: `{ count: ${world.main.count} }` },
    {
      holder: 'worker',
      item: world.workerCopy ? `obj 的副本（${world.workerCopy.address}）` : 'obj 的副本',
      value: world.workerCopy ? countText(world.workerCopy.count) : '（还没收到）',
    },
    ...(world.echo ? [{ holder: 'main', item: `回显的副本（${world.echo.address}）`, value: countText(world.echo.count) }] : []),
    { holder: 'main', item: 'Worker 实例', value: `${workers.live ? `1（#${workers.live.id}）` : '0'} / 最多 ${MAX_CONCURRENT_WORKERS}` },
    { holder: 'main', item: 'app.json "workers"', value: configText(world) },
    { holder: 'main', item: 'scriptPath', value: scriptPath(world) },
    { holder: 'worker', item: '进行中的任务', value: context.job ? `job ${context.job.id}：fib(${context.job.n})` : '（无）' },
    {
      holder: 'render',
      item: '上一次计算时的画面',
      value: world.frames
        ? world.frames.dropped > 0
          ? `${world.frames.dropped} 帧没更新（最长一帧 ${ms(world.frames.busyMs)}）`
          : `流畅（${world.frames.where === 'worker' ? 'Worker 算了' : '只用了'} ${ms(world.frames.busyMs)}）`
        : '（还没算过）',
    },
    { holder: 'system', item: '平台 / 基础库', value: `${workers.platform === 'ios' ? 'iOS' : 'Android'} / ${workers.sdkVersion}` },
    { holder: 'system', item: 'Worker 分包', value: workers.config.form === 'subpackage' ? (workers.subpackageDownloaded ? '已下载' : '未下载') : '（不是分包）' },
  ];

  const findings: Finding[] = [];
  if (world.frames?.where === 'main' && world.frames.dropped > 0) {
    findings.push({
      level: 'danger',
      title: `主线程算 fib(${world.frames.n})：${world.frames.dropped} 帧没有新画面`,
      detail: `逻辑层被占住 ${ms(world.frames.busyMs)}。小球的位置由逻辑层每 17 ms 算一次（官方示例也是这样画的），所以它停了；同一时间的点击和 setData 也都在排队。把计算交给 Worker，逻辑层就空出来了。`,
      href: WORKERS_DOC,
    });
  }
  const reason = context.lastError as CreateRefusal | null;
  if (reason && reason in REFUSAL_TEXT) {
    findings.push({
      level: 'danger',
      title: 'createWorker 失败',
      detail: `${REFUSAL_TEXT[reason]}。文档没写失败时的报错原文，这里不编造。`,
      href: REFUSAL_SOURCE[reason],
    });
  }
  if (world.workerCopy && world.workerCopy.count !== null && world.workerCopy.count !== world.main.count) {
    findings.push({
      level: 'warning',
      title: '两块内存，两个值',
      detail: `主线程的 obj 现在是 count = ${world.main.count}，Worker 的副本还是发送那一刻的 ${world.workerCopy.count}。postMessage 传的数据“并不是直接共享，而是被复制的”。`,
      href: WORKERS_DOC,
    });
  }
  if (world.workerCopy?.count === null) {
    findings.push({
      level: 'warning',
      title: `基础库 ${workers.sdkVersion}：Map 不在保证范围内`,
      detail: `${ANY_PAYLOAD_SINCE} 之前，postMessage 只支持传递可序列化的 key-value 对象；之后支持任意类型。老版本上先把 Map 转成普通对象（Object.fromEntries）再发。`,
      href: POST_MESSAGE_DOC,
    });
  }
  if (context.lastError === WX_IN_WORKER_ERROR) {
    findings.push({
      level: 'danger',
      title: 'Worker 里不能用 wx',
      detail: '网络、缓存、setData 都只能在逻辑层做。让 Worker 把需要的东西连同 jobId 发给逻辑层，逻辑层请求完再按 jobId 发回去（「Worker 请逻辑层代发请求」）。',
      href: WORKERS_DOC,
    });
  }
  if (context.lastError === REQUIRE_OUTSIDE_ERROR) {
    findings.push({
      level: 'danger',
      title: 'Worker 的入口脚本没跑起来',
      detail: 'Worker 只能 require 自己目录里的文件。共用的代码要复制（或在构建时生成）到 workers 目录里。onError 收到了错误，onMessage 没注册，发过去的任务不会有回复。',
      href: ON_ERROR_DOC,
    });
  }
  if (snapshot.matches('replyLost')) {
    findings.push({
      level: 'danger',
      title: '回复永远不会来',
      detail: 'iOS 回收了实验 Worker，算到一半的任务跟着没了。页面没有监听 onProcessKilled，也就不会重建 Worker、重发任务，转圈会一直转下去。',
      href: ON_PROCESS_KILLED_DOC,
    });
  }
  if (workers.kills > 0 && world.handlesKill && !snapshot.matches('replyLost')) {
    findings.push({
      level: 'warning',
      title: `实验 Worker 被回收过 ${workers.kills} 次`,
      detail: `onProcessKilled（只能在主线程的 worker 对象上监听）里重建了 Worker，并按 jobId 重发了没收到回复的任务。调试时可以在 Worker 里调用 worker.testOnProcessKilled() 模拟回收（基础库 ${TEST_ON_PROCESS_KILLED_SINCE} 起）。`,
      href: TEST_ON_PROCESS_KILLED_DOC,
    });
  }
  if (world.memoryPressure && !(workers.useExperimentalWorker && workers.platform === 'ios')) {
    findings.push({
      level: 'warning',
      title: '内存紧张，但这个 Worker 不在回收范围',
      detail: '文档只说 iOS 上的实验 Worker（useExperimentalWorker: true）可能被系统回收。打开「iOS 手机」和「useExperimentalWorker: true」，先 terminate()，再重新创建 Worker 试试。',
      href: CREATE_WORKER_DOC,
    });
  }
  if (workers.config.form === 'subpackage' && !atLeast(workers.sdkVersion, WORKER_SUBPACKAGE_SINCE)) {
    findings.push({
      level: 'warning',
      title: `分包形式要基础库 ${WORKER_SUBPACKAGE_SINCE}`,
      detail: `当前基础库 ${workers.sdkVersion} 没有 wx.preDownloadSubpackage。`,
      href: PRE_DOWNLOAD_SUBPACKAGE_DOC,
    });
  }
  if (snapshot.matches('noWorker') && world.jobs.some((job) => job.outcome === 'abandoned')) {
    findings.push({
      level: 'warning',
      title: 'terminate() 结束了进行中的任务',
      detail: 'Worker 线程一结束，算到一半的任务就没了。页面卸载（onUnload）时调用 terminate()，正是为了不留下没人要的计算。',
      href: TERMINATE_DOC,
    });
  }
  return { holdings, findings };
}

export const workerSimulation = defineSimulation<WorkerMachine, WorkerWorld>({
  flow: 'worker',
  title: '多线程 Worker',
  machine: workerMachine,
  lanes: [
    { id: 'render', label: '视图层', trust: 'device' },
    { id: 'main', label: '逻辑层（主线程）', trust: 'device' },
    { id: 'worker', label: 'Worker 线程', trust: 'device' },
    { id: 'system', label: '系统', trust: 'device' },
  ],
  phones: [USER_PHONE],
  timeScale: 'ms',
  effects,
  createWorld: createWorkerWorld,
  controls: workerControls,
  view,
  states,
  codeFiles,
});
