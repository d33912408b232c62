// 多线程 Worker：同一个 fib(n)，在主线程算，小球停住；交给 Worker 算，小球照常动。
// 另外演示：postMessage 传的是副本、一次只能有一个 Worker、Worker 里没有 wx、实验 Worker 被回收后重发。
import { request } from '../../utils/request';

/** 入口文件：从小程序根目录算起的绝对路径，但不以 / 开头 */
const WORKER_SCRIPT = 'workers/fib/index.js';
/** 小球每 17 ms 由主线程算一次位置，和官方示例一样 */
const TICK_MS = 17;
/** 官方示例把 n 限制在 40 以内：再大，主线程一卡就是好几秒 */
const MAX_N = 40;

/** 和 Worker 里那份一样的递归 fib。Worker 只能 require 自己目录里的文件，所以两边各写一份 */
function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

type FromWorker =
  | { type: 'fib'; jobId: number; n: number; result: number; ms: number }
  | { type: 'echo'; obj: { count: number } | null }
  | { type: 'fetch'; jobId: number; path: string }
  | { type: 'report'; jobId: number; text: string };

let worker: WechatMiniprogram.Worker | null = null;
/** 发给 Worker、还没收到回复的任务；Worker 被回收后按原 jobId 重发 */
const pendingJobs = new Map<number, { n: number; sentAt: number }>();
let nextJobId = 1;
let ticker: ReturnType<typeof setInterval> | null = null;
let lastTick = 0;
/** 发给 Worker 的对象：发出去之后再改它，看 Worker 那份变不变 */
const obj = { count: 1 };

const errorText = (err: unknown) => (err instanceof Error ? err.message : String((err as { errMsg?: string })?.errMsg ?? err));

