/**
 * The developer server (开发者服务器) as platform-free logic: exchange the
 * code, keep session_key, issue the custom login token, authenticate later
 * requests. Everything it talks to is a port, so the simulator can run it one
 * step at a time against the simulated WeChat, and the companion server can
 * run it behind fastify against the real API or the emulator.
 */
import * as v from 'valibot';
import { AccessTokenError, withAccessToken, type AccessTokenProvider } from './access-token.ts';
import { apiError, type ApiErrorBody, type HttpResponse } from '../support/http.ts';
import { describeErrcode, isWeChatError } from '../wechat/errors.ts';
import type { LoginTokenIssuer } from './login-token.ts';
import type { Code2SessionResponse } from '../wechat/login-sessions.ts';
import type { GetUserPhoneNumberResponse, GetUserPhoneNumberSuccess } from '../wechat/phone-numbers.ts';
import { decryptWeChatData, WeChatCryptoError } from '../support/crypto.ts';

/** The developer server's client for WeChat's API: appid and secret live behind it. */
export interface WeChatApi {
  code2Session(jsCode: string): Promise<Code2SessionResponse>;
  /**
   * `POST /wxa/business/getuserphonenumber`; optional so that login-only servers need not provide it.
   * With `openid`, WeChat checks that the code was issued to that user ("填入后会校验openid和code的绑定关系").
   */
  getUserPhoneNumber?(code: string, accessToken: string, openid?: string): Promise<GetUserPhoneNumberResponse>;
}

/**
 * What a WeChatApi implementation throws when WeChat answered, but not with
 * the documented shape (or not with JSON at all): the reply is unusable, and
 * it is nobody's fault on the mini program's side.
 */
export class WeChatBadResponseError extends Error {
  constructor(
    readonly endpoint: string,
    readonly problem: string,
  ) {
    super(`${endpoint}: ${problem}`);
    this.name = 'WeChatBadResponseError';
  }
}

const badResponse = () => apiError(502, 'WECHAT_BAD_RESPONSE', '微信接口返回了无法识别的数据，请稍后重试');

/**
 * Where the server's access_token comes from: in production a 中控 service
 * or a stable_token cache shared by every instance, never a per-process refresh.
 */
export interface SessionRecord {
  openid: string;
  sessionKey: string;
  unionid?: string;
  updatedAt: number;
}

export interface SessionStore {
  save(record: SessionRecord): Promise<void>;
  get(openid: string): Promise<SessionRecord | undefined>;
  /** Whether a session exists: all that authenticating a request needs, and cheaper than reading it. */
  has(openid: string): Promise<boolean>;
}

export interface DeveloperServerOptions {
  wechat: WeChatApi;
  sessions: SessionStore;
  tokens: LoginTokenIssuer;
  now: () => number;
  /**
   * The classic mistake, kept only so the simulator can show it: send
   * session_key to the mini program. Never enable it in a real server.
   */
  exposeSessionKey?: () => boolean;
  /** This mini program's AppID: decrypted data must carry it in watermark.appid. */
  appid?: string;
  accessTokens?: AccessTokenProvider;
}

export interface PhoneNumberBody {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

/** A non-empty string of at most `max` characters: every body field is one. */
const boundedString = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));

export const phoneDecryptBodySchema = v.strictObject({ encryptedData: boundedString(8192), iv: boundedString(64) });

export const phoneCodeBodySchema = v.strictObject({ code: boundedString(128) });

// #region phone-errors
/** What was being decrypted, for the messages: its name and how the user tries again. */
export interface DecryptSubject {
  name: string;
  retry: string;
}

const PHONE: DecryptSubject = { name: '手机号', retry: '再点一次按钮获取手机号' };

