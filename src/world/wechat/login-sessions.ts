/**
 * Login on WeChat's side: the codes wx.login issues, each user's session_key
 * per mini program, and auth.code2Session (`GET /sns/jscode2session`).
 *
 * - A code lives 5 minutes (https://developers.weixin.qq.com/miniprogram/dev/api/open-api/login/wx.login.html)
 *   and can be exchanged once ("只能使用一次"; the page gives no error code for a reused one, and the community reports 40163 or 40029):
 *   https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/login.html
 * - One user has one valid session_key per mini program at a time; wx.login
 *   *may* refresh it, with a minimum period between refreshes:
 *   https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/signature.html
 * - wx.checkSession checks the session of the latest code:
 *   https://developers.weixin.qq.com/miniprogram/dev/api/open-api/login/wx.checkSession.html
 * - code2Session: 40226 for high-risk users, 45011 beyond 100 calls per user per minute:
 *   https://developers.weixin.qq.com/minigame/dev/api-backend/open-api/login/auth.code2Session.html
 *
 * WeChat does not publish how long a session_key lives or the minimum refresh
 * period, so those two are simulation choices, exposed as options and said so
 * in the chapters.
 */
import { DAY, MINUTE, type Clock } from '../support/clock.ts';
import { randomBase64Bytes, randomId, type RandomSource } from '../support/random.ts';
import type { WeChatAccounts } from './accounts.ts';
import { wechatError, type WeChatErrcode, type WeChatErrorBody } from './errors.ts';

export const CODE_LIFETIME_MS = 5 * MINUTE;

export interface Code2SessionSuccess {
  openid: string;
  session_key: string;
  unionid?: string;
}

export type Code2SessionResponse = Code2SessionSuccess | WeChatErrorBody;

export type Code2SessionQuery = Partial<Record<'appid' | 'secret' | 'js_code' | 'grant_type', string>>;

/** Whether the next wx.login refreshes session_key: WeChat decides, the reader may force it. */
export type RotationChoice = 'auto' | 'rotate' | 'keep';

export type InjectableFault = Extract<WeChatErrcode, -1 | 45011>;

/** The login rules a world may tune; each defaults to the documented value or, where none is published, our choice. */
export interface LoginRules {
  codeLifetimeMs?: number;
  /** Simulated: an unused session_key expires after this long. */
  sessionIdleLifetimeMs?: number;
  /** Simulated: wx.login within this period of the last refresh keeps the same key. */
  sessionMinRefreshMs?: number;
  /** Official older wording: 每个用户每分钟 100 次. */
  code2SessionPerUserPerMinute?: number;
}

interface LoginCode {
  appid: string;
  userId: string;
  issuedAt: number;
  sessionKey: string;
  used: boolean;
}

interface Session {
  sessionKey: string;
  refreshedAt: number;
  expiresAt: number;
}

export class LoginSessions {
  readonly codeLifetimeMs: number;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #accounts: WeChatAccounts;
  readonly #sessionIdleLifetimeMs: number;
  readonly #sessionMinRefreshMs: number;
  readonly #perUserPerMinute: number;

  readonly #codes = new Map<string, LoginCode>();
  /** `${appid}:${userId}` → the one valid session. */
  readonly #sessions = new Map<string, Session>();
  readonly #minuteCounters = new Map<string, { minute: number; count: number }>();
  readonly #pendingFaults = new Map<string, InjectableFault>();
  readonly #nextRotation = new Map<string, RotationChoice>();

  constructor(options: LoginRules & { clock: Clock; random: RandomSource; accounts: WeChatAccounts }) {
    this.#clock = options.clock;
    this.#random = options.random;
    this.#accounts = options.accounts;
    this.codeLifetimeMs = options.codeLifetimeMs ?? CODE_LIFETIME_MS;
    this.#sessionIdleLifetimeMs = options.sessionIdleLifetimeMs ?? 3 * DAY;
    this.#sessionMinRefreshMs = options.sessionMinRefreshMs ?? 5 * MINUTE;
    this.#perUserPerMinute = options.code2SessionPerUserPerMinute ?? 100;
  }

