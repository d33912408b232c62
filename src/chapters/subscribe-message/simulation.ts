/**
 * The 订阅消息 simulator: 「一次同意 = 一条消息」. A queueing restaurant's
 * mini program, WeChat's client (the popup, kept choices, the main switch),
 * WeChat's server with a visible quota ledger per user × template, and the
 * developer server running the real send core and event receiver. Days on
 * the clock: a one-time subscription does not expire, unlike the old formId.
 */
import type { SnapshotFrom } from 'xstate';
import { DAY } from '../../world/support/clock.ts';
import {
  ALWAYS_KEEP_ANSWER,
  LONG_TERM_INDUSTRIES,
  MESSAGE_PUSH_DOC,
  REQUEST_SUBSCRIBE_DOC,
  SEND_MESSAGE_DOC,
  STAFF_43101_ANSWER,
  SUBSCRIBE_GUIDE_DOC,
  SUBSCRIBE_OVERVIEW_DOC,
  TAP_GESTURE_ERRMSG,
  TEMPLATE_MESSAGE_HISTORY,
  TEMPLATE_MESSAGE_NOTICE,
  THING_MAX_CHARS,
  TMPL_IDS_PER_CALL,
  type SubscribeEra,
} from '../../world/wechat/subscribe-messages.ts';
import { subscribeMachine, type PopupChoice, type SubscribeEffect, type SubscribeEvent, type SubscribeMachine } from './machine.ts';
import {
  buildSender,
  createSubscribeWorld,
  DINER,
  LONG_TERM_TEMPLATE,
  QUEUE_PAGE,
  RESTAURANT,
  SEED_LINE,
  tmplIdsFor,
  type AskSet,
  type Industry,
  type SendFault,
  type SubscribeWorld,
} from './world.ts';
import { choiceControl, clockControl, codeChoice, effectTable, flagControl, stateMeta, toggleControl, userControl, type EffectRun } from '../../kit/engine/controls.ts';
import { defineSimulation, type Control, type EffectPlace, type Finding, type HolderRow, type WorldControl, type WorldView } from '../../kit/engine/definition.ts';
import { MINIPROGRAM, SERVER } from '../shared/code-files.ts';
import { LANES, USER_PHONE } from '../shared/lanes.ts';

type Snapshot = SnapshotFrom<SubscribeMachine>;

/** The access_token chapter, where the provider's one-retry rule is explained. */
export const ACCESS_TOKEN_CHAPTER = '/access-token/';

const openid = (world: SubscribeWorld) => world.wechat.issuedOpenid(RESTAURANT.appid, DINER.id) ?? '';

export function templateTitle(world: SubscribeWorld, id: string): string {
  if (id === world.longTerm) return LONG_TERM_TEMPLATE.title;
  return world.wechat.subscribeTemplate(RESTAURANT.appid, id)?.title ?? `（不存在的模板 ${id}）`;
}

const isAccepted = (status: string | undefined) => status === 'accept' || (status ?? '').startsWith('acceptWith');

/** WeChat's event pushes the receiver has not heard yet, delivered in order, each drawn as the POST it is. */
function deliverPushes(world: SubscribeWorld): void {
  const pushes = world.wechat.subscribeEvents(RESTAURANT.appid).slice(world.delivered);
  for (const push of pushes) {
    world.wire.record({
      from: 'wechat',
      to: 'developer',
      label: `POST /api/wechat/events（${push.Event}）`,
      payload: push,
      note: '消息推送：带 signature、timestamp、nonce，服务器先验签再记账。服务器从这里得知的结果，比小程序自己报告的可信',
    });
    world.receiver.apply(push);
    world.delivered += 1;
  }
}

function leftNow(world: SubscribeWorld): Record<string, number> {
  return Object.fromEntries(world.wechat.subscribeLedger(RESTAURANT.appid, DINER.id).map((row) => [row.templateId, row.left]));
}

/** The popup's switches after the user's choice. */
function popupAnswer(choice: PopupChoice, asking: readonly string[]): Record<string, boolean> {
  return Object.fromEntries(asking.map((id, index) => [id, choice === 'allowAll' || (choice === 'firstOnly' && index === 0)]));
}

