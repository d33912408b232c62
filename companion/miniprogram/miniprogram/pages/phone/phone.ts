import { clearToken, getToken, isSessionAlive, login } from '../../utils/auth';
import { phoneButtonResult, type PhoneButtonDetail, type PhoneFlow } from '../../utils/emulator';
import { errorCode, errorMessage, send } from '../../utils/http';
import { ApiError, request } from '../../utils/request';

interface PhoneOk {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

/** 手机号快速验证组件的额度用完了：用户点按钮时微信这样告诉我们 */
const QUOTA_EXHAUSTED = 1400001;

Page({
  // 隐私保护指引的名字以后台填写的为准（wx.getPrivacySetting，基础库 2.32.3 起）；拿不到或是空的时用通用的叫法
  data: { flow: 'code' as PhoneFlow, phone: '', notice: '', privacyContractName: '《用户隐私保护指引》' },

  // #region login-ahead
  // 旧版：进入页面时就登录好，让服务器提前保存 session_key。
  // 用户点按钮时，微信用“此刻”的 session_key 加密，它和服务器保存的是同一把。
  async onLoad() {
    if (!getToken()) await login().catch(() => this.setData({ notice: '登录失败，请稍后重试' }));
  },
  // #endregion

  onChooseFlow(e: WechatMiniprogram.BaseEvent<{}, { flow: PhoneFlow }>) {
    this.setData({ flow: e.currentTarget.dataset.flow, phone: '', notice: '' });
  },

  // #region callback
  async onGetPhoneNumber(e: WechatMiniprogram.CustomEvent<PhoneButtonDetail>) {
    // 离线时由微信接口模拟服务代替微信给出按钮的结果；接真实微信时原样返回（见 utils/emulator.ts）
    const detail = await phoneButtonResult(e.detail, this.data.flow);
    if (detail.errno === QUOTA_EXHAUSTED) {
      // 额度用完：微信已经给用户弹了默认提示，这里只记录，不要再调用别的接口
      console.warn('手机号快速验证组件额度不足');
      return;
    }

    // #region new-callback
    // 新版：回调里有 code（5 分钟有效，只能用一次，和 wx.login 的 code 不是一回事）。
    // 不碰 session_key：服务器拿 code 加 access_token 向微信换手机号。
    // request() 带上自己的登录态，服务器才知道这是谁的手机号。
    if (this.data.flow === 'code') {
      if (!detail.code) return this.setData({ notice: `没有拿到手机号（${detail.errMsg}）` });
      try {
        const phone = await request<PhoneOk>({ path: '/api/phone/code', method: 'POST', data: { code: detail.code } });
        this.setData({ phone: phone.purePhoneNumber, notice: '' });
      } catch (error) {
        this.setData({ notice: error instanceof ApiError ? error.message : '网络不太好，请稍后重试' });
      }
      return;
    }
    // #endregion

    // #region old-callback
    if (!detail.encryptedData || !detail.iv) return this.setData({ notice: `没有拿到手机号（${detail.errMsg}）` });
    // 旧版：回调里绝不调用 wx.login，它可能刷新 session_key。
    // 先用 wx.checkSession 确认登录态还在（它不会刷新 session_key）。
    if (!(await isSessionAlive())) {
      // 登录态已失效：这份 encryptedData 不能再用。重新登录，再请用户点一次。
      return this.loginAndAskAgain();
    }
    // encryptedData 放进 JSON 请求体，原样到达服务器；不要拼进 URL。
    // 这里不用 request() 的“401 自动重登再重试”：重登可能刷新 session_key，重发的旧数据照样解不开。
    const data = { encryptedData: detail.encryptedData, iv: detail.iv };
    const res = await send<PhoneOk>({ path: '/api/phone/decrypt', method: 'POST', data, token: getToken() }).catch(() => null);
    if (!res) {
      this.setData({ notice: '网络不太好，请稍后重试' });
    } else if (res.statusCode === 200) {
      this.setData({ phone: res.data.purePhoneNumber, notice: '' });
    } else if (res.statusCode === 401 || errorCode(res.data) === 'SESSION_KEY_MISMATCH') {
      // 服务器的 session_key 和加密时的对不上（409），或 token 失效（401）：重新登录，再让用户点一次按钮
      await this.loginAndAskAgain();
    } else {
      this.setData({ notice: errorMessage(res.data, '获取失败，请稍后重试') });
    }
    // #endregion
  },
  // #endregion

  async loginAndAskAgain() {
    clearToken();
    try {
      await login();
      this.setData({ notice: '登录态已刷新，请再点一次获取手机号' });
    } catch {
      this.setData({ notice: '登录失败，请稍后重试' });
    }
  },

  onShow() {
    if (!wx.getPrivacySetting) return;
    wx.getPrivacySetting({
      success: ({ privacyContractName }) => {
        if (privacyContractName) this.setData({ privacyContractName });
      },
    });
  },

  onOpenPrivacyContract() {
    // 和 wx.getPrivacySetting 一样从基础库 2.32.3 起才有
    if (wx.openPrivacyContract) wx.openPrivacyContract({});
  },
});
