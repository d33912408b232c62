/**
 * access_token on WeChat's side: `GET /cgi-bin/token`, `POST /cgi-bin/stable_token`,
 * and the check every API that takes `?access_token=` runs first.
 *
 * - A token lives 7200 s; fetching a new one from /cgi-bin/token invalidates the previous one.
 *   WeChat only guarantees that both work for 5 minutes ("在5分钟内，新老 access_token 都可用");
 *   the model ends the old one there:
 *   https://mp.weixin.qq.com/debug/minigame/dev/api-backend/auth.getAccessToken.html ,
 *   https://developers.weixin.qq.com/doc/oplatform/developers/dev/AccessToken.html
 * - stable_token returns the same token while it has at least 5 minutes left,
 *   after which old and new overlap; force_refresh revokes, at most 20 times a
 *   day and not within 30 s of the previous one; its tokens are isolated from
 *   /cgi-bin/token's:
 *   https://developers.weixin.qq.com/miniprogram/dev/server/API/mp-access-token/api_getstableaccesstoken
 */
import { DAY, MINUTE, type Clock } from '../support/clock.ts';
import { randomId, type RandomSource } from '../support/random.ts';
import type { WeChatAccounts } from './accounts.ts';
import { wechatError, type WeChatErrorBody } from './errors.ts';

export const ACCESS_TOKEN_LIFETIME_MS = 7200 * 1000;
/** stable_token normal mode hands out a new token once the old one has less than this left. */
export const STABLE_TOKEN_MIN_REMAINING_MS = 5 * MINUTE;
/** 该模式限制每天 20 次. What a 21st force refresh returns is not documented (community reports 45009); modelled as no refresh. */
export const STABLE_FORCE_REFRESH_PER_DAY = 20;
export const STABLE_FORCE_REFRESH_MIN_GAP_MS = 30 * 1000;
/** stable_token's call limits (频率限制：1万次/分钟，50万次/天); not enforced here, only told to the reader. */
export const STABLE_TOKEN_CALLS = { perMinute: 10_000, perDay: 500_000 } as const;
/**
 * `/cgi-bin/token`: "重复获取将导致上次获取的 access_token 失效", but "在5分钟内，新老 access_token 都可用"
 * (https://developers.weixin.qq.com/doc/oplatform/developers/dev/AccessToken.html). Modelled as: a new token
 * puts the previous one in a 5-minute grace window, and a token already in grace dies at once.
 */
export const TOKEN_OVERLAP_MS = 5 * MINUTE;

/** What WeChat would say of a token now, without using it. */
export type AccessTokenStatus = { state: 'valid' | 'expired' | 'revoked' | 'unknown' } | { state: 'grace'; until: number };

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

interface AccessToken {
  appid: string;
  channel: 'token' | 'stable';
  expiresAt: number;
  /** Set when a newer token of the same channel replaced it. */
  revoked: boolean;
  /** /cgi-bin/token only: a replaced token still works until then (TOKEN_OVERLAP_MS). */
  graceUntil?: number;
}

export class AccessTokenIssuer {
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #accounts: WeChatAccounts;
  readonly #tokens = new Map<string, AccessToken>();
  /** The latest token per app and channel: a channel's new token revokes the previous one. */
  readonly #latestToken = new Map<string, string>();
  /** Per app: the times of today's forced refreshes. */
  readonly #forceRefreshes = new Map<string, number[]>();

  constructor(options: { clock: Clock; random: RandomSource; accounts: WeChatAccounts }) {
    this.#clock = options.clock;
    this.#random = options.random;
    this.#accounts = options.accounts;
  }

  /** `GET /cgi-bin/token`: always a new token; the previous one from this endpoint keeps working for TOKEN_OVERLAP_MS. */
  token(query: TokenQuery): AccessTokenResponse {
    const app = query.appid ? this.#accounts.app(query.appid) : undefined;
    if (!app) return wechatError(40013);
    // The documented 40001 here means "AppSecret 错误或者 AppSecret 不属于这个小程序".
    if (query.secret !== app.secret) return wechatError(40001);
    if (query.grant_type !== 'client_credential') return wechatError(40002);
    return this.#mint(app.appid, 'token', 'overlap');
  }

