// ❌ The wrong way, kept only to show why it fails.
// #region direct-call
const APP_SECRET = 'xxxxxxxx'; // anyone can unpack the mini program and read this

export function loginDirectly(code: string): void {
  wx.request({
    url: `https://api.weixin.qq.com/sns/jscode2session?appid=wx8a1b2c3d4e5f6a7b&secret=${APP_SECRET}&js_code=${code}&grant_type=authorization_code`,
    // Fails: api.weixin.qq.com cannot be configured as a request domain.
    fail: ({ errMsg }) => console.error(errMsg),
  });
}
// #endregion
