// ❌ 反面教材：想在页面显示时“自动”把用户带到设置页。
// #region on-show
Page({
  onShow() {
    // 没有用户点击。基础库 2.3.0 起这里会失败，设置页不会打开。开发者反馈的报错（非官方原文）：
    // openSetting:fail can only be invoked by user TAP gesture.
    wx.openSetting({
      fail: ({ errMsg }) => console.error(errMsg),
    });
  },
});
// #endregion