/** What the developer server sends when the number is called: the faults the reader armed change it. */
function sendBody(world: SubscribeWorld) {
  const templateId = world.faults.has('wrongTemplate') ? 'tmpl-id-copied-from-a-blog-post' : world.templates.queue;
  return {
    templateId,
    data: {
      thing1: { value: '小馆子（南山店）' },
      character_string2: { value: 'A042' },
      phrase3: { value: world.faults.has('phraseSpace') ? '请入座 ' : '请入座' },
      thing4: { value: world.faults.has('longThing') ? SEED_LINE : '请在 10 分钟内到店' },
    },
    page: world.faults.has('pageNotLive') ? QUEUE_PAGE : 'pages/index/index',
  };
}

const handlers: Record<SubscribeEffect, EffectRun<SubscribeWorld, SubscribeMachine>> = {
  runTapHandler(world, snapshot) {
    deliverPushes(world);
    const tmplIds = tmplIdsFor(world);
    world.wire.record({ from: 'user', to: 'miniprogram', label: '点击「叫号时通知我」' });
    const awaitFirst = snapshot.context.handler === 'awaitFirst';
    if (awaitFirst) {
      world.wire.record({
        from: 'miniprogram',
        to: 'developer',
        label: 'await request(GET /api/subscribe/templates)',
        note: '先去服务器取模板 id：这一等，点击的“手势”就过去了',
      });
      world.wire.record({ from: 'developer', to: 'miniprogram', label: '200', payload: { tmplIds } });
    }
    world.wire.record({
      from: 'miniprogram',
      to: 'client',
      label: 'wx.requestSubscribeMessage',
      payload: { tmplIds },
      note: awaitFirst ? '在 await 之后才调用' : '点击处理函数里的第一件事',
    });
    world.call = { tmplIds, fromTap: !awaitFirst };
    return { type: 'mp.requestCalled' };
  },

  requestSubscribe(world) {
    const call = world.call;
    if (!call) throw new Error('no call in progress');
    const leftBefore = leftNow(world);
    const start = world.wechat.beginSubscribeRequest(RESTAURANT.appid, DINER.id, { ...call, era: world.era });
    if (!start.ok) {
      world.requests.push({ ...call, era: world.era, leftBefore, outcome: 'failed', errMsg: start.errMsg, ...(start.errCode ? { errCode: start.errCode } : {}) });
      world.wire.record({
        from: 'client',
        to: 'miniprogram',
        label: 'fail',
        payload: { errMsg: start.errMsg, ...(start.errCode ? { errCode: start.errCode } : {}) },
        tone: 'error',
      });
      return { type: 'wechat.requestFailed', errMsg: start.errMsg, ...(start.errCode ? { errCode: start.errCode } : {}) };
    }
    if (!start.popup) {
      for (const [id, status] of Object.entries(start.result)) if (status === 'reject') world.rejected.add(id);
      world.requests.push({ ...call, era: world.era, leftBefore, outcome: 'silent', result: start.result });
      world.wire.record({ from: 'client', to: 'wechat', label: '按保持的选择记账（没有弹窗）', note: '「总是保持」只是不再询问：保持「允许」的模板，这一次照样 +1' });
      world.wire.record({ from: 'client', to: 'miniprogram', label: 'success', payload: start.result });
      return { type: 'wechat.requestAnswered', result: start.result, popup: false };
    }
    world.popup = { asking: start.asking, settled: start.settled };
    world.requests.push({ ...call, era: world.era, leftBefore, outcome: 'popup' });
    world.wire.record({
      from: 'client',
      to: 'user',
      label: '弹出订阅框',
      payload: { 模板: start.asking.map((id) => templateTitle(world, id)) },
      note: '每个模板一个开关，底部是「总是保持以上选择，不再询问」',
    });
    return { type: 'wechat.popupShown', kind: start.asking.includes(world.longTerm ?? '') ? 'long-term' : 'one-time' };
  },

  answerPopup(world, snapshot) {
    const popup = world.popup;
    const choice = snapshot.context.popupChoice;
    if (!popup || !choice) throw new Error('no popup to answer');
    const accept = popupAnswer(choice, popup.asking);
    world.wire.record({ from: 'user', to: 'client', label: choice === 'rejectAll' ? '点「取消」' : '点「允许」', payload: { 开关: accept, 总是保持: world.keep } });
    const result = world.wechat.answerSubscribePopup(RESTAURANT.appid, DINER.id, { asking: popup.asking, settled: popup.settled, answer: { accept, keep: world.keep } });
    for (const [id, status] of Object.entries(result)) if (status === 'reject') world.rejected.add(id);
    const record = world.requests.at(-1);
    if (record) record.result = result;
    world.popup = null;
    world.wire.record({ from: 'client', to: 'wechat', label: '上报订阅结果', note: '允许的一次性模板，额度 +1' });
    world.wire.record({ from: 'client', to: 'miniprogram', label: 'success', payload: result, note: '取消也走 success（多数报告如此，官方没写明）：errMsg 照样是 requestSubscribeMessage:ok' });
    deliverPushes(world);
    return { type: 'wechat.requestAnswered', result, popup: true };
  },

  handleResult(world, snapshot) {
    const { lastResult, check } = snapshot.context;
    const result = lastResult ?? {};
    const subscribed = check === 'errMsgOnly' ? result.errMsg === 'requestSubscribeMessage:ok' : isAccepted(result[world.templates.queue]);
    world.registered = subscribed;
    world.registeredBy = subscribed ? check : null;
    world.wire.record({
      from: 'miniprogram',
      to: 'developer',
      label: subscribed ? '叫号时通知我' : '（不登记）',
      payload: check === 'errMsgOnly' ? { 判断: "res.errMsg === 'requestSubscribeMessage:ok'" } : { 判断: `res['${world.templates.queue.slice(0, 8)}…'] === 'accept'` },
      tone: check === 'errMsgOnly' && subscribed && !isAccepted(result[world.templates.queue]) ? 'error' : 'normal',
      note:
        check === 'errMsgOnly'
          ? '只看 errMsg：用户拒绝了也是 ok，服务器以为能发'
          : subscribed
            ? '逐个模板看：叫号提醒是 accept，才登记'
            : '逐个模板看：叫号提醒不是 accept，不登记，叫号时也就不发',
    });
    return { type: 'mp.resultHandled', toldServer: subscribed };
  },

  sendMessage: (world) => sendMessage(world),
};