/** How a failed decryption reaches the mini program: the step says whose fault it is; 409 means "log in again". */
export function decryptFailure(error: WeChatCryptoError, subject: DecryptSubject): HttpResponse<ApiErrorBody> {
  switch (error.step) {
    case 'padding':
    case 'json':
      // The bytes are intact but the key is not the one WeChat used: session_key was rotated.
      return apiError(
        409,
        'SESSION_KEY_MISMATCH',
        `${subject.name}解密失败：服务器保存的 session_key 与微信加密时使用的不一致（登录态已刷新）。请重新登录，然后${subject.retry}`,
      );
    case 'watermark':
    case 'appid':
      return apiError(400, 'WATERMARK_MISMATCH', '解密结果的 watermark.appid 不是本小程序，拒绝使用这份数据');
    case 'sessionKey':
      // -41001: only the stored key can be malformed here; a fresh login replaces it.
      return apiError(400, 'SESSION_KEY_INVALID', `服务器保存的会话密钥无效（-41001），请重新登录后${subject.retry}`);
    case 'iv':
      return apiError(400, 'BAD_IV', 'iv 必须是 16 字节数据的 Base64（24 个字符）。若其中的 + 变成了空格，说明它没有编码就放进了 URL');
    default:
      return apiError(
        400,
        'BAD_ENCRYPTED_DATA',
        'encryptedData 在传输中被改动了（不是合法的 Base64，或长度不是 16 字节的整数倍）。请放在 JSON 请求体里原样发送，不要拼进 URL',
      );
  }
}

const phoneErrcodeResponses: Record<number, { status: number; code: string; message: string }> = {
  40029: { status: 400, code: 'PHONE_CODE_INVALID', message: '手机号 code 无效：已过期（5 分钟）、已用过或不属于本小程序。请让用户再点一次按钮' },
  45011: { status: 429, code: 'WECHAT_45011', message: '获取手机号太频繁，请稍后再试' },
  [-1]: { status: 502, code: 'WECHAT_-1', message: '微信服务器繁忙，请稍后重试' },
};
// #endregion

// #region login
export interface LoginSuccessBody {
  token: string;
  expiresIn: number;
  /** Present only under the wrong design. */
  session_key?: string;
}

export interface WeChatSession {
  openid: string;
  sessionKey: string;
  unionid?: string;
}

export type CodeExchange = { ok: true; session: WeChatSession } | { ok: false; errcode: number; response: HttpResponse<ApiErrorBody> };

export const loginBodySchema = v.strictObject({ code: boundedString(128) });

export type Authentication = { ok: true; openid: string } | { ok: false; response: HttpResponse<ApiErrorBody> };

// #region map-errors
/** How WeChat's refusals reach the mini program: the errcode stays visible, the status says who should act. */
const errcodeResponses: Record<number, { status: number; message: string }> = {
  40029: { status: 401, message: 'code 无效或已过期，请重新调用 wx.login 获取新的 code' },
  40163: { status: 401, message: 'code 已被使用过，请重新调用 wx.login 获取新的 code' },
  40226: { status: 403, message: '微信判定该用户为高风险用户，登录被拦截' },
  45011: { status: 429, message: '登录太频繁，请稍后再试' },
  [-1]: { status: 502, message: '微信服务器繁忙，请稍后重试' },
};

/** The server's own configuration is wrong: the user can do nothing, so say little and let the log say more. */
const misconfigurationErrcodes = new Set([40013, 40125, 40002]);

export function mapWeChatRejection(errcode: number): HttpResponse<ApiErrorBody> {
  if (misconfigurationErrcodes.has(errcode)) {
    return apiError(500, 'SERVER_MISCONFIGURED', '服务器的小程序配置有误，请联系开发者');
  }
  const known = errcodeResponses[errcode];
  if (known) return apiError(known.status, `WECHAT_${errcode}`, known.message);
  return apiError(502, `WECHAT_${errcode}`, `微信接口返回错误：${describeErrcode(errcode)}`);
}
// #endregion

