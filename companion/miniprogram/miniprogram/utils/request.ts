import { clearToken, getToken, getValidToken, login } from './auth';
import { errorCode, errorMessage, send, type SendOptions } from './http';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    /** 服务器的 error.code，例如 PHONE_CODE_INVALID */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type RequestOptions = Omit<SendOptions, 'token' | 'baseUrl'>;

// #region retry-on-401
/** 业务请求：自动带上 token；遇到 401 重新登录一次、重试一次，绝不循环。 */
export async function request<T>(options: RequestOptions): Promise<T> {
  const token = await getValidToken();
  let res = await send<T>({ ...options, token });

  if (res.statusCode === 401) {
    const current = getToken();
    let fresh: string;
    if (current && current !== token) {
      // 另一个并发请求已经换到新 token，直接用
      fresh = current;
    } else {
      clearToken();
      fresh = await login();
    }
    res = await send<T>({ ...options, token: fresh });
  }

  if (res.statusCode < 200 || res.statusCode >= 300) {
    throw new ApiError(res.statusCode, errorCode(res.data), errorMessage(res.data, `服务器返回 ${res.statusCode}`));
  }
  return res.data;
}
// #endregion
