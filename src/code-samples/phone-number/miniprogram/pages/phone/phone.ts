import { getToken, login } from '../../utils/auth';
import { API_BASE } from '../../utils/http';

interface PhoneOk {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

interface ApiError {
  error?: { code: string; message: string };
}

/** 把 wx.request 包成 Promise；401、409 也会进 success，要自己看 statusCode */
function post<T>(path: string, data: WechatMiniprogram.IAnyObject): Promise<{ statusCode: number; data: T & ApiError }> {
  return new Promise((resolve, reject) => {
    const token = getToken();
    wx.request({
      url: `${API_BASE}${path}`,
      method: 'POST',
      // encryptedData 放进 JSON 请求体，原样到达服务器；不要拼进 URL
      data,
      header: token ? { Authorization: `Bearer ${token}` } : {},
      success: (res) => resolve({ statusCode: res.statusCode, data: res.data as T & ApiError }),
      fail: reject,
    });
  });
}

Page({
  data: { phone: '' },

  // #region login-ahead
  // 旧版：进入页面时就登录好，让服务器提前保存 session_key。
  // 用户点按钮时，微信用“此刻”的 session_key 加密，它和服务器保存的是同一把。
  async onLoad() {
    if (!getToken()) await login();
  },
  // #endregion

  // #region callback
  async onGetPhoneNumber(e: WechatMiniprogram.CustomEvent) {
    const detail = e.detail as { errMsg: string; errno?: number; code?: string; encryptedData?: string; iv?: string };
    if (detail.errno === 1400001) {
      // 额度用完：微信已经给用户弹了默认提示，这里只记录，不要再调用别的接口
      console.warn('手机号快速验证组件额度不足');
      return;
    }
    if (!detail.errMsg.endsWith(':ok')) return; // 用户拒绝或其他失败

    // #region new-callback
    // 新版：回调里有 code（5 分钟有效，只能用一次，和 wx.login 的 code 不是一回事）。
    // 不需要 wx.login，也不碰 session_key，直接交给服务器。
    if (detail.code) {
      const res = await post<PhoneOk>('/api/phone/code', { code: detail.code });
      if (res.statusCode === 200) this.setData({ phone: res.data.purePhoneNumber });
      else wx.showToast({ title: res.data.error?.message ?? '获取失败', icon: 'none' });
      return;
    }
    // #endregion

    // #region old-callback
    // 旧版：回调里绝不调用 wx.login，它可能刷新 session_key。
    // 先用 wx.checkSession 确认登录态还在（它不会刷新 session_key）。
    const valid = await new Promise<boolean>((resolve) =>
      wx.checkSession({ success: () => resolve(true), fail: () => resolve(false) }),
    );
    if (!valid) {
      // 登录态已失效：这份 encryptedData 不能再用。重新登录，再请用户点一次。
      await login();
      wx.showToast({ title: '请再点一次获取手机号', icon: 'none' });
      return;
    }
    const res = await post<PhoneOk>('/api/phone/decrypt', { encryptedData: detail.encryptedData, iv: detail.iv });
    if (res.statusCode === 200) {
      this.setData({ phone: res.data.purePhoneNumber });
    } else if (res.data.error?.code === 'SESSION_KEY_MISMATCH') {
      // 服务器的 session_key 和加密时的对不上：重新登录，再让用户点一次按钮
      await login();
      wx.showToast({ title: '请再点一次获取手机号', icon: 'none' });
    } else {
      wx.showToast({ title: res.data.error?.message ?? '获取失败', icon: 'none' });
    }
    // #endregion
  },
  // #endregion
});
