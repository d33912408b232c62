/**
 * The developer server's side of subscribe messages (订阅消息), platform-free
 * so the simulator and the companion run the same code:
 *
 * - `createSubscribeSender`: `POST /api/subscribe/send` sends one message to
 *   the caller's own openid through `POST /cgi-bin/message/subscribe/send`,
 *   with the shared access_token provider (one fetch for many callers, one
 *   retry after 40001 / 42001). WeChat's errcodes come back as 4xx with the
 *   number in `error.code` (`SUBSCRIBE_43101`), so the mini program can tell
 *   "ask the user again" from "fix the template data".
 * - `createSubscribeEventReceiver`: the 消息推送 URL. It checks the
 *   signature (sha1 of Token, timestamp, nonce) and keeps a per-user estimate
 *   of what each template allows, from subscribe_msg_popup_event,
 *   subscribe_msg_change_event and subscribe_msg_sent_event. The server hears
 *   these from WeChat, so they are more trustworthy than what the mini
 *   program reports about its own popup.
 *
 * Official pages: SEND_MESSAGE_DOC, SUBSCRIBE_GUIDE_DOC, MESSAGE_PUSH_DOC in
 * ../wechat/subscribe-messages.ts. The value table and the signature are
 * published rules, so this module applies the same functions WeChat's model
 * does (`keywordValueProblem`, `messagePushSignature`); it never holds WeChat.
 */
import * as v from 'valibot';
import { AccessTokenError, withAccessToken, type AccessTokenProvider } from './access-token.ts';
import { WeChatBadResponseError } from './developer-server.ts';
import { apiError, type ApiErrorBody, type HttpResponse } from '../support/http.ts';
import { isWeChatError } from '../wechat/errors.ts';
import {
  keywordValueProblem,
  messagePushSignature,
  type SubscribeEventItem,
  type SubscribeEventPush,
  type SubscribeSendResponse,
} from '../wechat/subscribe-messages.ts';

/** Keyword keys look like `thing1`, `time2`: type then number (SEND_MESSAGE_DOC). */
const KEYWORD = /^[a-z_]+\d+$/;

// #region send-body
export const subscribeSendBodySchema = v.strictObject({
  templateId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  data: v.pipe(
    v.record(v.pipe(v.string(), v.regex(KEYWORD, '关键词的键形如 thing1、time2')), v.strictObject({ value: v.pipe(v.string(), v.maxLength(200)) })),
    v.check((data) => Object.keys(data).length > 0 && Object.keys(data).length <= 30, 'data 要有 1 到 30 个关键词'),
  ),
  page: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(512))),
});
// #endregion

export type SubscribeSendRequest = v.InferOutput<typeof subscribeSendBodySchema>;

/** What subscribe/send takes, in WeChat's field names. */
export interface SubscribeSendWireBody {
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogram_state: 'developer' | 'trial' | 'formal';
  lang: 'zh_CN';
}

/** The developer server's client for `POST /cgi-bin/message/subscribe/send`. */
export interface SubscribeSendApi {
  sendSubscribeMessage(accessToken: string, body: SubscribeSendWireBody): Promise<SubscribeSendResponse>;
}

export interface SubscribeSenderOptions {
  api: SubscribeSendApi;
  accessTokens: AccessTokenProvider;
  /**
   * Template id → its keyword keys, as 我的模板 lists them. With a template
   * configured, a body with a missing or extra key fails here, before WeChat.
   */
  templates?: Readonly<Record<string, readonly string[]>>;
  /** `developer` or `trial` while testing: then `page` need not exist in the live version (41030). */
  miniprogramState?: SubscribeSendWireBody['miniprogram_state'];
}

// #region send-errors
/** WeChat's refusals, with the number kept in the code and a status that says who must act. */
const SEND_ERRCODE_RESPONSES: Record<number, { status: number; message: string }> = {
  43101: { status: 409, message: '用户没有可用的订阅次数（一次订阅只能发一条），或已拒收。请让用户在下一次点击时再订阅' },
  47003: { status: 400, message: '模板参数不符合规则' },
  40037: { status: 400, message: '模板 id 不正确：请用公众平台「订阅消息 → 我的模板」里的 id' },
  41030: { status: 400, message: 'page 不在现网版本的小程序里；测试时请用 miniprogram_state = developer 或 trial' },
  40003: { status: 400, message: 'openid 不属于这个小程序：服务器配置的 AppID 和用户登录的小程序不一致' },
};
// #endregion

export type SubscribeSendResult = HttpResponse<{ msgid: number } | ApiErrorBody>;

