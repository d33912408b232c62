// ❌ 反面教材：只用来演示它为什么行不通。
// #region direct-call
const APP_SECRET = 'xxxxxxxx'; // 任何人解包小程序都能读到它

export function loginDirectly(code: string): void {
  wx.request({
    url: `https://api.weixin.qq.com/sns/jscode2session?appid=wx8a1b2c3d4e5f6a7b&secret=${APP_SECRET}&js_code=${code}&grant_type=authorization_code`,
    // 正式版一定会被拦下：api.weixin.qq.com 不能配置成 request 合法域名
    // （开发者工具勾选了「不校验合法域名」时反而可能“能跑”）。
    fail: ({ errMsg }) => console.error(errMsg),
  });
}
// #endregion