  /** Backs wx.login: issues a code bound to the user's session, refreshing the key when WeChat decides to. */
  issueLoginCode(appid: string, userId: string): string {
    this.#accounts.requireAppAndUser(appid, userId);
    const key = sessionId(appid, userId);
    const now = this.#clock.now();
    const choice = this.#nextRotation.get(key) ?? 'auto';
    this.#nextRotation.delete(key);

    let session = this.#liveSession(appid, userId);
    const refreshDue = session !== undefined && now - session.refreshedAt >= this.#sessionMinRefreshMs;
    if (!session || choice === 'rotate' || (choice === 'auto' && refreshDue)) {
      session = { sessionKey: randomBase64Bytes(this.#random, 16), refreshedAt: now, expiresAt: 0 };
    }
    session.expiresAt = now + this.#sessionIdleLifetimeMs;
    this.#sessions.set(key, session);

    const code = randomId(this.#random, 32);
    this.#codes.set(code, { appid, userId, issuedAt: now, sessionKey: session.sessionKey, used: false });
    return code;
  }

  /** Backs wx.checkSession: it checks the session of the latest code, whichever key the developer holds. */
  checkSession(appid: string, userId: string): boolean {
    const session = this.#liveSession(appid, userId);
    if (!session) return false;
    session.expiresAt = this.#clock.now() + this.#sessionIdleLifetimeMs;
    return true;
  }

  /** `GET /sns/jscode2session` (auth.code2Session). */
  jscode2session(query: Code2SessionQuery): Code2SessionResponse {
    const fault = this.#takeFault('jscode2session');
    if (fault !== undefined) return wechatError(fault);

    const app = query.appid ? this.#accounts.app(query.appid) : undefined;
    if (!app) return wechatError(40013);
    if (query.secret !== app.secret) return wechatError(40125);
    if (query.grant_type !== 'authorization_code') return wechatError(40002);

    const code = query.js_code ? this.#codes.get(query.js_code) : undefined;
    if (!code || code.appid !== app.appid) return wechatError(40029);
    if (this.#clock.now() - code.issuedAt > this.codeLifetimeMs) return wechatError(40029);
    if (code.used) return wechatError(40163);

    const user = this.#accounts.user(code.userId);
    if (user?.highRisk) return wechatError(40226);
    if (!this.#withinMinuteQuota(`${app.appid}:${code.userId}`)) return wechatError(45011);

    code.used = true;
    // unionid before openid: both draw from the seeded random, and replays depend on the order.
    const unionid = this.#accounts.unionid(app, code.userId);
    return {
      openid: this.#accounts.openid(app.appid, code.userId),
      session_key: code.sessionKey,
      ...(unionid ? { unionid } : {}),
    };
  }

  /** The session_key WeChat currently considers valid for this user, if any: for inspection and encryption. */
  currentSessionKey(appid: string, userId: string): string | undefined {
    return this.#liveSession(appid, userId)?.sessionKey;
  }

  /**
   * The key WeChat encrypts open data with: the current one, or, without a
   * live session, a new one the developer never received (a simulation
   * choice: WeChat does not document this case).
   */
  currentOrNewSessionKey(appid: string, userId: string): string {
    const live = this.#liveSession(appid, userId);
    if (live) return live.sessionKey;
    const now = this.#clock.now();
    const session = { sessionKey: randomBase64Bytes(this.#random, 16), refreshedAt: now, expiresAt: now + this.#sessionIdleLifetimeMs };
    this.#sessions.set(sessionId(appid, userId), session);
    return session.sessionKey;
  }

  // ── World controls ──

  /** The next call to `api` fails with this errcode, once. */
  injectFault(api: 'jscode2session', errcode: InjectableFault): void {
    this.#pendingFaults.set(api, errcode);
  }

  pendingFault(api: 'jscode2session'): InjectableFault | undefined {
    return this.#pendingFaults.get(api);
  }

  /** WeChat ends the session on its own (inactivity, risk control…): the next checkSession fails. */
  expireSession(appid: string, userId: string): void {
    this.#sessions.delete(sessionId(appid, userId));
  }

  setNextRotation(appid: string, userId: string, choice: RotationChoice): void {
    this.#nextRotation.set(sessionId(appid, userId), choice);
  }

  nextRotation(appid: string, userId: string): RotationChoice {
    return this.#nextRotation.get(sessionId(appid, userId)) ?? 'auto';
  }

  #liveSession(appid: string, userId: string): Session | undefined {
    const session = this.#sessions.get(sessionId(appid, userId));
    return session && session.expiresAt > this.#clock.now() ? session : undefined;
  }

  #withinMinuteQuota(key: string): boolean {
    const minute = Math.floor(this.#clock.now() / MINUTE);
    const counter = this.#minuteCounters.get(key);
    if (!counter || counter.minute !== minute) {
      this.#minuteCounters.set(key, { minute, count: 1 });
      return true;
    }
    counter.count += 1;
    return counter.count <= this.#perUserPerMinute;
  }

  #takeFault(api: string): InjectableFault | undefined {
    const fault = this.#pendingFaults.get(api);
    this.#pendingFaults.delete(api);
    return fault;
  }
}

function sessionId(appid: string, userId: string): string {
  return `${appid}:${userId}`;
}

/** Official pages the chapter's findings link to. */
export const LOGIN_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/login.html';
export const NETWORK_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/ability/network.html';
