/**
 * The 订阅消息 chapter's world: a queueing restaurant's mini program on
 * WeChat's simulated server, one diner, and the developer server's real
 * subscribe core (send + event receiver) with the shared access_token
 * provider. Everything the reader can change sits here as plain fields, so
 * the view and the tests read it the same way.
 */
import { createAccessTokenProvider, type AccessTokenProvider, type CachedAccessToken } from '../../world/developer/access-token.ts';
import {
  createSubscribeEventReceiver,
  createSubscribeSender,
  type SubscribeEventReceiver,
  type SubscribeSender,
  type SubscribeSendWireBody,
} from '../../world/developer/subscribe-send.ts';
import { VirtualClock } from '../../world/support/clock.ts';
import { seededRandom, seedFrom } from '../../world/support/random.ts';
import { silentWire, type Recorder } from '../../world/support/wire.ts';
import type { AccessTokenResponse } from '../../world/wechat/access-token-issuer.ts';
import type { SubscribeEra, SubscribeSendResponse, RequestSubscribeSuccess } from '../../world/wechat/subscribe-messages.ts';
import { WeChatServer } from '../../world/wechat/wechat-server.ts';

export const RESTAURANT = {
  appid: 'wx5a1b2c3d4e5f6a70',
  secret: 'demo0restaurant0secret0not0real0',
  name: '小馆子排队',
} as const;

/** The app the 40003 fault's token belongs to: a second mini program of the same company. */
export const OTHER_APP = { appid: 'wx9f8e7d6c5b4a3f21', secret: 'demo0other0app0secret0not0real00', name: '小馆子点餐' } as const;

export const DINER = { id: 'diner-1', nickname: '阿明', phoneNumber: '13700001111', countryCode: '86' } as const;

/** The restaurant's one-time templates, in the order a request lists them (titles from 公众平台's library style). */
export const ONE_TIME_TEMPLATES = [
  { key: 'queue', title: '排队叫号提醒', keywords: ['thing1', 'character_string2', 'phrase3', 'thing4'] },
  { key: 'missed', title: '过号提醒', keywords: ['thing1', 'character_string2'] },
  { key: 'cancel', title: '排队取消通知', keywords: ['thing1', 'thing2'] },
  { key: 'review', title: '用餐评价邀请', keywords: ['thing1'] },
  { key: 'coupon', title: '优惠券到账提醒', keywords: ['thing1', 'amount2'] },
  { key: 'points', title: '会员积分变动提醒', keywords: ['number1', 'thing2'] },
] as const;

export const LONG_TERM_TEMPLATE = { title: '就诊排队提醒', keywords: ['thing1', 'character_string2'] } as const;

/** The seed's line: 26 characters, too long for a `thing`. */
export const SEED_LINE = '您前面还有200桌，预计今天是吃不上了，该干啥干啥去吧';

export const LIVE_PAGES = ['pages/index/index'];
export const QUEUE_PAGE = 'pages/subscribe-message/subscribe-message';

/** Which ids the handler puts in tmplIds. */
export type AskSet = 'one' | 'two' | 'four' | 'six' | 'longTerm' | 'mixed';
export type Industry = '餐饮' | '医疗';

export type SendFault = 'longThing' | 'phraseSpace' | 'wrongTemplate' | 'pageNotLive' | 'otherAppid';

export interface RequestRecord {
  tmplIds: string[];
  fromTap: boolean;
  era: SubscribeEra;
  /** Sends left per template before the call, to check what the call did. */
  leftBefore: Record<string, number>;
  outcome: 'failed' | 'silent' | 'popup';
  errCode?: number;
  errMsg?: string;
  result?: RequestSubscribeSuccess['result'];
}

export interface SendRecord {
  templateId: string;
  /** WeChat's ledger for that template just before the send. */
  leftBefore: number;
  code: string;
  ok: boolean;
  /** Whether the template had ever been answered `reject` (popup, kept choice or 拒收) before this send. */
  everRejected: boolean;
  legacy: boolean;
  /** How the handler decided to put the user on the notify list, if it did. */
  registeredBy: 'perTemplate' | 'errMsgOnly' | null;
  /** The field WeChat's 47003 named. */
  field?: string;
}

export interface SubscribeWorld {
  clock: VirtualClock;
  wire: Recorder;
  wechat: WeChatServer;
  /** Template ids by key. */
  templates: Record<(typeof ONE_TIME_TEMPLATES)[number]['key'], string>;
  /** Created when the industry allows it; null in 餐饮. */
  longTerm: string | null;
  industry: Industry;
  era: SubscribeEra;
  ask: AskSet;
  /** The popup's 「总是保持以上选择，不再询问」 box. */
  keep: boolean;
  faults: Set<SendFault>;
  /** miniprogram_state the developer server sends with. */
  miniprogramState: SubscribeSendWireBody['miniprogram_state'];
  /** The old code: template message with a formId. */
  legacyCode: boolean;
  /** The developer server's access_token cache (the shared provider). */
  tokenCache: AccessTokenProvider & { readonly cached: CachedAccessToken | null };
  /** What the send core uses: the cache, counting the tokens WeChat refused (40001 / 42001). */
  accessTokens: AccessTokenProvider;
  tokenFetches: number;
  rejectedTokens: number;
  sender: SubscribeSender;
  receiver: SubscribeEventReceiver;
  /** How many of WeChat's event pushes the receiver has heard. */
  delivered: number;
  /** The call in progress: ids, whether it came from the tap, and the popup's pending part. */
  call: { tmplIds: string[]; fromTap: boolean } | null;
  popup: { asking: string[]; settled: RequestSubscribeSuccess['result'] } | null;
  /** The server's notify list: the handler told it "notify me when my number is called". */
  registered: boolean;
  registeredBy: 'perTemplate' | 'errMsgOnly' | null;
  requests: RequestRecord[];
  sends: SendRecord[];
  /** Template ids the user ever rejected (popup, kept reject, 拒收). */
  rejected: Set<string>;
}

