import { bootstrapLogin } from './utils/auth';

App({
  // #region on-launch
  onLaunch() {
    // wx.checkSession 和 wx.login 都是限频接口：只在 onLaunch 调一次
    bootstrapLogin().catch((err: unknown) => {
      console.error('启动登录失败，之后的业务请求会再尝试一次', err);
    });
  },
  // #endregion
});