export function createSubscribeSender(options: SubscribeSenderOptions) {
  const { api, accessTokens, templates } = options;
  const miniprogramState = options.miniprogramState ?? 'formal';

  /** The template's keys and the value table, checked before spending a call: the first problem, naming the field. */
  function dataProblem(request: SubscribeSendRequest): string | null {
    const keys = templates?.[request.templateId] ?? Object.keys(request.data);
    const missing = keys.find((key) => !(key in request.data));
    if (missing) return `data.${missing}.value: 模板需要这个关键词`;
    const extra = Object.keys(request.data).find((key) => !keys.includes(key));
    if (extra) return `data.${extra}: 模板里没有这个关键词`;
    for (const [key, { value }] of Object.entries(request.data)) {
      const problem = keywordValueProblem(key, value);
      if (problem) return `data.${key}.value: ${problem}`;
    }
    return null;
  }

  // #region send
  async function send(openid: string, body: unknown): Promise<SubscribeSendResult> {
    const parsed = v.safeParse(subscribeSendBodySchema, body);
    if (!parsed.success) {
      return apiError(400, 'BAD_REQUEST', '请求体必须是 { templateId: string, data: { thing1: { value: string } … }, page?: string }');
    }
    // Only a configured template is checked here: its keys are known, and the errcode is the one WeChat would give.
    const problem = templates?.[parsed.output.templateId] ? dataProblem(parsed.output) : null;
    if (problem) return apiError(400, 'SUBSCRIBE_47003', `模板参数不符合规则（发送前已在服务器检查，没有调用微信）：${problem}`);

    const wire: SubscribeSendWireBody = {
      // Always the caller's own openid: a logged-in user can only notify themselves.
      touser: openid,
      template_id: parsed.output.templateId,
      ...(parsed.output.page ? { page: parsed.output.page } : {}),
      data: parsed.output.data,
      miniprogram_state: miniprogramState,
      lang: 'zh_CN',
    };
    let result: SubscribeSendResponse;
    try {
      // A token another instance replaced (40001) is dropped, refreshed once, and the send retried once.
      result = await withAccessToken(accessTokens, (token) => api.sendSubscribeMessage(token, wire));
    } catch (error) {
      if (error instanceof AccessTokenError && error.errcode !== -1) {
        return apiError(500, 'SERVER_MISCONFIGURED', '服务器获取 access_token 失败，请联系开发者');
      }
      if (error instanceof WeChatBadResponseError) return apiError(502, 'WECHAT_BAD_RESPONSE', '微信接口返回了无法识别的数据，请稍后重试');
      return apiError(502, 'WECHAT_UNREACHABLE', '暂时无法连接微信服务器，请稍后重试');
    }
    if (isWeChatError(result)) {
      const known = SEND_ERRCODE_RESPONSES[result.errcode];
      // 47003's errmsg names the field (`argument invalid! data.thing1.value invalid`): pass that part on.
      const detail = result.errcode === 47003 ? `：${result.errmsg.replace(/^argument invalid!\s*/, '')}` : '';
      if (known) return apiError(known.status, `SUBSCRIBE_${result.errcode}`, `${known.message}${detail}`);
      return apiError(502, `SUBSCRIBE_${result.errcode}`, `微信拒绝了这次发送（errcode ${result.errcode}）`);
    }
    return { status: 200, body: { msgid: (result as { msgid: number }).msgid } };
  }
  // #endregion

  return { send, dataProblem };
}

export type SubscribeSender = ReturnType<typeof createSubscribeSender>;

// ── Event pushes ──

export interface PushQuery {
  signature?: unknown;
  timestamp?: unknown;
  nonce?: unknown;
}

/** What the server believes about one user × template, from WeChat's pushes only. */
export interface TemplateEstimate {
  /** Accepts heard minus successful sends heard; never below 0. */
  left: number;
  /** The user set 拒收 in 服务通知, or rejected in the popup with no accept left to spend. */
  refused: boolean;
}

const upTo = (max: number) => v.pipe(v.string(), v.maxLength(max));

const pushItem = v.looseObject({
  TemplateId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  SubscribeStatusString: v.optional(upTo(32)),
  PopupScene: v.optional(upTo(8)),
  MsgID: v.optional(upTo(32)),
  ErrorCode: v.optional(upTo(16)),
  ErrorStatus: v.optional(upTo(128)),
});

