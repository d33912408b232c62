/**
 * The developer server's HTTP client for WeChat's API (or the emulator at
 * WECHAT_API_BASE). It is the only holder of the AppSecret; its errors never
 * carry a URL, because the jscode2session URL contains the secret.
 */
import type { WeChatApi } from '../../../src/world/developer/developer-server.ts';
import type { AccessTokenResponse } from '../../../src/world/wechat/access-token-issuer.ts';
import type { Code2SessionResponse } from '../../../src/world/wechat/login-sessions.ts';
import type { GetUserPhoneNumberResponse } from '../../../src/world/wechat/phone-numbers.ts';

export interface WeChatApiOptions {
  baseUrl: string;
  appid: string;
  secret: string;
  timeoutMs: number;
}

export interface WeChatHttpApi extends WeChatApi {
  getUserPhoneNumber: NonNullable<WeChatApi['getUserPhoneNumber']>;
  /** `POST /cgi-bin/stable_token` in normal mode: WeChat itself returns the same token until 5 minutes before expiry. */
  stableToken(): Promise<AccessTokenResponse>;
}

/** WeChat could not be asked or did not answer with JSON; the caller treats it like errcode -1. */
export class WeChatUnreachableError extends Error {
  constructor(api: string, reason: string) {
    super(`${api}: ${reason}`);
    this.name = 'WeChatUnreachableError';
  }
}

export function createWeChatApi(options: WeChatApiOptions): WeChatHttpApi {
  const { baseUrl, appid, secret, timeoutMs } = options;

  async function call<T>(api: string, path: string, init: RequestInit = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw new WeChatUnreachableError(api, timedOut ? `no answer within ${timeoutMs} ms` : 'connection failed');
    }
    if (!response.ok) throw new WeChatUnreachableError(api, `HTTP ${response.status}`);
    try {
      // WeChat sometimes labels JSON as text/plain, so parse the text rather than trust the header.
      return JSON.parse(await response.text()) as T;
    } catch {
      throw new WeChatUnreachableError(api, 'the answer is not JSON');
    }
  }

  const postJson = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  return {
    // #region code2session
    code2Session(jsCode) {
      const query = new URLSearchParams({ appid, secret, js_code: jsCode, grant_type: 'authorization_code' });
      return call<Code2SessionResponse>('jscode2session', `/sns/jscode2session?${query}`);
    },
    // #endregion
    // #region stable-token
    stableToken() {
      return call<AccessTokenResponse>(
        'stable_token',
        '/cgi-bin/stable_token',
        postJson({ grant_type: 'client_credential', appid, secret, force_refresh: false }),
      );
    },
    // #endregion
    getUserPhoneNumber(code, accessToken) {
      const query = new URLSearchParams({ access_token: accessToken });
      return call<GetUserPhoneNumberResponse>('getuserphonenumber', `/wxa/business/getuserphonenumber?${query}`, postJson({ code }));
    },
  };
}
