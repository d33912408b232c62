// Worker 线程的入口：wx.createWorker('workers/fib/index.js') 运行的就是这个文件。
// 这里没有页面，也没有 wx（网络、缓存、setData 都不能用），只有全局的 worker 对象；
// require 只能找 workers 目录里的文件，所以 fib 在这里和页面里各有一份。
const { fib } = require('./fib.js');

/** 页面 postMessage 过来的 obj 在这个线程里的副本 */
let kept = null;

// #region dispatch
// 监听只注册一次，按 type 分派。监听函数收到的就是对方 postMessage 的那个对象（已经复制过一份）
worker.onMessage(function (msg) {
  if (msg.type === 'fib') replyFib(msg);
  else if (msg.type === 'keep') kept = msg.obj;
  else if (msg.type === 'echo') worker.postMessage({ type: 'echo', obj: kept });
  else if (msg.type === 'report') askMainToFetch(msg);
  else if (msg.type === 'fetched') finishReport(msg);
  else if (msg.type === 'test-kill') worker.testOnProcessKilled();
});
// #endregion

// #region fib
function replyFib({ jobId, n }) {
  const start = Date.now();
  const result = fib(n);
  // 带上 jobId：重发过的任务，主线程也认得出是哪一单
  worker.postMessage({ type: 'fib', jobId, n, result, ms: Date.now() - start });
}
// #endregion

// #region ask-main
function askMainToFetch({ jobId }) {
  // 这里调用 wx.request 会出错：Worker 内不支持 wx 系列的 API。
  // 把要请求的东西连同 jobId 交给主线程，它请求完再按 jobId 发回来
  worker.postMessage({ type: 'fetch', jobId, path: '/api/me' });
}
// #endregion

// #region finish-fetched
function finishReport({ jobId, data, error }) {
  const text = error ? `没拿到数据：${error}` : `openid 的各位数字之和是 ${digitSum(String(data.openid))}`;
  worker.postMessage({ type: 'report', jobId, text });
}
// #endregion

function digitSum(text) {
  let sum = 0;
  for (const ch of text) if (ch >= '0' && ch <= '9') sum += Number(ch);
  return sum;
}
