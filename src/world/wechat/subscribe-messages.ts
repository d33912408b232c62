/**
 * Subscribe messages (订阅消息) on WeChat's side: the templates an app picked
 * in its admin console; wx.requestSubscribeMessage (the tap rule, ids per
 * call, the popup, 「总是保持」 remembered choices, the main switch); each
 * user's quota ledger (one-time and long-term); 拒收 in 服务通知;
 * `POST /cgi-bin/message/subscribe/send`; and the event pushes WeChat sends
 * the developer's server, with their signature.
 *
 * - Body fields, defaults and errcodes 40003 / 40037 / 43101 / 47003:
 *   https://developers.weixin.qq.com/miniprogram/dev/server/API/mp-message-management/subscribe-message/api_sendmessage.html
 * - One-time subscription: one accept allows one send ("订阅1次可下发1次", staff:
 *   https://developers.weixin.qq.com/community/develop/doc/000a62a8458fb82f62221b79e61400 ;
 *   https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/subscribe-message-overview.html).
 *   That several accepts add up is our reading; the docs do not say.
 * - Keyword value rules (订阅消息参数值内容限制) are the table on the same
 *   api_sendmessage page (SEND_MESSAGE_DOC).
 */
import type { Clock } from '../support/clock.ts';
import { randomId, type RandomSource } from '../support/random.ts';
import type { AccessTokenIssuer } from './access-token-issuer.ts';
import type { WeChatAccounts } from './accounts.ts';
import type { WeChatErrorBody } from './errors.ts';

// ── Official pages of the rules below ──

/** wx.requestSubscribeMessage: tap only, ids per call, statuses, errCodes. */
export const REQUEST_SUBSCRIBE_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api/open-api/subscribe-message/wx.requestSubscribeMessage.html';
/** The guide: "总是保持以上选择", getSetting's subscriptionsSetting, the event pushes. */
export const SUBSCRIBE_GUIDE_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/subscribe-message.html';
/** Kinds: one-time, long-term (only some industries), device. */
export const SUBSCRIBE_OVERVIEW_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/subscribe-message-overview.html';
/** subscribeMessage.send: body, errcodes, the value table (参数值内容限制). */
export const SEND_MESSAGE_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/server/API/mp-message-management/subscribe-message/api_sendmessage.html';
/** 消息推送: the signature over Token, timestamp and nonce. */
export const MESSAGE_PUSH_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html';
/** 微信团队, 2019-10-12: 小程序模板消息能力调整通知. */
export const TEMPLATE_MESSAGE_NOTICE = 'https://developers.weixin.qq.com/community/develop/doc/00008a8a7d8310b6bf4975b635a401';
/** Staff: "订阅1次可下发1次，43101一般是订阅次数用完了或者是用户取消订阅了". */
export const STAFF_43101_ANSWER = 'https://developers.weixin.qq.com/community/develop/doc/000a62a8458fb82f62221b79e61400';
/** "总是保持以上选择" is not a long-term subscription (community answer). */
export const ALWAYS_KEEP_ANSWER = 'https://developers.weixin.qq.com/community/develop/doc/000002fff4c4e85736718b47561c00';

// ── The rules, each once ──

/**
 * How many template ids one wx.requestSubscribeMessage call may carry: the
 * current page says 5 ("一次调用最多可订阅5条消息"); the typings said 3 from
 * 2019-12 until 2025-12 (api-typings 5e17c02). REQUEST_SUBSCRIBE_DOC.
 */
export const TMPL_IDS_PER_CALL = { current: 5, before2025: 3 } as const;
export type SubscribeEra = keyof typeof TMPL_IDS_PER_CALL;

/** `thing.DATA`: 20 characters at most (汉字、数字、字母或符号). SEND_MESSAGE_DOC, 参数值内容限制. */
export const THING_MAX_CHARS = 20;
/** `phrase.DATA`: 5 汉字 at most, nothing else. SEND_MESSAGE_DOC. */
export const PHRASE_MAX_HAN = 5;

/**
 * Long-term subscriptions: "目前长期性订阅消息仅向政务民生、医疗、交通、金融、
 * 教育等线下公共服务开放". SUBSCRIBE_OVERVIEW_DOC. The list ends in 等, so it
 * is the documented examples, not a closed set.
 */
export const LONG_TERM_INDUSTRIES = ['政务民生', '医疗', '交通', '金融', '教育'] as const;

