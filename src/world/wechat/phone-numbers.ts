/**
 * Phone numbers on WeChat's side: what the getPhoneNumber button gets from
 * WeChat, the quota and charges behind it, and
 * `POST /wxa/business/getuserphonenumber`.
 *
 * - Old flow: the number is encrypted with the session_key current at the tap:
 *   https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/deprecatedGetPhoneNumber.html
 * - Both flows: 1000 free trial calls, then 0.03 元 per successful call; the
 *   quota is checked at the tap (errno 1400001) and charged on the success
 *   callback ("扣费节点：…bindgetphonenumber 事件的 success 回调"), whichever
 *   flow the button serves:
 *   https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/getPhoneNumber.html
 * - "每个code有效期为5分钟，且只能消费一次"; `openid`, if given, must match the code:
 *   https://developers.weixin.qq.com/miniprogram/dev/server/API/user-info/phone-number/api_getphonenumber
 */
import type { Clock } from '../support/clock.ts';
import { encryptWeChatData } from '../support/crypto.ts';
import { randomBase64Bytes, randomId, type RandomSource } from '../support/random.ts';
import type { AccessTokenIssuer } from './access-token-issuer.ts';
import type { WeChatAccounts, WeChatUser } from './accounts.ts';
import { wechatError, type WeChatErrorBody } from './errors.ts';
import type { LoginSessions } from './login-sessions.ts';

/** 体验额度: every account starts with 1000 free successful calls. */
export const PHONE_TRIAL_QUOTA = 1000;
/** 0.03 元 per successful call of 手机号快速验证组件 since 2023-08-28, kept in fen to stay exact. */
export const PHONE_FEE_FEN = 3;

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

export type NoQuota = { ok: false; errno: 1400001; errMsg: string };
export type PhoneCodeIssue = { ok: true; code: string } | NoQuota;

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

interface PhoneCode {
  appid: string;
  userId: string;
  issuedAt: number;
  used: boolean;
}

export class PhoneNumbers {
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #accounts: WeChatAccounts;
  readonly #sessions: LoginSessions;
  readonly #tokens: AccessTokenIssuer;
  /** A phone code lives as long as a login code: both are "5 分钟，只能用一次". */
  readonly #codeLifetimeMs: number;
  readonly #codes = new Map<string, PhoneCode>();
  readonly #quota = new Map<string, number>();
  readonly #charges = new Map<string, number>();

  constructor(options: {
    clock: Clock;
    random: RandomSource;
    accounts: WeChatAccounts;
    sessions: LoginSessions;
    tokens: AccessTokenIssuer;
    codeLifetimeMs: number;
  }) {
    this.#clock = options.clock;
    this.#random = options.random;
    this.#accounts = options.accounts;
    this.#sessions = options.sessions;
    this.#tokens = options.tokens;
    this.#codeLifetimeMs = options.codeLifetimeMs;
  }

