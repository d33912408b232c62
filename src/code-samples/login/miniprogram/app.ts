import { login } from './utils/auth';

App({
  // #region check-session
  // 登录相关的接口放在 onLaunch 里调用，不要放进每个页面的 onShow：
  // wx.login 可能刷新 session_key，而且这两个接口都限频。
  onLaunch() {
    const token = wx.getStorageSync('token') as string;
    if (!token) return;
    wx.checkSession({
      success: () => {
        // 最近一次 code 对应的 session_key 还有效：继续用手里的 token。
      },
      fail: () => {
        wx.removeStorageSync('token');
        login().catch(() => wx.showToast({ title: '登录失败', icon: 'error' }));
      },
    });
  },
  // #endregion
});
