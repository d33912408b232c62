// 两种常见的错误写法，留在这里对照（页面不用它们；测试用它们复现问题）。
import { request } from '../../utils/request';
import { QUEUE_TEMPLATE_IDS } from './templates';

// #region await-first
/**
 * 错：先 await 去服务器取模板 id，再调用。点击的“手势”在 await 之后已经不算数了。
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
/** 错：只看 errMsg。用户点了「取消」或关掉开关，errMsg 照样是 ok，接着发就是 43101。 */
export function subscribeThenAlwaysSend(tmplIds: string[], send: () => void) {
  wx.requestSubscribeMessage({
    tmplIds,
    success: (res) => {
      if (res.errMsg === 'requestSubscribeMessage:ok') send();
    },
  });
}
// #endregion
