// ❌ 反面教材：每次页面显示都重新登录。
import { config } from '../config';

// #region on-show
Page({
  onShow() {
    // ✗ 每次页面显示都重新登录
    wx.login({
      success: ({ code }) => {
        wx.request({
          url: `${config.serverUrl}/api/login`,
          method: 'POST',
          data: { code },
        });
      },
    });
  },
});
// #endregion