  /**
   * `POST /cgi-bin/stable_token`: the same token while it has at least five
   * minutes left; force_refresh revokes it, at most 20 times a day and not
   * within 30 s of the previous forced refresh (then it quietly does not refresh).
   * Isolated from /cgi-bin/token: neither revokes the other's tokens.
   */
  stableToken(body: StableTokenBody): AccessTokenResponse {
    const app = typeof body.appid === 'string' ? this.#accounts.app(body.appid) : undefined;
    if (!app) return wechatError(40013);
    if (body.secret !== app.secret) return wechatError(40001);
    if (body.grant_type !== 'client_credential') return wechatError(40002);
    const now = this.#clock.now();
    const latestId = this.#latestToken.get(`${app.appid}:stable`);
    const latest = latestId ? this.#tokens.get(latestId) : undefined;
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
        return this.#mint(app.appid, 'stable');
      }
      this.#forceRefreshes.set(key, history);
    }
    if (usable) return { access_token: latestId, expires_in: Math.floor((latest.expiresAt - now) / 1000) };
    // The old token stays valid until it expires: the documented five-minute overlap.
    return this.#mint(app.appid, 'stable', 'keep');
  }

  /** What an API behind `?access_token=` checks first: the app the token belongs to, or 40001 / 42001. */
  checkAccessToken(value: string | undefined): { appid: string } | { error: WeChatErrorBody } {
    const token = value ? this.#tokens.get(value) : undefined;
    if (!token || token.revoked) return { error: wechatError(40001) };
    if (token.graceUntil !== undefined && token.graceUntil <= this.#clock.now()) return { error: wechatError(40001) };
    if (token.expiresAt <= this.#clock.now()) return { error: wechatError(42001) };
    return { appid: token.appid };
  }

  /** What WeChat would say of this token now, without using it: for views and tests. */
  status(value: string): AccessTokenStatus {
    const token = this.#tokens.get(value);
    if (!token) return { state: 'unknown' };
    const checked = this.checkAccessToken(value);
    if ('error' in checked) return { state: checked.error.errcode === 42001 ? 'expired' : 'revoked' };
    return token.graceUntil === undefined ? { state: 'valid' } : { state: 'grace', until: token.graceUntil };
  }

  /**
   * What happens to the previous token of the channel: `revoke` (stable_token force_refresh, as its
   * mini-program page words it), `overlap` (/cgi-bin/token's five minutes) or `keep` (stable_token
   * renewing in the last five minutes: the old one runs out on its own).
   */
  #mint(appid: string, channel: AccessToken['channel'], previousFate: 'revoke' | 'overlap' | 'keep' = 'revoke'): AccessTokenSuccess {
    const previous = this.#latestToken.get(`${appid}:${channel}`);
    if (previousFate === 'overlap') {
      // Only the latest replaced token gets the window: one in grace from an earlier fetch dies now.
      for (const token of this.#tokens.values()) {
        if (token.appid === appid && token.channel === channel && token.graceUntil !== undefined) token.revoked = true;
      }
      if (previous) this.#tokens.get(previous)!.graceUntil = this.#clock.now() + TOKEN_OVERLAP_MS;
    } else if (previous && previousFate === 'revoke') this.#tokens.get(previous)!.revoked = true;
    // Real tokens are long opaque strings; 512 characters of storage are advised.
    const token = `${channel === 'stable' ? 'S' : 'T'}_${randomId(this.#random, 40)}`;
    this.#tokens.set(token, { appid, channel, expiresAt: this.#clock.now() + ACCESS_TOKEN_LIFETIME_MS, revoked: false });
    this.#latestToken.set(`${appid}:${channel}`, token);
    return { access_token: token, expires_in: ACCESS_TOKEN_LIFETIME_MS / 1000 };
  }
}

/** Official pages the chapter's findings link to. */
export const ACCESS_TOKEN_DOC = 'https://developers.weixin.qq.com/doc/oplatform/developers/dev/AccessToken.html';
export const QUOTA_DOC = 'https://developers.weixin.qq.com/doc/service/api/apimanage/api_getapiquota';