  /**
   * Backs the old getPhoneNumber button: WeChat encrypts the phone number
   * with the session_key that is current *at this moment*, whichever key the
   * developer server holds. Without a live session WeChat starts one the
   * developer never received, which is exactly why wx.checkSession or a fresh
   * login must come first.
   */
  async encryptPhoneNumber(appid: string, userId: string): Promise<EncryptedPhoneDetail> {
    const user = this.#accounts.requireAppAndUser(appid, userId);
    const now = this.#clock.now();
    const sessionKey = this.#sessions.currentOrNewSessionKey(appid, userId);
    const data: PhonePlainData = {
      phoneNumber: displayPhoneNumber(user),
      purePhoneNumber: user.phoneNumber,
      countryCode: user.countryCode,
    };
    return encryptWeChatData({
      appId: appid,
      sessionKey,
      data: { ...data },
      // Seeded so that a replayed deep link yields byte-identical ciphertext.
      iv: randomBase64Bytes(this.#random, 16),
      timestamp: Math.floor(now / 1000),
    });
  }

  /** A tap on the old button: the same quota and charge as the new one, then the number encrypted as above. */
  async tapOldPhoneButton(appid: string, userId: string): Promise<({ ok: true } & EncryptedPhoneDetail) | NoQuota> {
    this.#accounts.requireAppAndUser(appid, userId);
    const charged = this.#chargeTap(appid);
    if (!charged.ok) return charged;
    return { ok: true, ...(await this.encryptPhoneNumber(appid, userId)) };
  }

  /**
   * Backs the new getPhoneNumber button: the quota is checked at the tap, and
   * the call is charged when the success callback fires, i.e. right here.
   */
  issuePhoneCode(appid: string, userId: string): PhoneCodeIssue {
    this.#accounts.requireAppAndUser(appid, userId);
    const charged = this.#chargeTap(appid);
    if (!charged.ok) return charged;
    const code = randomId(this.#random, 32, '0123456789abcdef');
    this.#codes.set(code, { appid, userId, issuedAt: this.#clock.now(), used: false });
    return { ok: true, code };
  }

  /** Either button: no quota, no number; otherwise one charge for the success callback about to fire. */
  #chargeTap(appid: string): { ok: true } | NoQuota {
    const quota = this.quota(appid);
    // Only errno 1400001 is documented; the errMsg's wording is the simulator's.
    if (quota <= 0) return { ok: false, errno: 1400001, errMsg: 'getPhoneNumber:fail no quota' };
    this.#quota.set(appid, quota - 1);
    this.#charges.set(appid, this.charges(appid) + 1);
    return { ok: true };
  }

  quota(appid: string): number {
    return this.#quota.get(appid) ?? PHONE_TRIAL_QUOTA;
  }

  /** Successful calls so far; what they cost is PHONE_FEE_FEN each once the trial quota is used. */
  charges(appid: string): number {
    return this.#charges.get(appid) ?? 0;
  }

  setQuota(appid: string, remaining: number): void {
    this.#quota.set(appid, Math.max(0, Math.floor(remaining)));
  }

  /** `POST /wxa/business/getuserphonenumber?access_token=…` with `{ code, openid? }`. */
  getuserphonenumber(query: { access_token?: string }, body: unknown): GetUserPhoneNumberResponse {
    const caller = this.#tokens.checkAccessToken(query.access_token);
    if ('error' in caller) return caller.error;
    const { appid } = caller;
    const { code: codeValue, openid } = (typeof body === 'object' && body !== null ? body : {}) as { code?: unknown; openid?: unknown };
    const code = typeof codeValue === 'string' ? this.#codes.get(codeValue) : undefined;
    // Expired, used, unknown or another app's: the official staff reply names all four for 40029.
    if (!code || code.appid !== appid || code.used || this.#clock.now() - code.issuedAt > this.#codeLifetimeMs) {
      return wechatError(40029);
    }
    // "填入后会校验openid和code的绑定关系"; the errcode for a mismatch is unpublished, 40029 is our choice.
    if (openid !== undefined && openid !== this.#accounts.openid(appid, code.userId)) return wechatError(40029);
    code.used = true;
    const user = this.#accounts.user(code.userId)!;
    return {
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber: displayPhoneNumber(user),
        purePhoneNumber: user.phoneNumber,
        countryCode: Number(user.countryCode),
        // “用户获取手机号操作的时间戳”: when the user tapped, not when the server exchanges the code.
        watermark: { timestamp: Math.floor(code.issuedAt / 1000), appid },
      },
    };
  }
}

/** `phoneNumber` as WeChat formats it: bare for mainland China, with the country code otherwise. */
function displayPhoneNumber(user: WeChatUser): string {
  return user.countryCode === '86' ? user.phoneNumber : `+${user.countryCode} ${user.phoneNumber}`;
}

/** Official pages the chapter's findings link to. */
export const PHONE_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/getPhoneNumber.html';
export const OLD_PHONE_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/deprecatedGetPhoneNumber.html';
