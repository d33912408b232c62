// ❌ 错误示范：想在页面显示时“自动”把用户带到设置页。
// #region on-show
Page({
  onShow() {
    // 没有用户点击。基础库 2.3.0 起这里必然失败，设置页不会打开：
    // openSetting:fail can only be invoked by user TAP gesture.
    wx.openSetting({
      fail: ({ errMsg }) => console.error(errMsg),
    });
  },
});
// #endregion