/**
 * Template messages (模板消息, formId, "用户访问小程序后的 7 天内下发") were
 * announced to be replaced on 2019-10-12 and went offline on 2020-01-10.
 * TEMPLATE_MESSAGE_NOTICE.
 */
export const TEMPLATE_MESSAGE_HISTORY = {
  announced: '2019-10-12',
  offline: '2020-01-10',
  formIdDays: 7,
} as const;

/**
 * Not from a tap (an `await` or a timer came first): the community-reported
 * errMsg; the page only says "仅在点击行为时调用". REQUEST_SUBSCRIBE_DOC;
 * pitfalls in chapters-research §7B.
 */
export const TAP_GESTURE_ERRMSG = 'requestSubscribeMessage:fail can only be invoked by user TAP gesture.';

/** wx.requestSubscribeMessage's fail errCodes (REQUEST_SUBSCRIBE_DOC), those the world can produce. */
export const REQUEST_SUBSCRIBE_ERRORS = {
  10001: 'TmplIds can\'t be empty',
  20001: 'No template data return, verify the template id exist',
  20002: 'Templates type must be same',
  20003: 'Templates count out of max bounds',
  20004: 'The main switch is switched off',
} as const;
export type RequestSubscribeErrCode = keyof typeof REQUEST_SUBSCRIBE_ERRORS;

/** Per-template statuses in the success result (REQUEST_SUBSCRIBE_DOC); the world produces these four. */
export type SubscribeStatus = 'accept' | 'reject' | 'ban' | 'filter';

/** subscribeMessage.send's errcodes, each with the wording WeChat answers (minus ` rid: …`). SEND_MESSAGE_DOC. */
export const SEND_ERRCODES = {
  40001: 'invalid credential, access_token is invalid or not latest',
  40003: 'invalid openid',
  40037: 'invalid template_id',
  41030: 'invalid page',
  43101: 'user refuse to accept the msg',
  47003: 'argument invalid!',
} as const;

export type TemplateKind = 'one-time' | 'long-term';

/** A template as 订阅消息 → 我的模板 lists it: keywords are the `data` keys, e.g. `thing1`, `time2`. */
export interface SubscribeTemplate {
  id: string;
  title: string;
  keywords: string[];
  kind: TemplateKind;
}

/** One entry of an event push's `List`. */
export interface SubscribeEventItem {
  TemplateId: string;
  SubscribeStatusString?: string;
  PopupScene?: string;
  MsgID?: string;
  ErrorCode?: string;
  ErrorStatus?: string;
}

/**
 * What WeChat POSTs to the 消息推送 URL (JSON format), SUBSCRIBE_GUIDE_DOC.
 * The quirk is kept: `List` is the object itself when there is one item, an
 * array otherwise.
 */
export interface SubscribeEventPush {
  ToUserName: string;
  FromUserName: string;
  CreateTime: number;
  MsgType: 'event';
  Event: 'subscribe_msg_popup_event' | 'subscribe_msg_change_event' | 'subscribe_msg_sent_event';
  List: SubscribeEventItem | SubscribeEventItem[];
}

/** What a user kept with 「总是保持以上选择，不再询问」, and the main switch: WeChat's client side. */
export interface SubscriptionsSettingView {
  mainSwitch: boolean;
  itemSettings: Record<string, 'accept' | 'reject' | 'ban'>;
}

export type RequestSubscribeFailure = { ok: false; errCode?: RequestSubscribeErrCode; errMsg: string };
export type RequestSubscribeSuccess = { ok: true; result: { errMsg: 'requestSubscribeMessage:ok' } & Record<string, string> };

/** The first half of a call: fail at once, answer without a popup (everything kept), or show a popup for `asking`. */
export type RequestSubscribeStart =
  | RequestSubscribeFailure
  | { ok: true; popup: false; result: RequestSubscribeSuccess['result'] }
  | { ok: true; popup: true; asking: string[]; settled: RequestSubscribeSuccess['result'] };

export interface PopupAnswer {
  /** Per template in the popup: its switch on or off. */
  accept: Record<string, boolean>;
  /** 「总是保持以上选择，不再询问」 ticked. */
  keep: boolean;
}

