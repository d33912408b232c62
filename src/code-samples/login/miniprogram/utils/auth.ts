import { request } from './request';

interface LoginResponse {
  token: string;
  expiresIn: number;
}

// #region login
/** wx.login → code → our server. The code is valid for 5 minutes and only once. */
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
          // Only our own token is stored; session_key never reaches the phone.
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
