/**
 * Who WeChat knows: registered mini programs, users, and the ids it hands out
 * for them. openid is per user × mini program; unionid is per user × Open
 * Platform account, so mini programs bound to the same account share it
 * (https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/union-id.html).
 * Ids are drawn from the seeded RandomSource the first time they are needed,
 * which is why calling `openid` can change a replay and `issuedOpenid` cannot.
 */
import { randomId, type RandomSource } from '../support/random.ts';

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

export class WeChatAccounts {
  readonly #random: RandomSource;
  readonly #apps = new Map<string, MiniProgramAccount>();
  readonly #users = new Map<string, WeChatUser>();
  /** `${appid}:${userId}` → openid. */
  readonly #openids = new Map<string, string>();
  /** `${openPlatformId}:${userId}` → unionid. */
  readonly #unionids = new Map<string, string>();

  constructor(options: { random: RandomSource }) {
    this.#random = options.random;
  }

  registerApp(app: MiniProgramAccount): void {
    this.#apps.set(app.appid, app);
  }

  registerUser(user: WeChatUser): void {
    this.#users.set(user.id, user);
  }

  app(appid: string): MiniProgramAccount | undefined {
    return this.#apps.get(appid);
  }

  user(userId: string): WeChatUser | undefined {
    return this.#users.get(userId);
  }

  /** What WeChat's own client-side services assume: the caller named a real app and user, or it is a bug. */
  requireAppAndUser(appid: string, userId: string): WeChatUser {
    if (!this.#apps.has(appid)) throw new Error(`unknown appid ${appid}`);
    const user = this.#users.get(userId);
    if (!user) throw new Error(`unknown user ${userId}`);
    return user;
  }

  setHighRisk(userId: string, highRisk: boolean): void {
    const user = this.#users.get(userId);
    if (user) user.highRisk = highRisk;
  }

  /** The user's openid in this mini program, issued on first use. */
  openid(appid: string, userId: string): string {
    return this.#stableId(this.#openids, `${appid}:${userId}`);
  }

  /** The openid if one was ever issued; unlike `openid`, it draws nothing, so a view can call it without changing a replay. */
  issuedOpenid(appid: string, userId: string): string | undefined {
    return this.#openids.get(`${appid}:${userId}`);
  }

  /** Only for an app bound to an Open Platform account; issued on first use. */
  unionid(app: MiniProgramAccount, userId: string): string | undefined {
    return app.openPlatformId ? this.#stableId(this.#unionids, `${app.openPlatformId}:${userId}`) : undefined;
  }

  /** The user an openid of this app was issued to, if it was issued and the user still exists. */
  userIdForOpenid(appid: string, openid: string): string | undefined {
    for (const [key, id] of this.#openids) {
      if (id !== openid || !key.startsWith(`${appid}:`)) continue;
      const userId = key.slice(appid.length + 1);
      return this.#users.has(userId) ? userId : undefined;
    }
    return undefined;
  }

  #stableId(table: Map<string, string>, key: string): string {
    let id = table.get(key);
    if (!id) {
      id = `o${randomId(this.#random, 27)}`;
      table.set(key, id);
    }
    return id;
  }
}
