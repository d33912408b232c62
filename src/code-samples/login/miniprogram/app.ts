import { login } from './utils/auth';

App({
  // #region check-session
  // Call login-related APIs in onLaunch, not in every page's onShow:
  // wx.login may refresh session_key, and both APIs are rate limited.
  onLaunch() {
    const token = wx.getStorageSync('token') as string;
    if (!token) return;
    wx.checkSession({
      success: () => {
        // session_key of the latest code is still valid: keep our token.
      },
      fail: () => {
        wx.removeStorageSync('token');
        login().catch(() => wx.showToast({ title: '登录失败', icon: 'error' }));
      },
    });
  },
  // #endregion
});
