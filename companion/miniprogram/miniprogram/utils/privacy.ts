/**
 * 隐私授权（基础库 2.32.3 起）。用户还没同意《用户隐私保护指引》时调用隐私接口，微信先把这次调用挂起，
 * 通过 wx.onNeedPrivacyAuthorization 让小程序弹自己的隐私弹窗；用户点了同意或拒绝，调用 resolve，
 * 挂起的接口才继续执行或失败。
 * https://developers.weixin.qq.com/miniprogram/dev/framework/user-privacy/PrivacyAuthorize.html
 */
type PrivacyResolve = (result: { buttonId?: string; event: 'agree' | 'disagree' }) => void;

/** 弹窗里「同意」按钮的 id：resolve 时要带上，基础库会核对这个按钮确实被点过 */
export const AGREE_BUTTON_ID = 'agree-privacy';

/** 等用户表态的隐私接口：可能同时有几个（比如定位和录音一起调），一次同意或拒绝全部答复 */
const pending: PrivacyResolve[] = [];

// #region watch-privacy
/**
 * 在页面 onShow 里调用：监听是覆盖式注册，后注册的顶掉先注册的，
 * 所以由当前在前台的页面注册，弹窗就出现在用户正看着的页面上。
 */
export function watchPrivacy(showPopup: (contractName: string) => void): void {
  if (!wx.canIUse('onNeedPrivacyAuthorization')) return; // 低于 2.32.3 的基础库没有隐私拦截
  wx.onNeedPrivacyAuthorization((resolve) => {
    // 注册了监听就一定要 resolve，否则那次接口调用一直挂着
    pending.push(resolve);
    if (pending.length > 1) return; // 弹窗已经在了
    wx.getPrivacySetting({
      success: ({ privacyContractName }) => showPopup(privacyContractName),
      fail: () => showPopup('《用户隐私保护指引》'),
    });
  });
}

/**
 * 用户在弹窗里做了选择。同意要在 <button open-type="agreePrivacyAuthorization"> 的
 * bindagreeprivacyauthorization 回调里调用；拒绝后，挂起的接口以
 * “…:fail privacy permission is not authorized” 失败。
 */
export function answerPrivacy(agreed: boolean): void {
  for (const resolve of pending.splice(0)) resolve(agreed ? { buttonId: AGREE_BUTTON_ID, event: 'agree' } : { event: 'disagree' });
}
// #endregion
