// ❌ 反面教材：下面两种写法都会让解密“时好时坏”，仅用于说明问题，不要照抄。
import { config } from '../config';
import { getToken } from '../utils/auth';

Page({
  // #region login-in-callback
  // 错误：在回调里才调用 wx.login。
  // 微信加密 encryptedData 用的是点按钮那一刻的 session_key；
  // 这里的 wx.login 可能刷新 session_key，服务器用新 code 换来新 key，
  // 再去解密旧数据，就是用 code1 对应的 session_key 加密的数据，拿 code2 换来的 session_key 去解密。
  onGetPhoneNumber(e: WechatMiniprogram.CustomEvent) {
    const { encryptedData, iv } = e.detail as { encryptedData: string; iv: string };
    wx.login({
      success: ({ code }) => {
        wx.request({
          url: `${config.serverUrl}/api/phone/login-and-decrypt`,
          method: 'POST',
          data: { code, encryptedData, iv },
        });
      },
    });
  },
  // #endregion

  // #region query-string
  // 错误：把 Base64 直接拼进 URL。
  // Base64 里的 + 在查询串里表示空格，服务器解析后 encryptedData 就变了样，
  // 含 + 的那些请求解密失败，不含的又能成功，于是问题只是“偶尔”出现。
  onGetPhoneNumberViaQuery(e: WechatMiniprogram.CustomEvent) {
    const { encryptedData, iv } = e.detail as { encryptedData: string; iv: string };
    wx.request({
      url: `${config.serverUrl}/api/phone/decrypt?encryptedData=${encryptedData}&iv=${iv}`,
      method: 'POST',
      header: { Authorization: `Bearer ${getToken()}` },
    });
  },
  // #endregion
});
