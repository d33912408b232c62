// 策略 B：用到时再申请；理由写在按钮旁；被拒绝后说明原因，引导用户去设置页。
import { answerPrivacy, watchPrivacy } from '../../utils/privacy';

type Scope = 'scope.record' | 'scope.userLocation' | 'scope.camera';

interface Feature {
  scope: Scope;
  label: string;
  why: string;
}

const FEATURES: Feature[] = [
  { scope: 'scope.record', label: '跟读打分', why: '录音用来给你的跟读打分' },
  { scope: 'scope.userLocation', label: '附近的学习小组', why: '位置用来查找附近的学习小组' },
  { scope: 'scope.camera', label: '拍题', why: '摄像头用来拍下题目' },
];

/** 把回调式接口包成 Promise，fail 时带上原始的 errMsg。 */
function call<T>(api: (options: { success(res: T): void; fail(err: { errMsg: string }): void }) => void): Promise<T> {
  return new Promise((resolve, reject) => api({ success: resolve, fail: reject }));
}

// #region run-feature
/** 每个功能直接调用它真正要用的接口：需要授权时，微信会自己弹框。 */
const RUN: Record<Scope, () => Promise<unknown>> = {
  // 录音用 RecorderManager（wx.startRecord 已停止维护），它被拒绝时只触发 onError；用 wx.authorize 先问，弹的是同一个框
  'scope.record': () => call((o) => wx.authorize({ scope: 'scope.record', ...o })),
  'scope.userLocation': () => call((o) => wx.getLocation({ type: 'gcj02', ...o })),
  // <camera> 组件没有可以“先调一下”的接口，所以也用 wx.authorize 提前问
  'scope.camera': () => call((o) => wx.authorize({ scope: 'scope.camera', ...o })),
};
// #endregion

const featureOf = (scope: Scope) => FEATURES.find((feature) => feature.scope === scope);
const whyOf = (scope: Scope) => featureOf(scope)?.why ?? '';

Page({
  data: {
    features: FEATURES,
    authSetting: {} as WechatMiniprogram.AuthSetting,
    denied: '' as Scope | '',
    deniedWhy: '',
    result: '',
    privacyVisible: false,
    privacyContractName: '',
    privacyRefused: false,
  },

  // #region on-load
  onLoad() {
    // 只读不问：getSetting 不弹窗。从没问过的 scope 根本不在 authSetting 里，不是 false。
    wx.getSetting({
      success: ({ authSetting }) => this.setData({ authSetting }),
    });
  },
  // #endregion

  // #region privacy
  onShow() {
    // 覆盖式注册：由前台页面注册，隐私弹窗才出现在用户眼前（见 utils/privacy.ts）
    watchPrivacy((privacyContractName) => this.setData({ privacyVisible: true, privacyContractName }));
  },

  onAgreePrivacy() {
    // 按钮的 open-type="agreePrivacyAuthorization" 已经让微信记下同意；再告诉微信继续刚才挂起的接口
    answerPrivacy(true);
    this.setData({ privacyVisible: false, privacyRefused: false });
  },

  onDisagreePrivacy() {
    // 刚才挂起的接口会失败：“…:fail privacy permission is not authorized”
    answerPrivacy(false);
    this.setData({ privacyVisible: false, privacyRefused: true });
  },

  onOpenPrivacyContract() {
    wx.openPrivacyContract({});
  },
  // #endregion

  // #region use-feature
  async onTapFeature(e: WechatMiniprogram.BaseEvent<{}, { scope: Scope }>) {
    const { scope } = e.currentTarget.dataset;
    try {
      // 第一次：微信弹授权框；允许过：直接成功；拒绝过：直接 fail，不会再弹框。
      await RUN[scope]();
      this.setData({ denied: '', result: `${featureOf(scope)?.label ?? ''}可以用了（${scope}）` });
    } catch {
      // iOS 和 Android 的 errMsg 写法不完全一样，不去解析它：以 getSetting 的记录为准。
      wx.getSetting({
        success: ({ authSetting }) => {
          if (authSetting[scope] === false) {
            this.setData({ authSetting, denied: scope, deniedWhy: whyOf(scope), result: '' });
          } else {
            this.setData({ authSetting, result: '' });
            // 没同意隐私保护指引，或手机系统关了定位等：不是授权被拒，不引导去设置页
            wx.showToast({ title: '暂时无法使用，请稍后再试', icon: 'none' });
          }
        },
      });
    }
  },
  // #endregion

  // #region on-open-setting
  // 用户从设置页回来：e.detail.authSetting 就是最新的授权状态
  onOpenSetting(e: WechatMiniprogram.CustomEvent<{ authSetting: WechatMiniprogram.AuthSetting }>) {
    const { authSetting } = e.detail;
    const stillDenied = this.data.denied !== '' && authSetting[this.data.denied] === false;
    this.setData({ authSetting, denied: stillDenied ? this.data.denied : '' });
  },
  // #endregion
});
