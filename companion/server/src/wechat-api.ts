/**
 * The developer server's HTTP client for WeChat's API (or the emulator at
 * WECHAT_API_BASE). It is the only holder of the AppSecret; its errors never
 * carry a URL, because the jscode2session URL contains the secret.
 *
 * Nothing WeChat sends is trusted before it matches the documented shape:
 * a reply that does not is a WeChatBadResponseError (→ 502 WECHAT_BAD_RESPONSE),
 * logged with the endpoint and errcode, never with the body, which may hold
 * a session_key or an access_token. Redirects are refused, because following
 * one would re-send the AppSecret to wherever it points.
 */
import type { FastifyBaseLogger } from 'fastify';
import { z, type ZodType } from 'zod';
import { WeChatBadResponseError, type WeChatApi } from '../../../src/world/developer/developer-server.ts';
import type { AccessTokenResponse } from '../../../src/world/wechat/access-token-issuer.ts';
import type { Code2SessionResponse } from '../../../src/world/wechat/login-sessions.ts';
import type { GetUserPhoneNumberResponse } from '../../../src/world/wechat/phone-numbers.ts';

export interface WeChatApiOptions {
  baseUrl: string;
  appid: string;
  secret: string;
  timeoutMs: number;
  /** Where an unusable reply is reported; silent if omitted. */
  log?: Pick<FastifyBaseLogger, 'warn'>;
}

export interface WeChatHttpApi extends WeChatApi {
  getUserPhoneNumber: NonNullable<WeChatApi['getUserPhoneNumber']>;
  /** `POST /cgi-bin/stable_token` in normal mode: WeChat itself returns the same token until 5 minutes before expiry. */
  stableToken(): Promise<AccessTokenResponse>;
}

/** WeChat could not be asked or did not answer in time; the caller treats it like errcode -1. */
export class WeChatUnreachableError extends Error {
  constructor(api: string, reason: string) {
    super(`${api}: ${reason}`);
    this.name = 'WeChatUnreachableError';
  }
}

/** Every WeChat error reply: a non-zero numeric errcode. Checked first, so an error never has to look like a success. */
const errorReply = z.object({ errcode: z.number().int().refine((code) => code !== 0), errmsg: z.string().optional() }).passthrough();
/** A success may carry `errcode: 0` or no errcode at all. */
const okErrcode = z.literal(0).optional();

// Field sets from the official pages (wechat-facts §2, §3, §5); unknown extra fields are allowed and dropped.
const code2SessionReply = z.object({
  errcode: okErrcode,
  openid: z.string().min(1).max(128),
  session_key: z.string().min(1).max(128),
  unionid: z.string().min(1).max(128).optional(),
});
const stableTokenReply = z.object({
  errcode: okErrcode,
  access_token: z.string().min(1).max(2048),
  expires_in: z.number().int().positive(),
});
const phoneNumberReply = z.object({
  errcode: okErrcode,
  errmsg: z.string().optional(),
  phone_info: z.object({
    phoneNumber: z.string(),
    purePhoneNumber: z.string(),
    // The official field table types it as string, yet the example on the same page shows the number 86: accept both.
    countryCode: z.union([z.number(), z.string()]),
    watermark: z.object({ timestamp: z.number(), appid: z.string() }),
  }),
});

/** The errcode of a reply, if it has a usable one: what the log line may say about an unusable reply. */
function errcodeOf(body: unknown): number | undefined {
  const errcode = typeof body === 'object' && body !== null ? (body as { errcode?: unknown }).errcode : undefined;
  return typeof errcode === 'number' ? errcode : undefined;
}

export function createWeChatApi(options: WeChatApiOptions): WeChatHttpApi {
  const { baseUrl, appid, secret, timeoutMs, log } = options;

  function unusable(endpoint: string, problem: string, body?: unknown): WeChatBadResponseError {
    // The endpoint, the errcode and what was wrong, by field name only: the reply itself may carry secrets.
    log?.warn({ endpoint, errcode: errcodeOf(body), problem }, 'WeChat answered with something unusable');
    return new WeChatBadResponseError(endpoint, problem);
  }

  async function call<T>(endpoint: string, path: string, success: ZodType<unknown>, init: RequestInit = {}): Promise<T> {
    let response: Response;
    let text: string;
    try {
      // The signal also bounds reading the body, so a reply that trickles in cannot hold the request either.
      response = await fetch(`${baseUrl}${path}`, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
      text = await response.text();
    } catch (error) {
      // undici's words for a refused redirect; anything else that fails here is the network.
      if (error instanceof TypeError && (error.cause as Error | undefined)?.message === 'unexpected redirect') {
        throw unusable(endpoint, 'redirected elsewhere (not followed: it would re-send the AppSecret)');
      }
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw new WeChatUnreachableError(endpoint, timedOut ? `no answer within ${timeoutMs} ms` : 'connection failed');
    }
    if (!response.ok) throw new WeChatUnreachableError(endpoint, `HTTP ${response.status}`);
    let body: unknown;
    try {
      // WeChat sometimes labels JSON as text/plain, so parse the text rather than trust the header.
      body = JSON.parse(text);
    } catch {
      throw unusable(endpoint, 'the answer is not JSON');
    }
    if (errorReply.safeParse(body).success) return body as T;
    const parsed = success.safeParse(body);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(the whole reply)'))];
      throw unusable(endpoint, `unexpected shape at ${fields.join(', ')}`, body);
    }
    return parsed.data as T;
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
      return call<Code2SessionResponse>('jscode2session', `/sns/jscode2session?${query}`, code2SessionReply);
    },
    // #endregion
    // #region stable-token
    stableToken() {
      return call<AccessTokenResponse>(
        'stable_token',
        '/cgi-bin/stable_token',
        stableTokenReply,
        postJson({ grant_type: 'client_credential', appid, secret, force_refresh: false }),
      );
    },
    // #endregion
    getUserPhoneNumber(code, accessToken, openid) {
      const query = new URLSearchParams({ access_token: accessToken });
      return call<GetUserPhoneNumberResponse>(
        'getuserphonenumber',
        `/wxa/business/getuserphonenumber?${query}`,
        phoneNumberReply,
        postJson(openid === undefined ? { code } : { code, openid }),
      );
    },
  };
}