async function sendMessage(world: SubscribeWorld): Promise<SubscribeEvent> {
  deliverPushes(world);
  world.wire.record({ from: 'user', to: 'developer', label: '店员叫号：A042' });
  if (!world.registered) {
    world.wire.record({ from: 'developer', to: 'developer', label: '没有登记，不发', note: '用户没有允许叫号提醒（或小程序没有登记），服务器什么也不发' });
    return { type: 'developer.skipped' };
  }
  const body = sendBody(world);
  const leftBefore = world.wechat.subscriptionsLeft(RESTAURANT.appid, DINER.id, world.templates.queue);
  const everRejected = world.rejected.has(world.templates.queue);
  if (world.legacyCode) {
    world.wire.record({
      from: 'developer',
      to: 'wechat',
      label: 'POST /cgi-bin/message/wxopen/template/send',
      payload: { touser: openid(world), template_id: body.templateId, form_id: '（7 天内收集的 formId）' },
      note: '订阅消息上线（2019 年 10 月）以前的写法：模板消息 + formId',
    });
    world.wire.record({
      from: 'wechat',
      to: 'developer',
      label: `模板消息已于 ${TEMPLATE_MESSAGE_HISTORY.offline} 下线`,
      tone: 'error',
      note: '此后只能用订阅消息；这里不编造下线后的错误码',
    });
    world.sends.push({ templateId: body.templateId, leftBefore, code: 'TEMPLATE_MESSAGE_OFFLINE', ok: false, everRejected, legacy: true, registeredBy: world.registeredBy });
    return { type: 'developer.sendFailed', code: 'TEMPLATE_MESSAGE_OFFLINE' };
  }
  const reply = await world.sender.send(openid(world), body);
  const ok = reply.status === 200;
  const error = ok ? null : (reply.body as { error: { code: string; message: string } }).error;
  const code = error?.code ?? 'OK';
  // 47003's message carries WeChat's errmsg, which names the field (data.thing4.value).
  const field = error?.message.match(/data\.\w+\.value/)?.[0];
  world.sends.push({ templateId: body.templateId, leftBefore, code, ok, everRejected, legacy: false, registeredBy: world.registeredBy, ...(field ? { field } : {}) });
  world.wire.record({ from: 'developer', to: 'developer', label: ok ? '200 { msgid }' : `${reply.status} ${code}`, payload: reply.body, tone: ok ? 'normal' : 'error' });
  deliverPushes(world);
  if (ok) {
    world.wire.record({ from: 'wechat', to: 'user', label: '服务通知：排队叫号提醒', payload: body.data });
    return { type: 'developer.sent', msgid: (reply.body as { msgid: number }).msgid };
  }
  return { type: 'developer.sendFailed', code, ...(field ? { field } : {}) };
}