Page({
  data: {
    n: 35,
    ball: 0,
    /** 从开始计算到现在，小球两次移动之间最长隔了多久（ms） */
    longestGap: 0,
    status: '',
    result: '',
    hasWorker: false,
    createError: '',
    workerError: '',
    mainCount: 1,
    echo: '',
    report: '',
    kills: 0,
  },

  onLoad() {
    obj.count = 1;
    this.startBall();
    this.createWorker();
  },

  startBall() {
    lastTick = Date.now();
    let step = 0;
    ticker = setInterval(() => {
      // 主线程被占住时这个回调也在排队：算完之后的第一次回调，离上一次会隔很久
      const now = Date.now();
      const gap = now - lastTick;
      lastTick = now;
      step = (step + 1) % 40;
      this.setData({ ball: step < 20 ? step * 5 : (40 - step) * 5, longestGap: Math.max(this.data.longestGap, gap) });
    }, TICK_MS);
  },

  // #region create-worker
  createWorker(): WechatMiniprogram.Worker | null {
    let created: WechatMiniprogram.Worker;
    try {
      created = wx.createWorker(WORKER_SCRIPT, { useExperimentalWorker: true });
    } catch (err) {
      // 已经有一个 Worker 时再创建会失败：最多只能有一个，先 terminate()。失败的形式文档没写，这里接住抛出的那种
      this.setData({ createError: errorText(err) });
      return null;
    }
    worker = created;
    // 监听只注册一次。收到的就是 Worker postMessage 的对象（官方示例这样用；文档和 typings 都写成了 { message }）
    worker.onMessage((msg) => this.onWorkerMessage(msg as unknown as FromWorker));
    worker.onError((res) => this.setData({ workerError: errorText(res.error) }));
    // 只能在主线程的 worker 对象上监听；iOS 的实验 Worker 可能被系统回收
    worker.onProcessKilled(() => this.onProcessKilled());
    this.setData({ hasWorker: true, createError: '' });
    return created;
  },

  onCreateTwice() {
    // 故意不 terminate 就再创建一次：失败会被上面的 catch 接住，原来的 Worker 不受影响
    this.createWorker();
  },
  // #endregion

  onNChange(e: WechatMiniprogram.SliderChange) {
    this.setData({ n: Math.min(Number(e.detail.value) || 0, MAX_N) });
  },

  // #region run-main
  onRunMain() {
    const n = this.data.n;
    this.setData({ longestGap: 0, status: `主线程计算 fib(${n})…`, result: '' });
    const start = Date.now();
    // 同步计算：算完之前，小球的定时器、点击回调、setData 都在排队
    const result = fib(n);
    this.setData({ status: '', result: `主线程：fib(${n}) = ${result}，用时 ${Date.now() - start} ms` });
  },
  // #endregion

  // #region run-worker
  onRunWorker() {
    if (!worker) {
      this.setData({ createError: '还没有 Worker' });
      return;
    }
    const n = this.data.n;
    const jobId = nextJobId++;
    pendingJobs.set(jobId, { n, sentAt: Date.now() });
    // postMessage 立即返回，主线程接着画小球
    worker.postMessage({ type: 'fib', jobId, n });
    this.setData({ longestGap: 0, status: `Worker 计算 fib(${n})…（job ${jobId}）`, result: '' });
  },
  // #endregion

  onWorkerMessage(msg: FromWorker) {
    if (msg.type === 'fib') {
      const job = pendingJobs.get(msg.jobId);
      // 同一个 jobId 只认一次：重发之后，旧 Worker 的回复不会再来，新 Worker 的回复只处理一次
      if (!job) return;
      pendingJobs.delete(msg.jobId);
      this.setData({ status: '', result: `Worker：fib(${msg.n}) = ${msg.result}，从发出到收到 ${Date.now() - job.sentAt} ms` });
    } else if (msg.type === 'echo') {
      this.setData({ echo: msg.obj ? `Worker 那份：count = ${msg.obj.count}` : 'Worker 还没收到过 obj' });
    } else if (msg.type === 'fetch') {
      void this.fetchForWorker(msg.jobId, msg.path);
    } else if (msg.type === 'report') {
      this.setData({ report: `job ${msg.jobId}：${msg.text}` });
    }
  },

  // #region copy-not-share
  onPostObject() {
    // 发出去的是一份副本：之后改 obj，Worker 那份不变
    worker?.postMessage({ type: 'keep', obj });
    this.setData({ mainCount: obj.count, echo: '' });
  },

  onMutate() {
    obj.count += 1;
    this.setData({ mainCount: obj.count });
  },

  onAskEcho() {
    worker?.postMessage({ type: 'echo' });
  },
  // #endregion

  onAskReport() {
    worker?.postMessage({ type: 'report', jobId: nextJobId++ });
  },

  // #region relay-fetch
  async fetchForWorker(jobId: number, path: string) {
    // Worker 里没有 wx：它把路径连同 jobId 发过来，主线程请求完按 jobId 发回去
    try {
      const data = await request<{ openid: string }>({ path });
      worker?.postMessage({ type: 'fetched', jobId, data });
    } catch (err) {
      worker?.postMessage({ type: 'fetched', jobId, error: errorText(err) });
    }
  },
  // #endregion

  // #region on-process-killed
  onProcessKilled() {
    // 旧的 Worker 已经没了：重建一个，把还没收到回复的任务按原 jobId 重发
    worker = null;
    this.setData({ hasWorker: false, kills: this.data.kills + 1 });
    const fresh = this.createWorker();
    for (const [jobId, job] of pendingJobs) fresh?.postMessage({ type: 'fib', jobId, n: job.n });
  },

  onTestKill() {
    // 调试用：让 Worker 线程调用 worker.testOnProcessKilled()（基础库 2.27.1 起，只能在 Worker 线程里调用）
    worker?.postMessage({ type: 'test-kill' });
  },
  // #endregion

  // #region terminate
  onTerminate() {
    worker?.terminate();
    worker = null;
    pendingJobs.clear();
    this.setData({ hasWorker: false, status: '' });
  },

  onUnload() {
    // 离开页面一定要结束 Worker：否则它还占着唯一的名额，下次进来 createWorker 会失败
    if (ticker !== null) clearInterval(ticker);
    ticker = null;
    this.onTerminate();
  },
  // #endregion
});
