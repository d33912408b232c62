import { request } from './request';

interface LoginResponse {
  token: string;
  expiresIn: number;
}

// #region login
/** wx.login → code → 自己的服务器。code 5 分钟内有效，只能用一次。 */
export function login(): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.login({
      success: async ({ code }) => {
        try {
          const { token } = await request<LoginResponse>({
            url: '/api/login',
            method: 'POST',
            data: { code },
            withToken: false,
          });
          // #endregion
          // #region store-token
          // 手机上只存自己签发的 token；session_key 永远不下发。
          wx.setStorageSync('token', token);
          resolve(token);
          // #endregion
        } catch (error) {
          reject(error);
        }
      },
      fail: reject,
    });
  });
}
