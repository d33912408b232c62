// ❌ 反面教材（策略 A）：一启动就把所有权限问一遍。
const SCOPES = ['scope.record', 'scope.userLocation', 'scope.camera', 'scope.writePhotosAlbum'] as const;

// #region ask-all
App({
  onLaunch() {
    wx.getSetting({
      success({ authSetting }) {
        // 看起来很周到：“没授权的就问一下”。但 false 也满足这个条件，
        // 被拒绝过的 scope 每次启动都会再问——而微信不会再弹框，直接走 fail。
        const pending = SCOPES.filter((scope) => !authSetting[scope]);
        const askNext = (i: number) => {
          if (i >= pending.length) return;
          wx.authorize({
            scope: pending[i]!,
            // 用户还不知道这个小程序要拿麦克风、位置做什么，就被连弹好几个框
            complete: () => askNext(i + 1),
          });
        };
        askNext(0);
      },
    });
  },
});
// #endregion