// The guide's JSON example has CreateTime as a string; the message-push page's has a number.
const pushBody = v.looseObject({
  ToUserName: upTo(64),
  FromUserName: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  CreateTime: v.union([v.number(), v.string()]),
  MsgType: upTo(32),
  Event: v.optional(upTo(64)),
  // "若 List 只有一个对象，则只返回对象本身": one object or an array.
  List: v.optional(v.union([pushItem, v.pipe(v.array(pushItem), v.maxLength(50))])),
});

/** Constant-time for equal lengths: a signature check should not say how many characters matched. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index++) difference |= a.charCodeAt(index) ^ b.charCodeAt(index);
  return difference === 0;
}

// #region verify-signature
/** 消息推送 (明文模式): sha1(sort([Token, timestamp, nonce]).join('')) must equal `signature`. */
export async function verifyPushSignature(token: string, query: PushQuery): Promise<boolean> {
  const { signature, timestamp, nonce } = query;
  if (typeof signature !== 'string' || typeof timestamp !== 'string' || typeof nonce !== 'string') return false;
  if (!/^\d{1,12}$/.test(timestamp) || !/^\w{1,64}$/.test(nonce) || !/^[0-9a-f]{40}$/.test(signature)) return false;
  return sameText(await messagePushSignature(token, timestamp, nonce), signature);
}
// #endregion

export function createSubscribeEventReceiver(options: { token: string }) {
  /** openid → template id → estimate. */
  const estimates = new Map<string, Map<string, TemplateEstimate>>();

  function row(openid: string, templateId: string): TemplateEstimate {
    let byTemplate = estimates.get(openid);
    if (!byTemplate) {
      byTemplate = new Map();
      estimates.set(openid, byTemplate);
    }
    let estimate = byTemplate.get(templateId);
    if (!estimate) {
      estimate = { left: 0, refused: false };
      byTemplate.set(templateId, estimate);
    }
    return estimate;
  }

  // #region apply-event
  function apply(push: Pick<SubscribeEventPush, 'FromUserName' | 'Event'> & { List?: SubscribeEventItem | SubscribeEventItem[] }): void {
    const items = push.List === undefined ? [] : Array.isArray(push.List) ? push.List : [push.List];
    for (const item of items) {
      const estimate = row(push.FromUserName, item.TemplateId);
      if (push.Event === 'subscribe_msg_popup_event') {
        if (item.SubscribeStatusString === 'accept') {
          estimate.left += 1;
          estimate.refused = false;
        } else if (item.SubscribeStatusString === 'reject') {
          estimate.refused = estimate.left === 0;
        }
      } else if (push.Event === 'subscribe_msg_change_event' && item.SubscribeStatusString === 'reject') {
        // 拒收 in 服务通知: nothing more may be sent until the user subscribes again.
        estimate.left = 0;
        estimate.refused = true;
      } else if (push.Event === 'subscribe_msg_sent_event' && item.ErrorCode === '0') {
        estimate.left = Math.max(0, estimate.left - 1);
      }
    }
  }
  // #endregion

  /** One POST from WeChat: 401 for a bad signature, 400 for a body that is not an event push, else 200 "success". */
  async function receive(query: PushQuery, body: unknown): Promise<HttpResponse<string | ApiErrorBody>> {
    if (!(await verifyPushSignature(options.token, query))) return apiError(401, 'BAD_SIGNATURE', '签名不对：这不是微信发来的推送');
    const parsed = v.safeParse(pushBody, body);
    if (!parsed.success) return apiError(400, 'BAD_REQUEST', '不是 JSON 格式的消息推送');
    apply(parsed.output as unknown as SubscribeEventPush);
    // "如无特定要求，回复空串或者 success 即可".
    return { status: 200, body: 'success' };
  }

  /** WeChat's URL check when 消息推送 is configured: echo `echostr` if the signature holds. */
  async function verifyUrl(query: PushQuery & { echostr?: unknown }): Promise<HttpResponse<string | ApiErrorBody>> {
    if (!(await verifyPushSignature(options.token, query)) || typeof query.echostr !== 'string') {
      return apiError(401, 'BAD_SIGNATURE', '签名不对：这不是微信发来的验证请求');
    }
    return { status: 200, body: query.echostr };
  }

  function estimateFor(openid: string): Record<string, TemplateEstimate> {
    return Object.fromEntries([...(estimates.get(openid) ?? new Map<string, TemplateEstimate>())].map(([id, value]) => [id, { ...value }]));
  }

  return { receive, verifyUrl, apply, estimateFor };
}

export type SubscribeEventReceiver = ReturnType<typeof createSubscribeEventReceiver>;
