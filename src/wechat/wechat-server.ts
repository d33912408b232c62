/**
 * The simulated WeChat server (微信服务器): the party that issues login codes,
 * owns each user's session_key and answers the developer server's API calls.
 *
 * Behaviour follows the official docs (see ../shared/reference/wechat-facts.md §1):
 * a code lives 5 minutes and can be exchanged once; one user has one valid
 * session_key per mini program at a time; wx.login *may* rotate it, but not on
 * every call. WeChat does not publish how long a session_key lives, so the
 * idle lifetime and the minimum refresh period here are simulation choices,
 * exposed as options and said so in the chapters.
 */
import { DAY, MINUTE, type Clock } from './clock.ts';
import { wechatError, type WeChatErrcode, type WeChatErrorBody } from './errors.ts';
import { randomBase64Bytes, randomId, type RandomSource } from './random.ts';

export interface MiniProgramAccount {
  appid: string;
  secret: string;
  name: string;
  /** Mini programs bound to the same Open Platform account share a unionid per user. */
  openPlatformId?: string;
}

export interface WeChatUser {
  id: string;
  nickname: string;
  phoneNumber: string;
  countryCode: string;
  /** WeChat's risk control blocks login for such users (40226). */
  highRisk?: boolean;
}

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

export interface WeChatServerOptions {
  clock: Clock;
  random: RandomSource;
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

export const CODE_LIFETIME_MS = 5 * MINUTE;

export class WeChatServer {
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #codeLifetimeMs: number;
  readonly #sessionIdleLifetimeMs: number;
  readonly #sessionMinRefreshMs: number;
  readonly #perUserPerMinute: number;

  readonly #apps = new Map<string, MiniProgramAccount>();
  readonly #users = new Map<string, WeChatUser>();
  readonly #codes = new Map<string, LoginCode>();
  readonly #sessions = new Map<string, Session>();
  readonly #openids = new Map<string, string>();
  readonly #unionids = new Map<string, string>();
  readonly #minuteCounters = new Map<string, { minute: number; count: number }>();
  readonly #pendingFaults = new Map<string, InjectableFault>();
  readonly #nextRotation = new Map<string, RotationChoice>();

  constructor(options: WeChatServerOptions) {
    this.#clock = options.clock;
    this.#random = options.random;
    this.#codeLifetimeMs = options.codeLifetimeMs ?? CODE_LIFETIME_MS;
    this.#sessionIdleLifetimeMs = options.sessionIdleLifetimeMs ?? 3 * DAY;
    this.#sessionMinRefreshMs = options.sessionMinRefreshMs ?? 5 * MINUTE;
    this.#perUserPerMinute = options.code2SessionPerUserPerMinute ?? 100;
  }

  registerApp(app: MiniProgramAccount): void {
    this.#apps.set(app.appid, app);
  }

  registerUser(user: WeChatUser): void {
    this.#users.set(user.id, user);
  }

  user(userId: string): WeChatUser | undefined {
    return this.#users.get(userId);
  }

  app(appid: string): MiniProgramAccount | undefined {
    return this.#apps.get(appid);
  }

  // ── What the WeChat client asks its own server (not reachable by developers) ──

  /** Backs wx.login: issues a code bound to the user's session, refreshing the key when WeChat decides to. */
  issueLoginCode(appid: string, userId: string): string {
    this.#requireAppAndUser(appid, userId);
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

  // ── Public API, called by developer servers over HTTPS ──

  /** `GET /sns/jscode2session` (auth.code2Session). */
  jscode2session(query: Code2SessionQuery): Code2SessionResponse {
    const fault = this.#takeFault('jscode2session');
    if (fault !== undefined) return wechatError(fault);

    const app = query.appid ? this.#apps.get(query.appid) : undefined;
    if (!app) return wechatError(40013);
    if (query.secret !== app.secret) return wechatError(40125);
    if (query.grant_type !== 'authorization_code') return wechatError(40002);

    const code = query.js_code ? this.#codes.get(query.js_code) : undefined;
    if (!code || code.appid !== app.appid) return wechatError(40029);
    if (this.#clock.now() - code.issuedAt > this.#codeLifetimeMs) return wechatError(40029);
    if (code.used) return wechatError(40163);

    const user = this.#users.get(code.userId);
    if (user?.highRisk) return wechatError(40226);
    if (!this.#withinMinuteQuota(`${app.appid}:${code.userId}`)) return wechatError(45011);

    code.used = true;
    const unionid = this.#unionid(app, code.userId);
    return {
      openid: this.openid(app.appid, code.userId),
      session_key: code.sessionKey,
      ...(unionid ? { unionid } : {}),
    };
  }

  // ── World controls: what a reader or a test may do to WeChat ──

  /** The next call to `api` fails with this errcode, once. */
  injectFault(api: 'jscode2session', errcode: InjectableFault): void {
    this.#pendingFaults.set(api, errcode);
  }

  pendingFault(api: 'jscode2session'): InjectableFault | undefined {
    return this.#pendingFaults.get(api);
  }

  setHighRisk(userId: string, highRisk: boolean): void {
    const user = this.#users.get(userId);
    if (user) user.highRisk = highRisk;
  }

  /** WeChat ends the session on its own (inactivity, risk control…): the next checkSession fails. */
  expireSession(appid: string, userId: string): void {
    this.#sessions.delete(sessionId(appid, userId));
  }

  setNextRotation(appid: string, userId: string, choice: RotationChoice): void {
    this.#nextRotation.set(sessionId(appid, userId), choice);
  }

  /** The session_key WeChat currently considers valid for this user, if any: for inspection and encryption. */
  currentSessionKey(appid: string, userId: string): string | undefined {
    return this.#liveSession(appid, userId)?.sessionKey;
  }

  openid(appid: string, userId: string): string {
    return this.#stableId(this.#openids, `${appid}:${userId}`);
  }

  #unionid(app: MiniProgramAccount, userId: string): string | undefined {
    return app.openPlatformId ? this.#stableId(this.#unionids, `${app.openPlatformId}:${userId}`) : undefined;
  }

  #stableId(table: Map<string, string>, key: string): string {
    let id = table.get(key);
    if (!id) {
      id = `o${randomId(this.#random, 27)}`;
      table.set(key, id);
    }
    return id;
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

  #requireAppAndUser(appid: string, userId: string): void {
    if (!this.#apps.has(appid)) throw new Error(`unknown appid ${appid}`);
    if (!this.#users.has(userId)) throw new Error(`unknown user ${userId}`);
  }
}

function sessionId(appid: string, userId: string): string {
  return `${appid}:${userId}`;
}
