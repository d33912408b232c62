import { config } from '../config';

export interface HttpResponse<T> {
  statusCode: number;
  data: T;
}

/** 服务器所有错误都是这个形状：{ error: { code, message } } */
export interface ErrorBody {
  error?: { code?: string; message?: string };
}

export interface SendOptions {
  path: string;
  method?: 'GET' | 'POST';
  data?: WechatMiniprogram.IAnyObject;
  token?: string;
  /** 默认是配套服务器；只有离线时的 utils/emulator.ts 和 pages/share/group-info.ts 会指向微信接口模拟服务 */
  baseUrl?: string;
}

/**
 * 把 wx.request 包成 Promise。
 * 只要收到服务器响应，无论状态码是多少都会进 success，
 * 所以这里只在网络层失败时 reject，4xx/5xx 交给调用方看 statusCode。
 */
export function send<T>(options: SendOptions): Promise<HttpResponse<T>> {
  return new Promise((resolve, reject) => {
    wx.request({
      url: (options.baseUrl ?? config.serverUrl) + options.path,
      method: options.method ?? 'GET',
      // POST 时按 JSON 发送：encryptedData、iv 里的 + 和 / 原样到达服务器
      data: options.data,
      header: options.token ? { Authorization: `Bearer ${options.token}` } : {},
      timeout: 10_000,
      success: (res) => resolve({ statusCode: res.statusCode, data: res.data as T }),
      // 没有任何响应：断网、超时、域名不在 request 合法域名里
      fail: (err) => reject(new Error(err.errMsg)),
    });
  });
}

/** 错误响应里给用户看的那句话 */
export function errorMessage(data: unknown, fallback: string): string {
  const message = (data as ErrorBody | null)?.error?.message;
  return typeof message === 'string' && message !== '' ? message : fallback;
}

export function errorCode(data: unknown): string {
  const code = (data as ErrorBody | null)?.error?.code;
  return typeof code === 'string' ? code : '';
}