/** The ids a request carries for the current choice; a long-term id that cannot exist is a made-up one (→ 20001). */
export function tmplIdsFor(world: SubscribeWorld): string[] {
  const t = world.templates;
  const oneTime = ONE_TIME_TEMPLATES.map((template) => t[template.key]);
  const longTerm = world.longTerm ?? 'long-term-template-not-selectable';
  switch (world.ask) {
    case 'one':
      return oneTime.slice(0, 1);
    case 'two':
      return oneTime.slice(0, 2);
    case 'four':
      return oneTime.slice(0, 4);
    case 'six':
      return oneTime.slice(0, 6);
    case 'longTerm':
      return [longTerm];
    case 'mixed':
      return [t.queue, longTerm];
  }
}

export function createSubscribeWorld(): SubscribeWorld {
  const clock = new VirtualClock();
  const wechat = new WeChatServer({ clock, random: seededRandom(seedFrom('subscribe-message')) });
  wechat.registerApp(RESTAURANT);
  wechat.registerApp(OTHER_APP);
  wechat.registerUser(DINER);
  wechat.setSubscribeIndustry(RESTAURANT.appid, '餐饮');
  wechat.setLivePages(RESTAURANT.appid, LIVE_PAGES);
  // The diner has used the mini program, so WeChat has an openid for them here.
  wechat.openid(RESTAURANT.appid, DINER.id);
  const templates = Object.fromEntries(
    ONE_TIME_TEMPLATES.map((template) => [template.key, wechat.addSubscribeTemplate(RESTAURANT.appid, { title: template.title, keywords: [...template.keywords] })]),
  ) as SubscribeWorld['templates'];

  const world = { clock, wire: silentWire, wechat, templates } as SubscribeWorld;
  Object.assign(world, {
    longTerm: null,
    industry: '餐饮',
    era: 'current',
    ask: 'two',
    keep: false,
    faults: new Set<SendFault>(),
    miniprogramState: 'formal',
    legacyCode: false,
    tokenFetches: 0,
    rejectedTokens: 0,
    delivered: 0,
    call: null,
    popup: null,
    registered: false,
    registeredBy: null,
    requests: [],
    sends: [],
    rejected: new Set<string>(),
  } satisfies Partial<SubscribeWorld>);

  world.tokenCache = createAccessTokenProvider({
    // The 40003 fault: the server was configured with another mini program's AppID and secret.
    fetchToken: async () => {
      world.tokenFetches += 1;
      const app = world.faults.has('otherAppid') ? OTHER_APP : RESTAURANT;
      world.wire.record({
        from: 'developer',
        to: 'wechat',
        label: 'POST /cgi-bin/stable_token',
        payload: { grant_type: 'client_credential', appid: app.appid, secret: '（AppSecret）' },
        secrets: ['secret'],
        note: '第一次用到时，或 token 被微信拒绝后，才去取；同时到来的请求共用这一次',
      });
      const reply: AccessTokenResponse = wechat.stableToken({ grant_type: 'client_credential', appid: app.appid, secret: app.secret });
      world.wire.record({ from: 'wechat', to: 'developer', label: 'access_token', payload: reply, secrets: ['access_token'] });
      return reply;
    },
    now: () => clock.now(),
  });
  world.accessTokens = {
    get: () => world.tokenCache.get(),
    invalidate: (token) => {
      world.rejectedTokens += 1;
      world.tokenCache.invalidate(token);
    },
  };
  world.sender = buildSender(world);
  world.receiver = createSubscribeEventReceiver({ token: 'restaurantPushToken' });
  return world;
}

/** The developer server's send core, with the world's current miniprogram_state (rebuilt when the reader changes it). */
export function buildSender(world: SubscribeWorld): SubscribeSender {
  return createSubscribeSender({
    api: {
      async sendSubscribeMessage(accessToken, body): Promise<SubscribeSendResponse> {
        world.wire.record({
          from: 'developer',
          to: 'wechat',
          label: 'POST /cgi-bin/message/subscribe/send',
          payload: { access_token: accessToken, ...body },
          secrets: ['access_token'],
        });
        const reply = world.wechat.subscribeMessageSend({ access_token: accessToken }, body);
        world.wire.record({
          from: 'wechat',
          to: 'developer',
          label: reply.errcode === 0 ? 'ok' : `errcode ${reply.errcode}`,
          payload: reply,
          tone: reply.errcode === 0 ? 'normal' : 'error',
        });
        return reply;
      },
    },
    accessTokens: world.accessTokens,
    // No template schema configured on purpose: WeChat's own 47003 names the field.
    miniprogramState: world.miniprogramState,
  });
}