export function createDeveloperServer(options: DeveloperServerOptions) {
  const { wechat, sessions, tokens, now } = options;

  function parseLoginBody(body: unknown): { ok: true; code: string } | { ok: false; response: HttpResponse<ApiErrorBody> } {
    const parsed = v.safeParse(loginBodySchema, body);
    if (!parsed.success) {
      return { ok: false, response: apiError(400, 'BAD_REQUEST', '请求体必须是 { "code": string }，且不能有其他字段') };
    }
    return { ok: true, code: parsed.output.code };
  }

  async function exchangeCode(code: string): Promise<CodeExchange> {
    let result: Code2SessionResponse;
    try {
      result = await wechat.code2Session(code);
    } catch (error) {
      if (error instanceof WeChatBadResponseError) return { ok: false, errcode: -1, response: badResponse() };
      return { ok: false, errcode: -1, response: apiError(502, 'WECHAT_UNREACHABLE', '暂时无法连接微信服务器，请稍后重试') };
    }
    if (isWeChatError(result)) return { ok: false, errcode: result.errcode, response: mapWeChatRejection(result.errcode) };
    const { openid, session_key: sessionKey, unionid } = result;
    return { ok: true, session: { openid, sessionKey, ...(unionid ? { unionid } : {}) } };
  }

  // #region issue-token
  async function establishSession(session: WeChatSession): Promise<HttpResponse<LoginSuccessBody>> {
    await sessions.save({ ...session, updatedAt: now() });
    const token = await tokens.issue({ openid: session.openid });
    const body: LoginSuccessBody = { token, expiresIn: tokens.lifetimeSeconds };
    if (options.exposeSessionKey?.()) body.session_key = session.sessionKey;
    return { status: 200, body };
  }
  // #endregion

  async function login(body: unknown): Promise<HttpResponse<LoginSuccessBody | ApiErrorBody>> {
    const parsed = parseLoginBody(body);
    if (!parsed.ok) return parsed.response;
    const exchange = await exchangeCode(parsed.code);
    if (!exchange.ok) return exchange.response;
    return establishSession(exchange.session);
  }

  async function authenticate(authorization: string | undefined): Promise<Authentication> {
    // The scheme is case-insensitive (RFC 9110); a Bearer value that is no signed token is a bad one, not a missing one.
    const token = /^bearer +(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return { ok: false, response: apiError(401, 'TOKEN_MISSING', '缺少登录态，请先登录') };
    if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return { ok: false, response: apiError(401, 'TOKEN_INVALID', '登录态无效，请重新登录') };
    const verified = await tokens.verify(token);
    if (!verified.ok) {
      return verified.reason === 'expired'
        ? { ok: false, response: apiError(401, 'TOKEN_EXPIRED', '登录态已过期，请重新登录') }
        : { ok: false, response: apiError(401, 'TOKEN_INVALID', '登录态无效，请重新登录') };
    }
    if (!(await sessions.has(verified.claims.openid))) {
      return { ok: false, response: apiError(401, 'SESSION_UNKNOWN', '服务器没有这个会话，请重新登录') };
    }
    return { ok: true, openid: verified.claims.openid };
  }

  async function me(authorization: string | undefined): Promise<HttpResponse<{ openid: string } | ApiErrorBody>> {
    const auth = await authenticate(authorization);
    return auth.ok ? { status: 200, body: { openid: auth.openid } } : auth.response;
  }
  // #endregion

  // #region phone-decrypt
  /** `POST /api/phone/decrypt` (old flow): decrypt with the session_key stored at login, never echo it. */
  async function phoneDecrypt(authorization: string | undefined, body: unknown): Promise<HttpResponse<PhoneNumberBody | ApiErrorBody>> {
    const auth = await authenticate(authorization);
    if (!auth.ok) return auth.response;
    const parsed = v.safeParse(phoneDecryptBodySchema, body);
    if (!parsed.success) {
      return apiError(400, 'BAD_REQUEST', '请求体必须是 { "encryptedData": string, "iv": string }，且不能有其他字段');
    }
    if (!options.appid) return apiError(500, 'SERVER_MISCONFIGURED', '服务器没有配置小程序 AppID');
    const session = await sessions.get(auth.openid);
    if (!session) return apiError(401, 'SESSION_UNKNOWN', '服务器没有这个会话，请重新登录');
    let data: Record<string, unknown>;
    try {
      data = await decryptWeChatData({ appId: options.appid, sessionKey: session.sessionKey, ...parsed.output });
    } catch (error) {
      if (error instanceof WeChatCryptoError) return decryptFailure(error, PHONE);
      throw error;
    }
    // Sealed with this user's key, but not by the phone button (group info, say): never answer an empty number.
    if (typeof data.phoneNumber !== 'string' || data.phoneNumber === '') {
      return apiError(400, 'NOT_PHONE_NUMBER', '解密结果里没有 phoneNumber：这不是手机号数据');
    }
    return { status: 200, body: pickPhone(data) };
  }
  // #endregion

  /** `POST /api/phone/code` (new flow): no session_key involved, only the button's code and an access_token. */
  async function phoneCode(authorization: string | undefined, body: unknown): Promise<HttpResponse<PhoneNumberBody | ApiErrorBody>> {
    // The new flow needs no wx.login, but a login state that is sent must still be a valid one.
    if (authorization !== undefined) {
      const auth = await authenticate(authorization);
      if (!auth.ok) return auth.response;
    }
    return exchangePhoneCode(body);
  }

  /**
   * The getuserphonenumber exchange itself, for a caller that has already
   * decided who is asking: with `openid`, WeChat refuses a code issued to
   * another user, so a code lifted from someone else's device is worthless.
   */
  async function exchangePhoneCode(body: unknown, openid?: string): Promise<HttpResponse<PhoneNumberBody | ApiErrorBody>> {
    const parsed = v.safeParse(phoneCodeBodySchema, body);
    if (!parsed.success) return apiError(400, 'BAD_REQUEST', '请求体必须是 { "code": string }，且不能有其他字段');
    const { accessTokens } = options;
    if (!wechat.getUserPhoneNumber || !accessTokens) {
      return apiError(500, 'SERVER_MISCONFIGURED', '服务器没有配置获取手机号所需的接口或 access_token');
    }

    const getUserPhoneNumber = wechat.getUserPhoneNumber.bind(wechat);
    let result: GetUserPhoneNumberResponse;
    try {
      // Another instance or a forced refresh may have replaced our token: one retry with a fresh one.
      result = await withAccessToken(accessTokens, (token) =>
        openid === undefined ? getUserPhoneNumber(parsed.output.code, token) : getUserPhoneNumber(parsed.output.code, token, openid),
      );
    } catch (error) {
      // WeChat refusing to give us a token at all is our configuration (secret, IP allow-list), not the user's problem.
      if (error instanceof AccessTokenError && error.errcode !== -1) {
        return apiError(500, 'SERVER_MISCONFIGURED', '服务器获取 access_token 失败，请联系开发者');
      }
      if (error instanceof WeChatBadResponseError) return badResponse();
      return apiError(502, 'WECHAT_UNREACHABLE', '暂时无法连接微信服务器，请稍后重试');
    }
    if (isWeChatError(result)) {
      const known = phoneErrcodeResponses[result.errcode];
      if (known) return apiError(known.status, known.code, known.message);
      return apiError(502, `WECHAT_${result.errcode}`, `微信接口返回错误：${describeErrcode(result.errcode)}`);
    }
    // The success shape also has a numeric errcode (0), so the type guard cannot narrow to it.
    const { phone_info: info } = result as GetUserPhoneNumberSuccess;
    if (options.appid && info.watermark.appid !== options.appid) {
      return apiError(502, 'WATERMARK_MISMATCH', '微信返回的 watermark.appid 不是本小程序');
    }
    return { status: 200, body: pickPhone(info as unknown as Record<string, unknown>) };
  }

  return { parseLoginBody, exchangeCode, establishSession, login, authenticate, me, phoneDecrypt, phoneCode, exchangePhoneCode };
}

/** Only the three phone fields leave the server; countryCode is a string in the old flow and a number in the new one. */
function pickPhone(data: Record<string, unknown>): PhoneNumberBody {
  return {
    phoneNumber: String(data.phoneNumber ?? ''),
    purePhoneNumber: String(data.purePhoneNumber ?? ''),
    countryCode: String(data.countryCode ?? ''),
  };
}

export type DeveloperServer = ReturnType<typeof createDeveloperServer>;

export function createMemorySessionStore(): SessionStore & { readonly records: ReadonlyMap<string, SessionRecord> } {
  const records = new Map<string, SessionRecord>();
  return {
    records,
    async save(record) {
      records.set(record.openid, { ...record });
    },
    async get(openid) {
      const record = records.get(openid);
      return record ? { ...record } : undefined;
    },
    async has(openid) {
      return records.has(openid);
    },
  };
}
