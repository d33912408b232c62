/**
 * The developer server (开发者服务器) as platform-free logic: exchange the
 * code, keep session_key, issue the custom login token, authenticate later
 * requests. Everything it talks to is a port, so the simulator can run it one
 * step at a time against the simulated WeChat, and the companion server can
 * run it behind fastify against the real API or the emulator.
 */
import { z } from 'zod';
import { apiError, type ApiErrorBody, type HttpResponse } from './http.ts';
import { describeErrcode, isWeChatError } from './errors.ts';
import type { LoginTokenIssuer } from './login-token.ts';
import type { Code2SessionResponse } from './wechat-server.ts';

/** The developer server's client for WeChat's API: appid and secret live behind it. */
export interface WeChatApi {
  code2Session(jsCode: string): Promise<Code2SessionResponse>;
}

export interface SessionRecord {
  openid: string;
  sessionKey: string;
  unionid?: string;
  updatedAt: number;
}

export interface SessionStore {
  save(record: SessionRecord): Promise<void>;
  get(openid: string): Promise<SessionRecord | undefined>;
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
}

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

export const loginBodySchema = z.object({ code: z.string().min(1).max(128) }).strict();

export type Authentication = { ok: true; openid: string } | { ok: false; response: HttpResponse<ApiErrorBody> };

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

export function createDeveloperServer(options: DeveloperServerOptions) {
  const { wechat, sessions, tokens, now } = options;

  function parseLoginBody(body: unknown): { ok: true; code: string } | { ok: false; response: HttpResponse<ApiErrorBody> } {
    const parsed = loginBodySchema.safeParse(body);
    if (!parsed.success) {
      return { ok: false, response: apiError(400, 'BAD_REQUEST', '请求体必须是 { "code": string }，且不能有其他字段') };
    }
    return { ok: true, code: parsed.data.code };
  }

  async function exchangeCode(code: string): Promise<CodeExchange> {
    let result: Code2SessionResponse;
    try {
      result = await wechat.code2Session(code);
    } catch {
      return { ok: false, errcode: -1, response: apiError(502, 'WECHAT_UNREACHABLE', '暂时无法连接微信服务器，请稍后重试') };
    }
    if (isWeChatError(result)) return { ok: false, errcode: result.errcode, response: mapWeChatRejection(result.errcode) };
    const { openid, session_key: sessionKey, unionid } = result;
    return { ok: true, session: { openid, sessionKey, ...(unionid ? { unionid } : {}) } };
  }

  async function establishSession(session: WeChatSession): Promise<HttpResponse<LoginSuccessBody>> {
    await sessions.save({ ...session, updatedAt: now() });
    const token = await tokens.issue({ openid: session.openid });
    const body: LoginSuccessBody = { token, expiresIn: tokens.lifetimeSeconds };
    if (options.exposeSessionKey?.()) body.session_key = session.sessionKey;
    return { status: 200, body };
  }

  async function login(body: unknown): Promise<HttpResponse<LoginSuccessBody | ApiErrorBody>> {
    const parsed = parseLoginBody(body);
    if (!parsed.ok) return parsed.response;
    const exchange = await exchangeCode(parsed.code);
    if (!exchange.ok) return exchange.response;
    return establishSession(exchange.session);
  }

  async function authenticate(authorization: string | undefined): Promise<Authentication> {
    const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(authorization ?? '')?.[1];
    if (!token) return { ok: false, response: apiError(401, 'TOKEN_MISSING', '缺少登录态，请先登录') };
    const verified = await tokens.verify(token);
    if (!verified.ok) {
      return verified.reason === 'expired'
        ? { ok: false, response: apiError(401, 'TOKEN_EXPIRED', '登录态已过期，请重新登录') }
        : { ok: false, response: apiError(401, 'TOKEN_INVALID', '登录态无效，请重新登录') };
    }
    if (!(await sessions.get(verified.claims.openid))) {
      return { ok: false, response: apiError(401, 'SESSION_UNKNOWN', '服务器没有这个会话，请重新登录') };
    }
    return { ok: true, openid: verified.claims.openid };
  }

  async function me(authorization: string | undefined): Promise<HttpResponse<{ openid: string } | ApiErrorBody>> {
    const auth = await authenticate(authorization);
    return auth.ok ? { status: 200, body: { openid: auth.openid } } : auth.response;
  }

  return { parseLoginBody, exchangeCode, establishSession, login, authenticate, me };
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
  };
}
