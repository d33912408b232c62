/** 你自己的服务器：必须已在小程序后台配置为 request 合法域名 */
export const API_BASE = 'https://api.example.com';

export interface HttpResponse<T> {
  statusCode: number;
  data: T;
}

export interface SendOptions {
  path: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  data?: WechatMiniprogram.IAnyObject;
  token?: string;
}

/**
 * 把 wx.request 包成 Promise。
 * 只要收到服务器响应，无论状态码是多少都会进 success，
 * 所以这里只在网络层失败时 reject，4xx/5xx 交给调用方看 statusCode。
 */
export function send<T extends WechatMiniprogram.IAnyObject>(
  options: SendOptions,
): Promise<HttpResponse<T>> {
  return new Promise((resolve, reject) => {
    wx.request<T>({
      url: API_BASE + options.path,
      method: options.method ?? 'GET',
      data: options.data,
      header: options.token ? { Authorization: `Bearer ${options.token}` } : {},
      timeout: 10_000,
      success: (res) => resolve({ statusCode: res.statusCode, data: res.data }),
      fail: (err) => reject(new Error(err.errMsg)),
    });
  });
}
