// 两种常见的错误写法，留在这里对照（页面不用它们；测试用它们复现问题）。
import { request } from '../../utils/request';
import { QUEUE_TEMPLATE_IDS } from './templates';

// #region await-first
/**
 * 错：先 await 去服务器取模板 id，再调用。官方只写了“仅在点击行为时调用”；开发者反馈，await 之后点击的“手势”就不算数了。
 * 配套服务器没有 /api/subscribe/templates：请求失败后改用本地的 id，await 照样发生过，错误照样复现。
 */
export async function subscribeAfterFetch(onResult: (res: Record<string, string>) => void, onFail: (errMsg: string) => void) {
  const { tmplIds } = await request<{ tmplIds: string[] }>({ path: '/api/subscribe/templates', method: 'GET' }).catch(() => ({ tmplIds: QUEUE_TEMPLATE_IDS }));
  wx.requestSubscribeMessage({
    tmplIds,
    success: (res) => onResult(res as unknown as Record<string, string>),
    fail: (err) => onFail(err.errMsg),
  });
}
// #endregion

// #region errmsg-only
/** 错：只看 errMsg。用户关掉某个模板的开关再点「允许」，errMsg 照样是 ok；直接点「取消」走哪个回调，官方没写，社区多数报告也是 ok。照着 errMsg 接着发，就是 43101。 */
export function subscribeThenAlwaysSend(tmplIds: string[], send: () => void) {
  wx.requestSubscribeMessage({
    tmplIds,
    success: (res) => {
      if (res.errMsg === 'requestSubscribeMessage:ok') send();
    },
  });
}
// #endregion
