import { login } from './auth';

const API_ORIGIN = 'https://api.lab.example.com';

interface RequestOptions {
  url: string;
  method: 'GET' | 'POST';
  data?: WechatMiniprogram.IAnyObject;
  withToken?: boolean;
}

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function send<T>(options: RequestOptions): Promise<T> {
  const token = options.withToken === false ? '' : (wx.getStorageSync('token') as string);
  return new Promise((resolve, reject) => {
    wx.request({
      url: API_ORIGIN + options.url,
      method: options.method,
      data: options.data,
      header: token ? { Authorization: `Bearer ${token}` } : {},
      success: ({ statusCode, data }) => {
        if (statusCode >= 200 && statusCode < 300) return resolve(data as T);
        const { error } = data as { error: { code: string; message: string } };
        reject(new HttpError(statusCode, error.code, error.message));
      },
      // 只有网络层失败才会进 fail：对 wx.request 来说，任何 HTTP 状态码都算 success。
      fail: ({ errMsg }) => reject(new HttpError(0, 'NETWORK', errMsg)),
    });
  });
}

// #region request
/** 所有需要登录态的请求：遇到 401 就重新登录一次，再重试一次。 */
export async function request<T>(options: RequestOptions): Promise<T> {
  try {
    return await send<T>(options);
  } catch (error) {
    if (!(error instanceof HttpError) || error.statusCode !== 401 || options.withToken === false) throw error;
    wx.removeStorageSync('token');
    await login();
    return send<T>(options);
  }
}
// #endregion
