// Worker 线程的入口。开发者工具把它编译成 workers/fib/index.js，wx.createWorker 写的是那个路径。
// 这里没有页面，也没有 wx（网络、缓存、setData 都不能用），只有全局的 worker 对象；
// 只能引用 workers 目录里的文件，所以 fib 在这里和页面里各有一份。
import { fib } from './fib';

/**
 * Worker 线程里的全局对象。方法和主线程拿到的 Worker 大体相同，但 terminate、onProcessKilled 只在主线程，
 * testOnProcessKilled 只在 Worker 线程。
 */
declare const worker: WechatMiniprogram.Worker;

type FromMain =
  | { type: 'fib'; jobId: number; n: number }
  | { type: 'keep'; obj: { count: number } }
  | { type: 'echo' }
  | { type: 'report'; jobId: number }
  | { type: 'fetched'; jobId: number; data?: { openid: string }; error?: string }
  | { type: 'test-kill' };

/** 页面 postMessage 过来的 obj 在这个线程里的副本 */
let kept: { count: number } | null = null;

// #region dispatch
// 监听只注册一次，按 type 分派。收到的就是主线程 postMessage 的对象（已经复制过一份）
worker.onMessage((res) => {
  const msg = res as unknown as FromMain;
  if (msg.type === 'fib') replyFib(msg.jobId, msg.n);
  else if (msg.type === 'keep') kept = msg.obj;
  else if (msg.type === 'echo') worker.postMessage({ type: 'echo', obj: kept });
  else if (msg.type === 'report') askMainToFetch(msg.jobId);
  else if (msg.type === 'fetched') finishReport(msg.jobId, msg.data, msg.error);
  else if (msg.type === 'test-kill') worker.testOnProcessKilled();
});
// #endregion

// #region fib
function replyFib(jobId: number, n: number) {
  const start = Date.now();
  const result = fib(n);
  // 带上 jobId：重发过的任务，主线程也认得出是哪个任务
  worker.postMessage({ type: 'fib', jobId, n, result, ms: Date.now() - start });
}
// #endregion

// #region ask-main
function askMainToFetch(jobId: number) {
  // 在这里调用 wx.request 会出错：Worker 内不支持 wx 系列的 API。
  // 把要请求的东西连同 jobId 交给主线程，它请求完再按 jobId 发回来
  worker.postMessage({ type: 'fetch', jobId, path: '/api/me' });
}
// #endregion

// #region finish-fetched
function finishReport(jobId: number, data?: { openid: string }, error?: string) {
  const text = data ? `openid 的各位数字之和是 ${digitSum(data.openid)}` : `没拿到数据：${error}`;
  worker.postMessage({ type: 'report', jobId, text });
}
// #endregion

function digitSum(text: string): number {
  let sum = 0;
  // 用下标循环，不用 for…of：开了「增强编译」，代码会编译成 ES5，for…of 要用 Babel 的辅助函数，
  // 而它在 workers/ 目录之外，Worker 只能 require 自己目录里的文件。
  for (let i = 0; i < text.length; i++) if (text[i]! >= '0' && text[i]! <= '9') sum += Number(text[i]);
  return sum;
}
