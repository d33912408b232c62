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
import { DAY, MINUTE, type Clock } from '../support/clock.ts';
import { wechatError, type WeChatErrcode, type WeChatErrorBody } from './errors.ts';
import { randomBase64Bytes, randomId, type RandomSource } from '../support/random.ts';
import { encryptWeChatData } from '../support/crypto.ts';

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

// ── Phone number and access_token shapes (wechat-facts §3, §5) ──

/** What the old getPhoneNumber button puts in `e.detail` (besides errMsg). */
export interface EncryptedPhoneDetail {
  encryptedData: string;
  iv: string;
}

/** The decrypted old-flow payload: countryCode is a string there. */
export interface PhonePlainData {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

export type PhoneCodeIssue = { ok: true; code: string } | { ok: false; errno: 1400001; errMsg: string };

export interface GetUserPhoneNumberSuccess {
  errcode: 0;
  errmsg: 'ok';
  phone_info: {
    phoneNumber: string;
    purePhoneNumber: string;
    /** A number in the official response example, unlike the old flow's string. */
    countryCode: number;
    watermark: { timestamp: number; appid: string };
  };
}

export type GetUserPhoneNumberResponse = GetUserPhoneNumberSuccess | WeChatErrorBody;

export interface AccessTokenSuccess {
  access_token: string;
  expires_in: number;
}

export type AccessTokenResponse = AccessTokenSuccess | WeChatErrorBody;

export type TokenQuery = Partial<Record<'grant_type' | 'appid' | 'secret', string>>;

export interface StableTokenBody {
  grant_type?: unknown;
  appid?: unknown;
  secret?: unknown;
  force_refresh?: unknown;
}

export const ACCESS_TOKEN_LIFETIME_MS = 7200 * 1000;
/** stable_token normal mode hands out a new token once the old one has less than this left. */
export const STABLE_TOKEN_MIN_REMAINING_MS = 5 * MINUTE;
export const STABLE_FORCE_REFRESH_PER_DAY = 20;
export const STABLE_FORCE_REFRESH_MIN_GAP_MS = 30 * 1000;
/**
 * `/cgi-bin/token`: "重复获取将导致上次获取的 access_token 失效", but "在5分钟内，新老 access_token 都可用"
 * (https://developers.weixin.qq.com/doc/oplatform/developers/dev/AccessToken.html). Modelled as: a new token
 * puts the previous one in a 5-minute grace window, and a token already in grace dies at once.
 */
export const TOKEN_OVERLAP_MS = 5 * MINUTE;
/** 体验额度: every account starts with 1000 free successful calls. */
export const PHONE_TRIAL_QUOTA = 1000;
/** 0.03 元 per successful call of 手机号快速验证组件 since 2023-08-28, kept in fen to stay exact. */
export const PHONE_FEE_FEN = 3;

// ── Subscribe messages (wechat-facts §10) ──

/** A one-time template as 订阅消息 → 我的模板 lists it: keywords are the `data` keys, e.g. `thing1`, `time2`. */
export interface SubscribeTemplate {
  id: string;
  title: string;
  keywords: string[];
}

/** `POST /cgi-bin/message/subscribe/send` body, as sent: anything may be missing or of the wrong type. */
export interface SubscribeSendBody {
  touser?: unknown;
  template_id?: unknown;
  page?: unknown;
  data?: unknown;
  miniprogram_state?: unknown;
  lang?: unknown;
}

export type SubscribeSendResponse = { errcode: 0; errmsg: 'ok'; msgid: number } | WeChatErrorBody;

/** What a successful send delivered, for tests and the world panel; WeChat shows it in 服务通知. */
export interface SentSubscribeMessage {
  msgid: number;
  appid: string;
  userId: string;
  templateId: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogramState: 'developer' | 'trial' | 'formal';
  lang: string;
  sentAt: number;
}

export const SUBSCRIBE_MINIPROGRAM_STATES = ['developer', 'trial', 'formal'] as const;
export const SUBSCRIBE_LANGS = ['zh_CN', 'en_US', 'zh_HK', 'zh_TW'] as const;

/**
 * subscribeMessage.send's errcodes. errors.ts holds the login-chapter codes;
 * these stay here so the subscribe model is self-contained. errmsg wording is
 * what WeChat answers, minus the per-request ` rid: …` suffix.
 */
const SUBSCRIBE_ERRMSGS = {
  40003: 'invalid openid',
  40037: 'invalid template_id',
  43101: 'user refuse to accept the msg',
} as const;

/**
 * 订阅消息参数值内容限制 for the keyword types with a plain length/charset rule.
 * Only third-party copies of the official table were found (facts §10), so
 * types not listed here (time, date, amount, car_number, name, enum) are
 * checked for a non-empty value only.
 */
const SUBSCRIBE_VALUE_RULES: Record<string, (value: string) => boolean> = {
  thing: (v) => [...v].length <= 20,
  number: (v) => /^-?\d+(\.\d+)?$/.test(v) && v.replace(/\D/g, '').length <= 32,
  letter: (v) => /^[A-Za-z]{1,32}$/.test(v),
  symbol: (v) => [...v].length <= 5 && !/[\p{L}\p{N}]/u.test(v),
  character_string: (v) => /^[\x21-\x7e]{1,32}$/.test(v),
  phone_number: (v) => /^[\d+\-() ]{1,17}$/.test(v),
  phrase: (v) => /^\p{Script=Han}{1,5}$/u.test(v),
};

interface PhoneCode {
  appid: string;
  userId: string;
  issuedAt: number;
  used: boolean;
}

interface AccessToken {
  appid: string;
  channel: 'token' | 'stable';
  expiresAt: number;
  /** Set when a newer token of the same channel replaced it. */
  revoked: boolean;
  /** /cgi-bin/token only: a replaced token still works until then (TOKEN_OVERLAP_MS). */
  graceUntil?: number;
}

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
  readonly #phoneCodes = new Map<string, PhoneCode>();
  readonly #phoneQuota = new Map<string, number>();
  readonly #phoneCharges = new Map<string, number>();
  readonly #accessTokens = new Map<string, AccessToken>();
  /** The latest token per app and channel: a channel's new token revokes the previous one. */
  readonly #latestToken = new Map<string, string>();
  readonly #forceRefreshes = new Map<string, number[]>();
  /** Per app: template id → template. */
  readonly #subscribeTemplates = new Map<string, Map<string, SubscribeTemplate>>();
  /** `${appid}:${userId}:${templateId}` → one-time sends left: each accept adds one, each send uses one. */
  readonly #subscriptions = new Map<string, number>();
  readonly #sentSubscribeMessages: SentSubscribeMessage[] = [];

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

