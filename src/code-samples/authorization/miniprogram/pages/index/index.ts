// 策略 B：用到时再申请；理由写在按钮旁；被拒绝后说明原因，引导用户去设置页。
type Scope = 'scope.record' | 'scope.userLocation' | 'scope.camera' | 'scope.writePhotosAlbum';
type Resolve = (result: { buttonId?: string; event: 'agree' | 'disagree' }) => void;

const WHY: Record<Scope, string> = {
  'scope.record': '录音用来给你的跟读打分',
  'scope.userLocation': '位置用来查找附近的学习小组',
  'scope.camera': '摄像头用来拍下题目',
  'scope.writePhotosAlbum': '相册权限用来保存学习海报',
};

/** 把回调式接口包成 Promise，fail 时带上原始的 errMsg。 */
function call<T>(api: (options: { success(res: T): void; fail(err: { errMsg: string }): void }) => void): Promise<T> {
  return new Promise((resolve, reject) => api({ success: resolve, fail: reject }));
}

/** 每个功能直接调用它真正要用的接口：需要授权时，微信会自己弹框。 */
const RUN: Record<Scope, () => Promise<unknown>> = {
  'scope.record': () => call((o) => wx.startRecord(o)),
  'scope.userLocation': () => call((o) => wx.getLocation({ type: 'gcj02', ...o })),
  // <camera> 组件没有可以“先调一下”的接口，所以用 wx.authorize 提前问
  'scope.camera': () => call((o) => wx.authorize({ scope: 'scope.camera', ...o })),
  'scope.writePhotosAlbum': () => call((o) => wx.saveImageToPhotosAlbum({ filePath: 'poster.png', ...o })),
};

let resolvePrivacy: Resolve | null = null;

Page({
  data: {
    authSetting: {} as WechatMiniprogram.AuthSetting,
    denied: '' as Scope | '',
    deniedWhy: '',
    privacyVisible: false,
    privacyContractName: '',
  },

  // #region on-load
  onLoad() {
    // 只读不问：getSetting 不弹窗。从没问过的 scope 根本不在 authSetting 里，不是 false。
    wx.getSetting({
      success: ({ authSetting }) => this.setData({ authSetting }),
    });
    // #endregion
    // #region privacy
    // 覆盖式注册：后注册的会顶掉先注册的，整个小程序只在一处注册。
    wx.onNeedPrivacyAuthorization((resolve: Resolve) => {
      resolvePrivacy = resolve;
      wx.getPrivacySetting({
        success: ({ privacyContractName }) => this.setData({ privacyVisible: true, privacyContractName }),
      });
    });
  },

  onAgreePrivacy() {
    // 按钮的 open-type="agreePrivacyAuthorization" 已经让微信记下同意；再告诉微信继续刚才挂起的接口
    resolvePrivacy?.({ buttonId: 'agree-privacy', event: 'agree' });
    resolvePrivacy = null;
    this.setData({ privacyVisible: false });
  },

  onDisagreePrivacy() {
    // 刚才挂起的接口会失败：“…:fail privacy permission is not authorized”
    resolvePrivacy?.({ event: 'disagree' });
    resolvePrivacy = null;
    this.setData({ privacyVisible: false });
  },

  onOpenPrivacyContract() {
    wx.openPrivacyContract({});
  },
  // #endregion

  // #region use-feature
  async onTapFeature(e: { currentTarget: { dataset: { scope: Scope } } }) {
    const { scope } = e.currentTarget.dataset;
    try {
      // 第一次：微信弹授权框；允许过：直接成功；拒绝过：直接 fail，不会再弹框。
      await RUN[scope]();
      this.setData({ denied: '' });
    } catch {
      // iOS 和 Android 的 errMsg 写法不完全一样，不去解析它：以 getSetting 的记录为准。
      wx.getSetting({
        success: ({ authSetting }) => {
          if (authSetting[scope] === false) {
            this.setData({ authSetting, denied: scope, deniedWhy: WHY[scope] });
          } else {
            wx.showToast({ title: '暂时无法使用，请稍后再试', icon: 'none' });
          }
        },
      });
    }
  },
  // #endregion

  // #region on-open-setting
  // 用户从设置页回来：e.detail.authSetting 就是最新的授权状态
  onOpenSetting(e: { detail: { authSetting: Record<string, boolean> } }) {
    const { authSetting } = e.detail;
    const stillDenied = this.data.denied !== '' && authSetting[this.data.denied] === false;
    this.setData({ authSetting, denied: stillDenied ? this.data.denied : '' });
  },
  // #endregion
});