const EFFECT_LANES: Record<SubscribeEffect, EffectPlace> = {
  runTapHandler: { lane: 'miniprogram', busy: '小程序的点击处理函数' },
  requestSubscribe: { lane: 'client', busy: '微信处理 requestSubscribeMessage' },
  answerPopup: { lane: 'client', busy: '微信记下弹窗里的选择' },
  handleResult: { lane: 'miniprogram', busy: '小程序读订阅结果' },
  sendMessage: { lane: 'developer', busy: '开发者服务器发送订阅消息' },
};

const effects = effectTable(handlers, (name) => EFFECT_LANES[name]);

// ── Controls ──

const user = userControl<SubscribeEvent>;
const byUser = <T extends Control<SubscribeWorld, SubscribeEvent>>(control: T): T => ({ ...control, actor: 'user' });
const byCode = <T extends Control<SubscribeWorld, SubscribeEvent>>(control: T): T => ({ ...control, actor: 'code' });

const choice = choiceControl<SubscribeWorld>;

export const ASK_LABELS: Record<AskSet, string> = {
  one: '只要叫号提醒',
  two: '叫号 + 过号（2 个）',
  four: '4 个模板',
  six: '6 个模板',
  longTerm: '长期模板',
  mixed: '一次性 + 长期混在一起',
};

const ERA_LABELS: Record<SubscribeEra, string> = {
  current: `当前文档：一次最多 ${TMPL_IDS_PER_CALL.current} 个`,
  before2025: `旧版文档：一次最多 ${TMPL_IDS_PER_CALL.before2025} 个`,
};

const FAULT_LABELS: Record<SendFault, { label: string; hint: string }> = {
  longThing: { label: `thing4 填了 ${[...SEED_LINE].length} 个字`, hint: `thing 最多 ${THING_MAX_CHARS} 个字符：「${SEED_LINE}」放不下 → 47003` },
  phraseSpace: { label: 'phrase3 末尾多了空格', hint: 'phrase 只能是 5 个以内的汉字，空格也不行 → 47003' },
  wrongTemplate: { label: '模板 id 抄错了', hint: '不是「我的模板」里的 id → 40037' },
  pageNotLive: { label: 'page 是还没发布的新页面', hint: 'formal 状态下 page 必须在现网版本里 → 41030' },
  otherAppid: { label: '服务器配成了另一个小程序的 AppID', hint: 'access_token 属于别的小程序，openid 对不上 → 40003' },
};

function setIndustry(world: SubscribeWorld, industry: Industry): void {
  world.industry = industry;
  world.wechat.setSubscribeIndustry(RESTAURANT.appid, industry);
  if (industry === '医疗' && world.longTerm === null) {
    world.longTerm = world.wechat.addSubscribeTemplate(RESTAURANT.appid, { ...LONG_TERM_TEMPLATE, keywords: [...LONG_TERM_TEMPLATE.keywords], kind: 'long-term' });
  }
}