  // ── Phone number: what the getPhoneNumber button asks WeChat for ──

  /**
   * Backs the old getPhoneNumber button: WeChat encrypts the phone number
   * with the session_key that is current *at this moment*, whichever key the
   * developer server holds. Without a live session WeChat starts one the
   * developer never received (a simulation choice: WeChat does not document
   * this case), which is exactly why wx.checkSession or a fresh login must come first.
   */
  async encryptPhoneNumber(appid: string, userId: string): Promise<EncryptedPhoneDetail> {
    this.#requireAppAndUser(appid, userId);
    const user = this.#users.get(userId)!;
    const now = this.#clock.now();
    let session = this.#liveSession(appid, userId);
    if (!session) {
      session = { sessionKey: randomBase64Bytes(this.#random, 16), refreshedAt: now, expiresAt: now + this.#sessionIdleLifetimeMs };
      this.#sessions.set(sessionId(appid, userId), session);
    }
    const data: PhonePlainData = {
      phoneNumber: user.countryCode === '86' ? user.phoneNumber : `+${user.countryCode} ${user.phoneNumber}`,
      purePhoneNumber: user.phoneNumber,
      countryCode: user.countryCode,
    };
    return encryptWeChatData({
      appId: appid,
      sessionKey: session.sessionKey,
      data: { ...data },
      // Seeded so that a replayed deep link yields byte-identical ciphertext.
      iv: randomBase64Bytes(this.#random, 16),
      timestamp: Math.floor(now / 1000),
    });
  }

  /**
   * Backs the new getPhoneNumber button: the quota is checked at the tap, and
   * the call is charged when the success callback fires, i.e. right here.
   */
  issuePhoneCode(appid: string, userId: string): PhoneCodeIssue {
    this.#requireAppAndUser(appid, userId);
    const quota = this.phoneQuota(appid);
    if (quota <= 0) return { ok: false, errno: 1400001, errMsg: 'getPhoneNumber:fail no quota' };
    this.#phoneQuota.set(appid, quota - 1);
    this.#phoneCharges.set(appid, this.phoneCharges(appid) + 1);
    const code = randomId(this.#random, 32, '0123456789abcdef');
    this.#phoneCodes.set(code, { appid, userId, issuedAt: this.#clock.now(), used: false });
    return { ok: true, code };
  }

  phoneQuota(appid: string): number {
    return this.#phoneQuota.get(appid) ?? PHONE_TRIAL_QUOTA;
  }

  /** Successful calls so far; what they cost is PHONE_FEE_FEN each once the trial quota is used. */
  phoneCharges(appid: string): number {
    return this.#phoneCharges.get(appid) ?? 0;
  }

  setPhoneQuota(appid: string, remaining: number): void {
    this.#phoneQuota.set(appid, Math.max(0, Math.floor(remaining)));
  }

  /** `POST /wxa/business/getuserphonenumber?access_token=…` with `{ code, openid? }`. */
  getuserphonenumber(query: { access_token?: string }, body: unknown): GetUserPhoneNumberResponse {
    const tokenError = this.#checkAccessToken(query.access_token);
    if (tokenError) return tokenError;
    const appid = this.#accessTokens.get(query.access_token!)!.appid;
    const { code: codeValue, openid } = (typeof body === 'object' && body !== null ? body : {}) as { code?: unknown; openid?: unknown };
    const code = typeof codeValue === 'string' ? this.#phoneCodes.get(codeValue) : undefined;
    // Expired, used, unknown or another app's: the official staff reply names all four for 40029.
    if (!code || code.appid !== appid || code.used || this.#clock.now() - code.issuedAt > this.#codeLifetimeMs) {
      return wechatError(40029);
    }
    // "填入后会校验openid和code的绑定关系"; the errcode for a mismatch is unpublished, 40029 is our choice.
    if (openid !== undefined && openid !== this.openid(appid, code.userId)) return wechatError(40029);
    code.used = true;
    const user = this.#users.get(code.userId)!;
    return {
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber: user.countryCode === '86' ? user.phoneNumber : `+${user.countryCode} ${user.phoneNumber}`,
        purePhoneNumber: user.phoneNumber,
        countryCode: Number(user.countryCode),
        watermark: { timestamp: Math.floor(this.#clock.now() / 1000), appid },
      },
    };
  }

  // ── access_token (wechat-facts §5) ──

  /** `GET /cgi-bin/token`: always a new token; the previous one from this endpoint keeps working for TOKEN_OVERLAP_MS. */
  token(query: TokenQuery): AccessTokenResponse {
    const app = query.appid ? this.#apps.get(query.appid) : undefined;
    if (!app) return wechatError(40013);
    // The documented 40001 here means "AppSecret 错误或者 AppSecret 不属于这个小程序".
    if (query.secret !== app.secret) return wechatError(40001);
    if (query.grant_type !== 'client_credential') return wechatError(40002);
    return this.#mintAccessToken(app.appid, 'token', 'overlap');
  }

  /**
   * `POST /cgi-bin/stable_token`: the same token while it has at least five
   * minutes left; force_refresh revokes it, at most 20 times a day and not
   * within 30 s of the previous forced refresh (then it quietly does not refresh).
   * Isolated from /cgi-bin/token: neither revokes the other's tokens.
   */
  stableToken(body: StableTokenBody): AccessTokenResponse {
    const app = typeof body.appid === 'string' ? this.#apps.get(body.appid) : undefined;
    if (!app) return wechatError(40013);
    if (body.secret !== app.secret) return wechatError(40001);
    if (body.grant_type !== 'client_credential') return wechatError(40002);
    const now = this.#clock.now();
    const latestId = this.#latestToken.get(`${app.appid}:stable`);
    const latest = latestId ? this.#accessTokens.get(latestId) : undefined;
    const usable = latestId && latest && !latest.revoked && latest.expiresAt - now >= STABLE_TOKEN_MIN_REMAINING_MS;

    if (body.force_refresh === true) {
      const key = app.appid;
      const today = Math.floor(now / DAY);
      const history = (this.#forceRefreshes.get(key) ?? []).filter((t) => Math.floor(t / DAY) === today);
      const last = history.at(-1);
      const tooSoon = last !== undefined && now - last < STABLE_FORCE_REFRESH_MIN_GAP_MS;
      if (!tooSoon && history.length < STABLE_FORCE_REFRESH_PER_DAY) {
        history.push(now);
        this.#forceRefreshes.set(key, history);
        return this.#mintAccessToken(app.appid, 'stable');
      }
      this.#forceRefreshes.set(key, history);
    }
    if (usable) return { access_token: latestId, expires_in: Math.floor((latest.expiresAt - now) / 1000) };
    // The old token stays valid until it expires: the documented five-minute overlap.
    return this.#mintAccessToken(app.appid, 'stable', 'keep');
  }

  /**
   * What happens to the previous token of the channel: `revoke` (stable_token force_refresh, as its
   * mini-program page words it), `overlap` (/cgi-bin/token's five minutes) or `keep` (stable_token
   * renewing in the last five minutes: the old one runs out on its own).
   */
  #mintAccessToken(appid: string, channel: AccessToken['channel'], previousFate: 'revoke' | 'overlap' | 'keep' = 'revoke'): AccessTokenSuccess {
    const previous = this.#latestToken.get(`${appid}:${channel}`);
    if (previousFate === 'overlap') {
      // Only the latest replaced token gets the window: one in grace from an earlier fetch dies now.
      for (const token of this.#accessTokens.values()) {
        if (token.appid === appid && token.channel === channel && token.graceUntil !== undefined) token.revoked = true;
      }
      if (previous) this.#accessTokens.get(previous)!.graceUntil = this.#clock.now() + TOKEN_OVERLAP_MS;
    } else if (previous && previousFate === 'revoke') this.#accessTokens.get(previous)!.revoked = true;
    // Real tokens are long opaque strings; 512 characters of storage are advised.
    const token = `${channel === 'stable' ? 'S' : 'T'}_${randomId(this.#random, 40)}`;
    this.#accessTokens.set(token, { appid, channel, expiresAt: this.#clock.now() + ACCESS_TOKEN_LIFETIME_MS, revoked: false });
    this.#latestToken.set(`${appid}:${channel}`, token);
    return { access_token: token, expires_in: ACCESS_TOKEN_LIFETIME_MS / 1000 };
  }

  /** What WeChat would say of this token now, without using it: for views and tests. */
  accessTokenStatus(value: string): { state: 'valid' | 'expired' | 'revoked' | 'unknown' } | { state: 'grace'; until: number } {
    const token = this.#accessTokens.get(value);
    if (!token) return { state: 'unknown' };
    const error = this.#checkAccessToken(value);
    if (error) return { state: error.errcode === 42001 ? 'expired' : 'revoked' };
    return token.graceUntil === undefined ? { state: 'valid' } : { state: 'grace', until: token.graceUntil };
  }

  #checkAccessToken(value: string | undefined): WeChatErrorBody | undefined {
    const token = value ? this.#accessTokens.get(value) : undefined;
    if (!token || token.revoked) return wechatError(40001);
    if (token.graceUntil !== undefined && token.graceUntil <= this.#clock.now()) return wechatError(40001);
    if (token.expiresAt <= this.#clock.now()) return wechatError(42001);
    return undefined;
  }

  // ── Subscribe messages (wechat-facts §10) ──

  /** What 订阅消息 → 选用模板 does in the admin console; returns the template id. */
  addSubscribeTemplate(appid: string, template: { title: string; keywords: string[]; id?: string }): string {
    if (!this.#apps.has(appid)) throw new Error(`unknown appid ${appid}`);
    const badKeyword = template.keywords.find((keyword) => !/^[a-z_]+\d+$/.test(keyword));
    if (template.keywords.length === 0 || badKeyword !== undefined) {
      throw new Error(`template keywords look like thing1, time2…; got ${badKeyword ?? 'none'}`);
    }
    // Real ids are 43 characters of base64url-like text.
    const id = template.id ?? randomId(this.#random, 43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
    let templates = this.#subscribeTemplates.get(appid);
    if (!templates) {
      templates = new Map();
      this.#subscribeTemplates.set(appid, templates);
    }
    templates.set(id, { id, title: template.title, keywords: [...template.keywords] });
    return id;
  }

  subscribeTemplate(appid: string, templateId: string): SubscribeTemplate | undefined {
    const template = this.#subscribeTemplates.get(appid)?.get(templateId);
    return template ? { ...template, keywords: [...template.keywords] } : undefined;
  }

  /**
   * Backs `accept` in wx.requestSubscribeMessage for a one-time template:
   * "订阅1次可下发1次", and accepts add up. Returns the sends now allowed.
   */
  acceptSubscription(appid: string, userId: string, templateId: string): number {
    this.#requireAppAndUser(appid, userId);
    if (!this.#subscribeTemplates.get(appid)?.has(templateId)) throw new Error(`unknown template ${templateId}`);
    // A user who subscribed has an openid in this app, so send can find them by it.
    this.openid(appid, userId);
    const key = `${appid}:${userId}:${templateId}`;
    const remaining = (this.#subscriptions.get(key) ?? 0) + 1;
    this.#subscriptions.set(key, remaining);
    return remaining;
  }

  subscriptionsLeft(appid: string, userId: string, templateId: string): number {
    return this.#subscriptions.get(`${appid}:${userId}:${templateId}`) ?? 0;
  }

  sentSubscribeMessages(appid: string): SentSubscribeMessage[] {
    return this.#sentSubscribeMessages.filter((message) => message.appid === appid).map((message) => structuredClone(message));
  }

  /**
   * `POST /cgi-bin/message/subscribe/send?access_token=…`. Checks run in the
   * order credentials → recipient → template → parameters → subscription, so
   * a request that is wrong in several ways gets the developer's mistake
   * first; WeChat does not document its order, this one is our choice.
   */
  subscribeMessageSend(query: { access_token?: string }, body: unknown): SubscribeSendResponse {
    const tokenError = this.#checkAccessToken(query.access_token);
    if (tokenError) return tokenError;
    const appid = this.#accessTokens.get(query.access_token!)!.appid;
    const fields = (typeof body === 'object' && body !== null ? body : {}) as SubscribeSendBody;

    const userId = typeof fields.touser === 'string' ? this.#userIdForOpenid(appid, fields.touser) : undefined;
    if (userId === undefined) return { errcode: 40003, errmsg: SUBSCRIBE_ERRMSGS[40003] };
    const template = typeof fields.template_id === 'string' ? this.#subscribeTemplates.get(appid)?.get(fields.template_id) : undefined;
    if (!template) return { errcode: 40037, errmsg: SUBSCRIBE_ERRMSGS[40037] };

    const invalid = (what: string) => ({ errcode: 47003, errmsg: `argument invalid! ${what} invalid` });
    if (fields.page !== undefined && typeof fields.page !== 'string') return invalid('page');
    const state = fields.miniprogram_state ?? 'formal';
    if (!SUBSCRIBE_MINIPROGRAM_STATES.includes(state as never)) return invalid('miniprogram_state');
    const lang = fields.lang ?? 'zh_CN';
    if (!SUBSCRIBE_LANGS.includes(lang as never)) return invalid('lang');
    // The classic mistake: `data` JSON.stringify'd into a string (staff: "把这里的双引号去掉").
    if (typeof fields.data !== 'object' || fields.data === null || Array.isArray(fields.data)) return invalid('data');
    const data = fields.data as Record<string, unknown>;
    const values: Record<string, { value: string }> = {};
    for (const keyword of template.keywords) {
      const entry = data[keyword];
      const raw = typeof entry === 'object' && entry !== null ? (entry as { value?: unknown }).value : undefined;
      const value = typeof raw === 'number' ? String(raw) : raw;
      const rule = SUBSCRIBE_VALUE_RULES[keyword.replace(/\d+$/, '')];
      if (typeof value !== 'string' || value.trim() === '' || (rule && !rule(value))) return invalid(`data.${keyword}.value`);
      values[keyword] = { value };
    }

    const key = `${appid}:${userId}:${template.id}`;
    const remaining = this.#subscriptions.get(key) ?? 0;
    if (remaining <= 0) return { errcode: 43101, errmsg: SUBSCRIBE_ERRMSGS[43101] };
    this.#subscriptions.set(key, remaining - 1);
    const msgid = Number.parseInt(randomId(this.#random, 15, '0123456789'), 10) + 1;
    this.#sentSubscribeMessages.push({
      msgid,
      appid,
      userId,
      templateId: template.id,
      ...(typeof fields.page === 'string' ? { page: fields.page } : {}),
      data: values,
      miniprogramState: state as SentSubscribeMessage['miniprogramState'],
      lang: lang as string,
      sentAt: this.#clock.now(),
    });
    return { errcode: 0, errmsg: 'ok', msgid };
  }

  #userIdForOpenid(appid: string, openid: string): string | undefined {
    for (const [key, id] of this.#openids) {
      if (id !== openid || !key.startsWith(`${appid}:`)) continue;
      const userId = key.slice(appid.length + 1);
      return this.#users.has(userId) ? userId : undefined;
    }
    return undefined;
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

  nextRotation(appid: string, userId: string): RotationChoice {
    return this.#nextRotation.get(sessionId(appid, userId)) ?? 'auto';
  }

  /** The session_key WeChat currently considers valid for this user, if any: for inspection and encryption. */
  currentSessionKey(appid: string, userId: string): string | undefined {
    return this.#liveSession(appid, userId)?.sessionKey;
  }

  openid(appid: string, userId: string): string {
    return this.#stableId(this.#openids, `${appid}:${userId}`);
  }

  /** The openid if one was ever issued; unlike `openid`, it draws nothing, so a view can call it without changing a replay. */
  issuedOpenid(appid: string, userId: string): string | undefined {
    return this.#openids.get(`${appid}:${userId}`);
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
