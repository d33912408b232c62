import { getToken, login, LoginError } from '../../utils/auth';

// #region login-tap
Page({
  data: { loggedIn: false, loggingIn: false },
  onShow() {
    // app.ts 的 onLaunch 可能已经登录好了
    this.setData({ loggedIn: getToken() !== undefined });
  },
  async onLoginTap() {
    this.setData({ loggingIn: true });
    try {
      await login();
      this.setData({ loggedIn: true });
    } catch (error) {
      const message = error instanceof LoginError ? error.message : '网络不太好，请稍后重试';
      wx.showToast({ title: message, icon: 'none' });
    } finally {
      this.setData({ loggingIn: false });
    }
  },
});
// #endregion