export const subscribeControls: readonly Control<SubscribeWorld, SubscribeEvent>[] = [
  user('tap-subscribe', '点「叫号时通知我」', { type: 'user.tappedSubscribe' }, '用户点按钮：处理函数调用 wx.requestSubscribeMessage'),
  user('popup-allow', '弹窗：允许', { type: 'user.answeredPopup', choice: 'allowAll' }, '所有开关打开，点「允许」'),
  user('popup-first-only', '弹窗：只允许第一项', { type: 'user.answeredPopup', choice: 'firstOnly' }, '只打开第一个模板的开关，再点「允许」'),
  user('popup-reject', '弹窗：取消', { type: 'user.answeredPopup', choice: 'rejectAll' }, '点「取消」：每个模板都是 reject'),
  byUser(
    flagControl('popup-keep', '勾选「总是保持以上选择」', '下次调用不再弹窗，沿用这次的选择', (world: SubscribeWorld) => world, 'keep'),
  ),
  user('call-number', '店员叫号', { type: 'user.calledNumber' }, '开发者服务器给登记过的用户发一条订阅消息'),
  byUser(
    toggleControl<SubscribeWorld>(
      'main-switch-off',
      '设置页：关掉订阅消息总开关',
      '小程序设置里订阅消息的总开关（mainSwitch）：关掉后 requestSubscribeMessage 直接失败（20004）',
      (world) => !world.wechat.subscriptionsSetting(RESTAURANT.appid, DINER.id).mainSwitch,
      (world, on) => world.wechat.setSubscribeMainSwitch(RESTAURANT.appid, DINER.id, !on),
    ),
  ),
  // Not a choice: rejecting again is a step of its own (WeChat pushes the change event again).
  byUser<WorldControl<SubscribeWorld>>({
    kind: 'world',
    id: 'inbox-reject',
    label: '服务通知：设为拒收',
    hint: '在服务通知的消息卡片上选「拒收」：剩下的次数作废，服务器收到 subscribe_msg_change_event',
    apply: (world) => {
      world.wechat.rejectSubscriptionInInbox(RESTAURANT.appid, DINER.id, world.templates.queue);
      world.rejected.add(world.templates.queue);
    },
    active: (world) => world.wechat.subscriptionsSetting(RESTAURANT.appid, DINER.id).itemSettings[world.templates.queue] === 'reject',
  }),
  codeChoice('code-call-first', '代码：点击后第一件事就调用', { type: 'code.callFirst' } as SubscribeEvent, '模板 id 写在代码里，同步调用', (c) => c.handler === 'callFirst'),
  codeChoice('code-await-first', '代码：先 await 取模板 id 再调用', { type: 'code.awaitFirst' } as SubscribeEvent, '“can only be invoked by user TAP gesture”', (c) => c.handler === 'awaitFirst'),
  codeChoice('code-check-each', '代码：逐个模板看 res[id]', { type: 'code.checkEach' } as SubscribeEvent, "res[叫号模板 id] === 'accept' 才登记", (c) => c.check === 'perTemplate'),
  codeChoice('code-check-errmsg', '代码：只看 errMsg（官方示例的写法）', { type: 'code.checkErrMsg' } as SubscribeEvent, '取消多半也是 requestSubscribeMessage:ok', (c) => c.check === 'errMsgOnly'),
  ...(Object.keys(ASK_LABELS) as AskSet[]).map((ask) =>
    byCode(choice(`ask-${ask === 'longTerm' ? 'long-term' : ask}`, `tmplIds：${ASK_LABELS[ask]}`, '这次调用请求哪些模板', (world) => void (world.ask = ask), (world) => world.ask === ask)),
  ),
  ...(Object.keys(ERA_LABELS) as SubscribeEra[]).map((era) =>
    choice(`era-${era === 'before2025' ? 'before-2025' : era}`, ERA_LABELS[era], '一次调用最多几个模板 id：按这一版文档', (world) => void (world.era = era), (world) => world.era === era),
  ),
  choice('industry-catering', '小程序类目：餐饮', '长期订阅只对部分行业开放，餐饮选不到长期模板', (world) => setIndustry(world, '餐饮'), (world) => world.industry === '餐饮'),
  choice('industry-medical', '小程序类目：医疗', `长期订阅开放给${LONG_TERM_INDUSTRIES.join('、')}等`, (world) => setIndustry(world, '医疗'), (world) => world.industry === '医疗'),
  ...(Object.keys(FAULT_LABELS) as SendFault[]).map((fault) =>
    byCode(
      toggleControl<SubscribeWorld>(
        `fault-${fault.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
        FAULT_LABELS[fault].label,
        FAULT_LABELS[fault].hint,
        (world) => world.faults.has(fault),
        (world, on) => {
          if (on) world.faults.add(fault);
          else world.faults.delete(fault);
          // A different AppID means a different token: drop the cached one so the next send fetches for the configured app.
          if (fault === 'otherAppid' && world.tokenCache.cached) world.tokenCache.invalidate(world.tokenCache.cached.token);
        },
      ),
    ),
  ),
  byCode(
    toggleControl<SubscribeWorld>(
      'state-developer',
      'miniprogram_state = developer',
      '社区的常用做法：测试时设为 developer 或 trial 来绕开 41030；文档没有写明这样会跳过 page 检查',
      (world) => world.miniprogramState === 'developer',
      (world, on) => {
        world.miniprogramState = on ? 'developer' : 'formal';
        world.sender = buildSender(world);
      },
    ),
  ),
  {
    kind: 'world',
    id: 'stale-token',
    label: '另一台服务器强制刷新了 token',
    hint: 'stable_token force_refresh：缓存里的 token 作废，下一次发送先收到 40001，刷新一次再重试',
    apply: (world) => {
      world.wechat.stableToken({ grant_type: 'client_credential', appid: RESTAURANT.appid, secret: RESTAURANT.secret, force_refresh: true });
    },
  },
  byCode(
    flagControl('legacy-template-code', '旧代码：模板消息 + formId', `模板消息 ${TEMPLATE_MESSAGE_HISTORY.offline} 下线；照 2019 年的教程写会失败`, (world: SubscribeWorld) => world, 'legacyCode'),
  ),
  clockControl('plus-1d', '+1 天', DAY, '一次性订阅没有期限，隔多久发都行'),
  clockControl('plus-8d', '+8 天', 8 * DAY, `老的 formId 只能在 ${TEMPLATE_MESSAGE_HISTORY.formIdDays} 天内用；订阅消息没有这个限制`),
];

// ── Code ──

const PAGE_TS = `${MINIPROGRAM}/pages/subscribe-message/subscribe-message.ts`;
const PAGE_WXML = `${MINIPROGRAM}/pages/subscribe-message/subscribe-message.wxml`;
const MISTAKES_TS = `${MINIPROGRAM}/pages/subscribe-message/mistakes.ts`;
const CORE = 'src/world/developer/subscribe-send.ts';
const ROUTE = `${SERVER}/routes/subscribe.ts`;

const states = {
  page: stateMeta(PAGE_WXML, 'subscribe-button'),
  tapping: stateMeta(PAGE_TS, 'subscribe-tap', '正在请求订阅…'),
  requesting: stateMeta(PAGE_TS, 'subscribe-tap', '正在请求订阅…'),
  // The popup is WeChat's; the code waiting for its answer is the success callback.
  popup: stateMeta(PAGE_TS, 'check-each'),
  answering: stateMeta(PAGE_TS, 'check-each', '正在订阅…'),
  handling: stateMeta(PAGE_TS, 'check-each'),
  sending: stateMeta(CORE, 'send'),
};

const codeFiles = [PAGE_TS, PAGE_WXML, MISTAKES_TS, CORE, ROUTE] as const;

// ── View ──

export function ledgerValue(world: SubscribeWorld, left: number, kind: 'one-time' | 'long-term'): string {
  if (kind === 'long-term') return Number.isFinite(left) ? '未订阅（长期）' : `∞ 长期订阅（${world.industry}类目）`;
  return `${left} 次`;
}

function view(world: SubscribeWorld, snapshot: Snapshot): WorldView {
  const { context } = snapshot;
  const setting = world.wechat.subscriptionsSetting(RESTAURANT.appid, DINER.id);
  const inbox = world.wechat.sentSubscribeMessages(RESTAURANT.appid);
  const estimate = world.receiver.estimateFor(openid(world));
  const holdings: HolderRow[] = [
    ...world.wechat.subscribeLedger(RESTAURANT.appid, DINER.id).map((row) => ({
      holder: 'wechat',
      item: `额度 · ${templateTitle(world, row.templateId)}`,
      value: ledgerValue(world, row.left, row.kind),
    })),
    { holder: 'wechat', item: '小程序类目', value: world.industry },
    { holder: 'client', item: '订阅消息总开关', value: setting.mainSwitch ? '开' : '关' },
    {
      holder: 'client',
      item: '总是保持的选择',
      value: Object.entries(setting.itemSettings).map(([id, status]) => `${templateTitle(world, id)}：${status}`).join('；') || '（没有）',
    },
    { holder: 'client', item: '文档版本', value: ERA_LABELS[world.era] },
    { holder: 'user', item: '弹窗里「总是保持」', value: world.keep ? '已勾选' : '未勾选' },
    { holder: 'user', item: '服务通知', value: inbox.length === 0 ? '（空）' : `${inbox.length} 条，最新：${inbox.at(-1)!.data.thing4?.value ?? ''}` },
    { holder: 'miniprogram', item: '点击处理', value: context.handler === 'callFirst' ? '第一件事就调用' : '先 await 再调用' },
    { holder: 'miniprogram', item: '结果判断', value: context.check === 'perTemplate' ? "res[id] === 'accept'" : "errMsg === 'requestSubscribeMessage:ok'" },
    { holder: 'miniprogram', item: 'tmplIds', value: tmplIdsFor(world).map((id) => templateTitle(world, id)).join('、') },
    { holder: 'developer', item: '叫号名单', value: world.registered ? '阿明（A042）' : '（空）' },
    { holder: 'developer', item: 'access_token', value: world.tokenCache.cached ? world.tokenCache.cached.token : '（还没取）', secret: world.tokenCache.cached !== null },
    { holder: 'developer', item: 'miniprogram_state', value: world.miniprogramState },
    {
      holder: 'developer',
      item: '按事件推送估计',
      value:
        Object.entries(estimate)
          .map(([id, row]) => `${templateTitle(world, id)}：${row.refused ? '拒收/拒绝' : `${row.left} 次`}`)
          .join('；') || '（还没有推送）',
    },
  ];
  return { holdings, findings: findings(world, snapshot) };
}

function findings(world: SubscribeWorld, snapshot: Snapshot): Finding[] {
  const { context } = snapshot;
  const out: Finding[] = [];
  const error = context.lastError;
  if (error?.errMsg === TAP_GESTURE_ERRMSG) {
    out.push({
      level: 'danger',
      title: '只能在点击时调用',
      detail: '处理函数先 await 了一个请求，等它回来时点击已经结束。把模板 id 写进代码，点击后第一件事就调用 wx.requestSubscribeMessage。',
      href: REQUEST_SUBSCRIBE_DOC,
    });
  }
  const ERR_TEXT: Record<number, string> = {
    20003: `一次请求的模板个数超过了上限（${ERA_LABELS[world.era]}）。${world.era === 'current' ? `旧版文档和网上很多旧文章写的是 ${TMPL_IDS_PER_CALL.before2025} 个。` : ''}`,
    20002: '一次性模板和长期模板不能放在同一次调用里。',
    20004: '用户在设置页关掉了订阅消息的总开关：调用直接失败，也不会弹窗。可以提示用户去设置页打开。',
    20001: '模板不存在：餐饮类目的小程序选不到长期模板，这个 id 在微信那边不存在。',
    10001: '没有传模板 id。',
  };
  if (error?.errCode && ERR_TEXT[error.errCode]) {
    out.push({ level: 'warning', title: `requestSubscribeMessage 失败：${error.errCode}`, detail: ERR_TEXT[error.errCode]!, href: REQUEST_SUBSCRIBE_DOC });
  }
  if (context.lastPopup === false && context.lastResult) {
    out.push({
      level: 'warning',
      title: '没有弹窗，额度照样 +1',
      detail: '用户勾过「总是保持以上选择」：这次没有弹窗，沿用上次的选择。保持的是「允许」就加一次额度——它不是长期订阅，每发一条还是要用户点一次。',
      href: ALWAYS_KEEP_ANSWER,
    });
  }
  const send = context.lastSend;
  if (send && !send.ok) {
    const SEND_TEXT: Record<string, [string, string, string]> = {
      SUBSCRIBE_43101: ['发送失败：43101', '没有可用的额度：一次允许只能发一条，或用户拒收了。下一次用户点击时再请求订阅。', STAFF_43101_ANSWER],
      SUBSCRIBE_47003: ['发送失败：47003', 'errmsg 指出了出错的字段：thing 最多 20 个字符，phrase 只能是 5 个以内的汉字。', SEND_MESSAGE_DOC],
      SUBSCRIBE_40037: ['发送失败：40037', '模板 id 不对：用公众平台「订阅消息 → 我的模板」里的 id。', SEND_MESSAGE_DOC],
      SUBSCRIBE_41030: ['发送失败：41030', 'page 必须存在于现网版本。测试时社区常把 miniprogram_state 设为 developer 或 trial，文档没写明这样会跳过检查。', SEND_MESSAGE_DOC],
      SUBSCRIBE_40003: ['发送失败：40003', 'openid 不属于这个小程序：服务器用的 AppID 和用户登录的小程序不一致。', SEND_MESSAGE_DOC],
      TEMPLATE_MESSAGE_OFFLINE: [
        '模板消息已经下线',
        `模板消息（formId，${TEMPLATE_MESSAGE_HISTORY.formIdDays} 天内有效）${TEMPLATE_MESSAGE_HISTORY.announced} 宣布调整，${TEMPLATE_MESSAGE_HISTORY.offline} 下线。照旧教程写的代码要改成订阅消息。`,
        TEMPLATE_MESSAGE_NOTICE,
      ],
    };
    const [title, detail, href] = SEND_TEXT[send.code] ?? [`发送失败：${send.code}`, '见排错速查。', SEND_MESSAGE_DOC];
    out.push({ level: 'danger', title, detail, href });
  }
  const lastSend = world.sends.at(-1);
  if (lastSend && !lastSend.ok && lastSend.code === 'SUBSCRIBE_43101' && context.check === 'errMsgOnly' && lastSend.everRejected) {
    out.push({
      level: 'danger',
      title: '只看 errMsg 的后果',
      detail: "用户点了取消，errMsg 仍是 ok，代码以为订阅成功。要逐个模板看 res[模板 id]；服务器也可以以 subscribe_msg_popup_event 为准。",
      href: SUBSCRIBE_GUIDE_DOC,
    });
  }
  if (world.rejectedTokens > 0 && world.sends.at(-1)?.ok) {
    out.push({
      level: 'warning',
      title: 'access_token 换过了',
      detail: '缓存的 token 被另一台服务器的强制刷新作废，发送先收到 40001，服务器丢掉它、取一次新的、重试一次。详见 access_token 一章。',
      href: ACCESS_TOKEN_CHAPTER,
    });
  }
  if (world.longTerm && world.wechat.subscriptionsLeft(RESTAURANT.appid, DINER.id, world.longTerm) === Infinity) {
    out.push({
      level: 'warning',
      title: '长期订阅：额度是 ∞，但有行业限制',
      detail: `长期订阅只对${LONG_TERM_INDUSTRIES.join('、')}等线下公共服务开放；餐饮排队只能用一次性订阅。`,
      href: SUBSCRIBE_OVERVIEW_DOC,
    });
  }
  if (world.delivered > 0) {
    const last = world.wechat.subscribeEvents(RESTAURANT.appid)[world.delivered - 1];
    if (last?.Event === 'subscribe_msg_change_event') {
      out.push({ level: 'warning', title: '用户在服务通知里拒收了', detail: '服务器收到 subscribe_msg_change_event：剩下的额度作废，再发就是 43101。', href: SUBSCRIBE_GUIDE_DOC });
    }
  }
  if (world.requests.length > 0 && out.length === 0) {
    out.push({ level: 'warning', title: '事件推送比小程序的报告可信', detail: '服务器收到 subscribe_msg_popup_event 时先验签（Token、timestamp、nonce 的 sha1），再按推送记账。', href: MESSAGE_PUSH_DOC });
  }
  return out;
}

export const subscribeSimulation = defineSimulation<SubscribeMachine, SubscribeWorld>({
  flow: 'subscribe-message',
  title: '订阅消息',
  machine: subscribeMachine,
  lanes: [
    LANES.user,
    LANES.miniprogram,
    LANES.client,
    LANES.wechat,
    LANES.developer,
  ],
  phones: [USER_PHONE],
  timeScale: 'days',
  effects,
  createWorld: createSubscribeWorld,
  controls: subscribeControls,
  view,
  states,
  codeFiles,
});