/** The ledger row of one user × template, for views: sends left, or unlimited for a long-term subscription. */
export interface LedgerRow {
  templateId: string;
  kind: TemplateKind;
  /** `Infinity` for a long-term subscription in force. */
  left: number;
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
const SUBSCRIBE_ERRMSGS = SEND_ERRCODES;

const HAN = String.raw`\p{Script=Han}`;
/** 年月日 as the table allows it: 2019年10月1日, 2019年10月, 10月1日, or with - / . between the numbers. */
const DATE = String.raw`(?:\d{4}年\d{1,2}月\d{1,2}日|\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})`;
/** 24 小时制: 15:01 or 15:01:30. */
const TIME = String.raw`(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?`;
/** One value, or a period written with ~ between two. */
const rangeOf = (part: string) => new RegExp(`^${part}(?:\\s*~\\s*${part})?$`, 'u');
const TIME_VALUE = rangeOf(`(?:${DATE}\\s*)?${TIME}`);
const DATE_VALUE = rangeOf(`${DATE}(?:\\s*${TIME})?`);

/**
 * 订阅消息参数值内容限制, the table on SEND_MESSAGE_DOC, one rule per keyword
 * type. Symbols never include control characters or line breaks. `enum`
 * values depend on the template's own list, which the model does not keep,
 * so an enum is only checked for being non-empty.
 */
const SUBSCRIBE_VALUE_RULES: Record<string, (value: string) => boolean> = {
  thing: (v) => [...v].length <= THING_MAX_CHARS,
  number: (v) => /^-?\d+(\.\d+)?$/.test(v) && v.replace(/\D/g, '').length <= 32,
  letter: (v) => /^[A-Za-z]{1,32}$/.test(v),
  symbol: (v) => [...v].length <= 5 && !/[\p{L}\p{N}\p{Cc}]/u.test(v),
  character_string: (v) => /^[\x21-\x7e]{1,32}$/.test(v),
  time: (v) => TIME_VALUE.test(v),
  date: (v) => DATE_VALUE.test(v),
  // "1个币种符号+10位以内纯数字，可带小数，结尾可带“元”".
  amount: (v) => /^\p{Sc}?\d{1,10}(\.\d+)?元?$/u.test(v),
  phone_number: (v) => /^[\d+\-() ]{1,17}$/.test(v),
  // "8位以内，第一位与最后一位可为汉字，其余为字母或数字".
  car_number: (v) => [...v].length <= 8 && new RegExp(`^[${HAN}A-Za-z0-9](?:[A-Za-z0-9]*[${HAN}A-Za-z0-9])?$`, 'u').test(v),
  // "10个以内纯汉字或20个以内纯字母或符号"; Chinese mixed with letters counts as Chinese.
  name: (v) =>
    new RegExp(HAN, 'u').test(v) ? [...v].length <= 10 && !/[\d\p{Cc}]/u.test(v) : /^[A-Za-z\p{P}\p{Zs}]{1,20}$/u.test(v),
  phrase: (v) => new RegExp(`^${HAN}{1,${PHRASE_MAX_HAN}}$`, 'u').test(v),
};

/**
 * Why a keyword's value breaks the value table, in Chinese, or null when it
 * passes. The table is public, so a developer server may check the same rules
 * before it sends (fail fast, naming the field).
 */
export function keywordValueProblem(keyword: string, value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return '不能为空';
  const type = keyword.replace(/\d+$/, '');
  const rule = SUBSCRIBE_VALUE_RULES[type];
  if (!rule || rule(value)) return null;
  if (type === 'thing') return `thing 最多 ${THING_MAX_CHARS} 个字符，这里有 ${[...value].length} 个`;
  if (type === 'phrase') return `phrase 只能是 ${PHRASE_MAX_HAN} 个以内的汉字`;
  return `不符合 ${type} 的取值规则`;
}

/** The 消息推送 signature: sha1 of Token, timestamp and nonce sorted and joined. MESSAGE_PUSH_DOC. */
export async function messagePushSignature(token: string, timestamp: string, nonce: string): Promise<string> {
  const joined = [token, timestamp, nonce].sort().join('');
  const digest = await globalThis.crypto.subtle.digest('SHA-1', new TextEncoder().encode(joined));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

interface UserTemplateState {
  /** One-time sends left: each accept adds one, each send uses one. */
  left: number;
  /** A long-term subscription in force: sends are not counted. */
  longTerm: boolean;
  /** What 「总是保持以上选择」 kept for this template, if it was ticked. */
  kept?: 'accept' | 'reject';
}

export class SubscribeMessages {
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #accounts: WeChatAccounts;
  readonly #tokens: AccessTokenIssuer;
  /** Per app: template id → template. */
  readonly #templates = new Map<string, Map<string, SubscribeTemplate & { banned: boolean }>>();
  /** `${appid}:${userId}:${templateId}` → the ledger row and what the client remembers. */
  readonly #state = new Map<string, UserTemplateState>();
  /** `${appid}:${userId}` → the main switch is off (设置 → 订阅消息 → 接收通知). */
  readonly #mainSwitchOff = new Set<string>();
  /** Per app: its service category, which decides whether long-term templates may be used. */
  readonly #industries = new Map<string, string>();
  /** Per app: the pages of the live (现网) version; unset means 41030 is not checked. */
  readonly #livePages = new Map<string, Set<string>>();
  readonly #sent: SentSubscribeMessage[] = [];
  readonly #events: { appid: string; push: SubscribeEventPush }[] = [];

  constructor(options: { clock: Clock; random: RandomSource; accounts: WeChatAccounts; tokens: AccessTokenIssuer }) {
    this.#clock = options.clock;
    this.#random = options.random;
    this.#accounts = options.accounts;
    this.#tokens = options.tokens;
  }

  /** What 订阅消息 → 选用模板 does in the admin console; returns the template id. */
  addTemplate(appid: string, template: { title: string; keywords: string[]; id?: string; kind?: TemplateKind }): string {
    if (!this.#accounts.app(appid)) throw new Error(`unknown appid ${appid}`);
    const badKeyword = template.keywords.find((keyword) => !/^[a-z_]+\d+$/.test(keyword));
    if (template.keywords.length === 0 || badKeyword !== undefined) {
      throw new Error(`template keywords look like thing1, time2…; got ${badKeyword ?? 'none'}`);
    }
    const kind = template.kind ?? 'one-time';
    if (kind === 'long-term' && !this.longTermAllowed(appid)) {
      throw new Error(`long-term templates are open only to ${LONG_TERM_INDUSTRIES.join('、')} and similar public services`);
    }
    // Real ids are 43 characters of base64url-like text.
    const id = template.id ?? randomId(this.#random, 43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
    let templates = this.#templates.get(appid);
    if (!templates) {
      templates = new Map();
      this.#templates.set(appid, templates);
    }
    templates.set(id, { id, title: template.title, keywords: [...template.keywords], kind, banned: false });
    return id;
  }

  template(appid: string, templateId: string): SubscribeTemplate | undefined {
    const template = this.#templates.get(appid)?.get(templateId);
    return template ? { id: template.id, title: template.title, keywords: [...template.keywords], kind: template.kind } : undefined;
  }

  /** WeChat's backend banned this template: requests answer `ban` for it. */
  banTemplate(appid: string, templateId: string, banned = true): void {
    const template = this.#templates.get(appid)?.get(templateId);
    if (!template) throw new Error(`unknown template ${templateId}`);
    template.banned = banned;
  }

  setIndustry(appid: string, industry: string): void {
    this.#industries.set(appid, industry);
  }

  industry(appid: string): string | undefined {
    return this.#industries.get(appid);
  }

  longTermAllowed(appid: string): boolean {
    return (LONG_TERM_INDUSTRIES as readonly string[]).includes(this.#industries.get(appid) ?? '');
  }

  /** The pages of the live version; a formal send to any other page answers 41030. */
  setLivePages(appid: string, pages: readonly string[] | undefined): void {
    if (pages === undefined) this.#livePages.delete(appid);
    else this.#livePages.set(appid, new Set(pages.map((page) => page.replace(/^\//, ''))));
  }

  #row(appid: string, userId: string, templateId: string): UserTemplateState {
    const key = `${appid}:${userId}:${templateId}`;
    let row = this.#state.get(key);
    if (!row) {
      row = { left: 0, longTerm: false };
      this.#state.set(key, row);
    }
    return row;
  }

  /**
   * Backs `accept` for a one-time template: "订阅1次可下发1次", and accepts add
   * up (our reading). For a long-term template it starts the subscription.
   * Returns the sends now allowed (Infinity for long-term).
   */
  accept(appid: string, userId: string, templateId: string): number {
    this.#accounts.requireAppAndUser(appid, userId);
    const template = this.#templates.get(appid)?.get(templateId);
    if (!template) throw new Error(`unknown template ${templateId}`);
    // A user who subscribed has an openid in this app, so send can find them by it.
    this.#accounts.openid(appid, userId);
    const row = this.#row(appid, userId, templateId);
    if (template.kind === 'long-term') {
      row.longTerm = true;
      return Infinity;
    }
    row.left += 1;
    return row.left;
  }

  left(appid: string, userId: string, templateId: string): number {
    const row = this.#state.get(`${appid}:${userId}:${templateId}`);
    if (!row) return 0;
    return row.longTerm ? Infinity : row.left;
  }

  /** The quota ledger of one user: a row per template of the app. */
  ledger(appid: string, userId: string): LedgerRow[] {
    return [...(this.#templates.get(appid)?.values() ?? [])].map((template) => ({
      templateId: template.id,
      kind: template.kind,
      left: this.left(appid, userId, template.id),
    }));
  }

  setMainSwitch(appid: string, userId: string, on: boolean): void {
    if (on) this.#mainSwitchOff.delete(`${appid}:${userId}`);
    else this.#mainSwitchOff.add(`${appid}:${userId}`);
  }

  /** `wx.getSetting({ withSubscriptions: true }).subscriptionsSetting`: only kept choices are listed. */
  subscriptionsSetting(appid: string, userId: string): SubscriptionsSettingView {
    const itemSettings: SubscriptionsSettingView['itemSettings'] = {};
    for (const template of this.#templates.get(appid)?.values() ?? []) {
      const kept = this.#state.get(`${appid}:${userId}:${template.id}`)?.kept;
      if (template.banned) itemSettings[template.id] = 'ban';
      else if (kept) itemSettings[template.id] = kept;
    }
    return { mainSwitch: !this.#mainSwitchOff.has(`${appid}:${userId}`), itemSettings };
  }

  /**
   * The first half of wx.requestSubscribeMessage, checks in the page's order
   * of errCodes: a call that is not a tap, no ids, too many for the era,
   * unknown ids, one-time mixed with long-term, the main switch. Then every
   * template either answers by itself (kept, banned, a duplicate title) or
   * goes into the popup.
   */
  beginRequest(appid: string, userId: string, call: { tmplIds: unknown; fromTap: boolean; era: SubscribeEra }): RequestSubscribeStart {
    this.#accounts.requireAppAndUser(appid, userId);
    if (!call.fromTap) return { ok: false, errMsg: TAP_GESTURE_ERRMSG };
    const fail = (errCode: RequestSubscribeErrCode): RequestSubscribeFailure => ({
      ok: false,
      errCode,
      errMsg: `requestSubscribeMessage:fail ${REQUEST_SUBSCRIBE_ERRORS[errCode]}`,
    });
    const ids = Array.isArray(call.tmplIds) ? call.tmplIds : [];
    if (ids.length === 0) return fail(10001);
    if (ids.length > TMPL_IDS_PER_CALL[call.era]) return fail(20003);
    const templates = ids.map((id) => (typeof id === 'string' ? this.#templates.get(appid)?.get(id) : undefined));
    if (templates.some((template) => template === undefined)) return fail(20001);
    const known = templates as (SubscribeTemplate & { banned: boolean })[];
    if (new Set(known.map((template) => template.kind)).size > 1) return fail(20002);
    if (this.#mainSwitchOff.has(`${appid}:${userId}`)) return fail(20004);

    const result: RequestSubscribeSuccess['result'] = { errMsg: 'requestSubscribeMessage:ok' };
    const asking: string[] = [];
    const titles = new Set<string>();
    for (const template of known) {
      if (titles.has(template.title)) {
        // "模板标题同名被过滤": only the first of two same-titled templates is asked.
        result[template.id] = 'filter';
        continue;
      }
      titles.add(template.title);
      if (template.banned) {
        result[template.id] = 'ban';
        continue;
      }
      const kept = this.#state.get(`${appid}:${userId}:${template.id}`)?.kept;
      if (kept) {
        // "不会弹窗，保持之前的选择": a kept accept still counts once per call.
        if (kept === 'accept') this.accept(appid, userId, template.id);
        result[template.id] = kept;
      } else {
        asking.push(template.id);
      }
    }
    if (asking.length === 0) return { ok: true, popup: false, result };
    return { ok: true, popup: true, asking, settled: result };
  }

  /**
   * The user answers the popup: accepted templates count, and everything the
   * popup asked is reported to the developer's server as one
   * subscribe_msg_popup_event. `settled` is what beginRequest already decided.
   */
  answerPopup(
    appid: string,
    userId: string,
    call: { asking: readonly string[]; settled: RequestSubscribeSuccess['result']; answer: PopupAnswer },
  ): RequestSubscribeSuccess['result'] {
    const result: RequestSubscribeSuccess['result'] = { ...call.settled };
    const items: SubscribeEventItem[] = [];
    for (const id of call.asking) {
      const status = call.answer.accept[id] ? 'accept' : 'reject';
      if (status === 'accept') this.accept(appid, userId, id);
      if (call.answer.keep) this.#row(appid, userId, id).kept = status;
      result[id] = status;
      items.push({ TemplateId: id, SubscribeStatusString: status, PopupScene: '0' });
    }
    this.#push(appid, userId, 'subscribe_msg_popup_event', items);
    return result;
  }

  /**
   * The user sets 拒收 on a message card in 服务通知: what was left is gone
   * (43101 from now on), the settings page shows reject, and the developer's
   * server hears subscribe_msg_change_event.
   */
  rejectInInbox(appid: string, userId: string, templateId: string): void {
    if (!this.#templates.get(appid)?.has(templateId)) throw new Error(`unknown template ${templateId}`);
    const row = this.#row(appid, userId, templateId);
    row.left = 0;
    row.longTerm = false;
    row.kept = 'reject';
    this.#push(appid, userId, 'subscribe_msg_change_event', [{ TemplateId: templateId, SubscribeStatusString: 'reject' }]);
  }

  /** The event pushes WeChat has made for this app so far, oldest first. */
  events(appid: string): SubscribeEventPush[] {
    return this.#events.filter((event) => event.appid === appid).map((event) => structuredClone(event.push));
  }

  #push(appid: string, userId: string, event: SubscribeEventPush['Event'], items: SubscribeEventItem[]): void {
    if (items.length === 0) return;
    const openid = this.#accounts.openid(appid, userId);
    this.#events.push({
      appid,
      push: {
        // The mini program's 原始 ID (gh_…); the world keeps none, so it is derived from the appid.
        ToUserName: `gh_${appid.slice(2, 14)}`,
        FromUserName: openid,
        CreateTime: Math.floor(this.#clock.now() / 1000),
        MsgType: 'event',
        Event: event,
        List: items.length === 1 ? items[0]! : items,
      },
    });
  }

  sent(appid: string): SentSubscribeMessage[] {
    return this.#sent.filter((message) => message.appid === appid).map((message) => structuredClone(message));
  }

  /**
   * `POST /cgi-bin/message/subscribe/send?access_token=…`. Checks run in the
   * order credentials → recipient → template → parameters → page →
   * subscription, so a request that is wrong in several ways gets the
   * developer's mistake first; WeChat does not document its order, this one
   * is our choice.
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

    const invalid = (what: string) => ({ errcode: 47003, errmsg: `${SUBSCRIBE_ERRMSGS[47003]} ${what} invalid` });
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
      if (keywordValueProblem(keyword, value) !== null) return invalid(`data.${keyword}.value`);
      values[keyword] = { value: value as string };
    }
    // "page路径不正确，需要保证在现网版本小程序中存在": modelled as checked for a formal send only, the
    // community's practice (developer/trial while testing), which the page does not state. A leading "/" is
    // accepted here; community threads report 41030 for it, unconfirmed, so the companion never sends one.
    const live = this.#livePages.get(appid);
    if (typeof fields.page === 'string' && state === 'formal' && live && !live.has(fields.page.split('?')[0]!.replace(/^\//, ''))) {
      return { errcode: 41030, errmsg: SUBSCRIBE_ERRMSGS[41030] };
    }

    const row = this.#state.get(`${appid}:${userId}:${template.id}`);
    if (!row || (!row.longTerm && row.left <= 0)) return { errcode: 43101, errmsg: SUBSCRIBE_ERRMSGS[43101] };
    if (!row.longTerm) row.left -= 1;
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
    this.#push(appid, userId, 'subscribe_msg_sent_event', [{ TemplateId: template.id, MsgID: String(msgid), ErrorCode: '0', ErrorStatus: 'success' }]);
    return { errcode: 0, errmsg: 'ok', msgid };
  }
}
