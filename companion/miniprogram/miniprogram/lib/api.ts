/**
 * wx.request to the developer server as a promise of a tagged result, so the
 * host adapters turn every outcome into one machine event without try/catch.
 *
 * The body goes as JSON (wx.request's default `content-type`): encryptedData
 * and iv are base64 and their `+` and `/` must reach the server untouched,
 * which a query string or a form body would not guarantee.
 */
import { config } from '../config';

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; code: string; message: string };

export interface ApiRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: Record<string, string>;
  token?: string | null;
  /** Defaults to the developer server; the emulator's /__dev/ endpoints use their own base. */
  baseUrl?: string;
}

interface ErrorEnvelope {
  error?: { code?: unknown; message?: unknown };
}

export function callServer<T>(request: ApiRequest): Promise<ApiResult<T>> {
  const header: Record<string, string> = { 'content-type': 'application/json' };
  if (request.token) header.authorization = `Bearer ${request.token}`;
  return new Promise((resolve) => {
    wx.request({
      url: `${request.baseUrl ?? config.serverUrl}${request.path}`,
      method: request.method,
      header,
      data: request.body,
      dataType: 'json',
      success: (res) => {
        if (res.statusCode >= 200 && res.statusCode < 300) {
          resolve({ ok: true, status: res.statusCode, data: res.data as T });
          return;
        }
        const error = (res.data as ErrorEnvelope | undefined)?.error;
        resolve({
          ok: false,
          status: res.statusCode,
          code: typeof error?.code === 'string' ? error.code : `HTTP_${res.statusCode}`,
          message: typeof error?.message === 'string' ? error.message : `服务器返回 ${res.statusCode}`,
        });
      },
      // No HTTP status at all: DNS, refused connection, 合法域名 check, timeout.
      fail: (err) => resolve({ ok: false, status: 0, code: 'request:fail', message: err.errMsg }),
    });
  });
}
