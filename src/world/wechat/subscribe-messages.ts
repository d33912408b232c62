/**
 * Subscribe messages (订阅消息) on WeChat's side: the templates an app picked
 * in its admin console, each user's one-time subscriptions, and
 * `POST /cgi-bin/message/subscribe/send`.
 *
 * - Body fields, defaults and errcodes 40003 / 40037 / 43101 / 47003:
 *   https://developers.weixin.qq.com/miniprogram/dev/server/API/mp-message-management/subscribe-message/api_sendmessage.html
 * - One-time subscription: one accept allows one send ("订阅1次可下发1次", staff:
 *   https://developers.weixin.qq.com/community/develop/doc/000a62a8458fb82f62221b79e61400 ;
 *   https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/subscribe-message-overview.html).
 *   That several accepts add up is our reading; the docs do not say.
 * - Keyword value rules (订阅消息参数值内容限制) are on
 *   https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html#其他说明 ,
 *   but only third-party copies of that table were found (wechat-facts §10).
 */
import type { Clock } from '../support/clock.ts';
import { randomId, type RandomSource } from '../support/random.ts';
import type { AccessTokenIssuer } from './access-token-issuer.ts';
import type { WeChatAccounts } from './accounts.ts';
import type { WeChatErrorBody } from './errors.ts';

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

export class SubscribeMessages {
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #accounts: WeChatAccounts;
  readonly #tokens: AccessTokenIssuer;
  /** Per app: template id → template. */
  readonly #templates = new Map<string, Map<string, SubscribeTemplate>>();
  /** `${appid}:${userId}:${templateId}` → one-time sends left: each accept adds one, each send uses one. */
  readonly #subscriptions = new Map<string, number>();
  readonly #sent: SentSubscribeMessage[] = [];

  constructor(options: { clock: Clock; random: RandomSource; accounts: WeChatAccounts; tokens: AccessTokenIssuer }) {
    this.#clock = options.clock;
    this.#random = options.random;
    this.#accounts = options.accounts;
    this.#tokens = options.tokens;
  }

  /** What 订阅消息 → 选用模板 does in the admin console; returns the template id. */
  addTemplate(appid: string, template: { title: string; keywords: string[]; id?: string }): string {
    if (!this.#accounts.app(appid)) throw new Error(`unknown appid ${appid}`);
    const badKeyword = template.keywords.find((keyword) => !/^[a-z_]+\d+$/.test(keyword));
    if (template.keywords.length === 0 || badKeyword !== undefined) {
      throw new Error(`template keywords look like thing1, time2…; got ${badKeyword ?? 'none'}`);
    }
    // Real ids are 43 characters of base64url-like text.
    const id = template.id ?? randomId(this.#random, 43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
    let templates = this.#templates.get(appid);
    if (!templates) {
      templates = new Map();
      this.#templates.set(appid, templates);
    }
    templates.set(id, { id, title: template.title, keywords: [...template.keywords] });
    return id;
  }

  template(appid: string, templateId: string): SubscribeTemplate | undefined {
    const template = this.#templates.get(appid)?.get(templateId);
    return template ? { ...template, keywords: [...template.keywords] } : undefined;
  }

  /**
   * Backs `accept` in wx.requestSubscribeMessage for a one-time template:
   * "订阅1次可下发1次", and accepts add up. Returns the sends now allowed.
   */
  accept(appid: string, userId: string, templateId: string): number {
    this.#accounts.requireAppAndUser(appid, userId);
    if (!this.#templates.get(appid)?.has(templateId)) throw new Error(`unknown template ${templateId}`);
    // A user who subscribed has an openid in this app, so send can find them by it.
    this.#accounts.openid(appid, userId);
    const key = `${appid}:${userId}:${templateId}`;
    const remaining = (this.#subscriptions.get(key) ?? 0) + 1;
    this.#subscriptions.set(key, remaining);
    return remaining;
  }

  left(appid: string, userId: string, templateId: string): number {
    return this.#subscriptions.get(`${appid}:${userId}:${templateId}`) ?? 0;
  }

  sent(appid: string): SentSubscribeMessage[] {
    return this.#sent.filter((message) => message.appid === appid).map((message) => structuredClone(message));
  }

  /**
   * `POST /cgi-bin/message/subscribe/send?access_token=…`. Checks run in the
   * order credentials → recipient → template → parameters → subscription, so
   * a request that is wrong in several ways gets the developer's mistake
   * first; WeChat does not document its order, this one is our choice.
   */
  send(query: { access_token?: string }, body: unknown): SubscribeSendResponse {
    const caller = this.#tokens.checkAccessToken(query.access_token);
    if ('error' in caller) return caller.error;
    const { appid } = caller;
    const fields = (typeof body === 'object' && body !== null ? body : {}) as SubscribeSendBody;

    const userId = typeof fields.touser === 'string' ? this.#accounts.userIdForOpenid(appid, fields.touser) : undefined;
    if (userId === undefined) return { errcode: 40003, errmsg: SUBSCRIBE_ERRMSGS[40003] };
    const template = typeof fields.template_id === 'string' ? this.#templates.get(appid)?.get(fields.template_id) : undefined;
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
    this.#sent.push({
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
}
