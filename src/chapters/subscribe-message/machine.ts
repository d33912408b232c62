/**
 * 订阅消息 as a statechart: the 排队取号 page, the tap handler in the
 * developer's code, WeChat's client running wx.requestSubscribeMessage (fail,
 * answer silently from kept choices, or show the popup), the handler reading
 * the result, and the developer server sending when the number is called.
 *
 * Two choices in the reader's code live in the context, because they decide
 * what the next effect does, not which state comes next: whether the handler
 * awaits something before the call (the tap rule), and whether it checks
 * `errMsg` or each template's status (the official demo's mistake).
 *
 * WeChat decides (the world); the machine waits for what happened. Every side
 * effect is a named entry action with an empty default.
 */
import { assign, setup } from 'xstate';

/** Where the handler calls wx.requestSubscribeMessage: first thing in the tap, or after an await. */
export type HandlerOrder = 'callFirst' | 'awaitFirst';
/** How the handler reads the result: each template's status, or only errMsg (the official demo). */
export type ResultCheck = 'perTemplate' | 'errMsgOnly';
/** What the user does in the popup. */
export type PopupChoice = 'allowAll' | 'rejectAll' | 'firstOnly';

export interface SubscribeContext {
  handler: HandlerOrder;
  check: ResultCheck;
  /** The wx result of the last call that succeeded: `{ errMsg, [tmplId]: status }`. */
  lastResult: Record<string, string> | null;
  /** errMsg of the last call that failed, with its errCode when WeChat gives one. */
  lastError: { errMsg: string; errCode?: number } | null;
  /** What the user did in the popup this time. */
  popupChoice: PopupChoice | null;
  /** Whether the last call showed the popup or answered from kept choices. */
  lastPopup: boolean | null;
  /** What the handler concluded and told the server: notify me when my number is called. */
  toldServer: boolean | null;
  /** The last send: a msgid, or the error code the developer server answered. */
  lastSend: { ok: true; msgid: number } | { ok: false; code: string; field?: string } | { ok: true; skipped: true } | null;
}

export type SubscribeEvent =
  | { type: 'user.tappedSubscribe' }
  | { type: 'user.answeredPopup'; choice: PopupChoice }
  | { type: 'user.calledNumber' }
  | { type: 'code.callFirst' }
  | { type: 'code.awaitFirst' }
  | { type: 'code.checkEach' }
  | { type: 'code.checkErrMsg' }
  | { type: 'mp.requestCalled' }
  | { type: 'wechat.requestFailed'; errMsg: string; errCode?: number }
  | { type: 'wechat.popupShown'; kind: 'one-time' | 'long-term' }
  | { type: 'wechat.requestAnswered'; result: Record<string, string>; popup: boolean }
  | { type: 'mp.resultHandled'; toldServer: boolean }
  | { type: 'developer.sent'; msgid: number }
  | { type: 'developer.skipped' }
  | { type: 'developer.sendFailed'; code: string; field?: string };

export type SubscribeEffect = 'runTapHandler' | 'requestSubscribe' | 'answerPopup' | 'handleResult' | 'sendMessage';

const noEffect = () => {};

export const subscribeMachine = setup({
  types: {
    context: {} as SubscribeContext,
    events: {} as SubscribeEvent,
  },
  actions: {
    runTapHandler: noEffect,
    requestSubscribe: noEffect,
    answerPopup: noEffect,
    handleResult: noEffect,
    sendMessage: noEffect,
    startTap: assign({ lastError: null, lastResult: null, lastPopup: null, popupChoice: null }),
    recordChoice: assign(({ event }) => (event.type === 'user.answeredPopup' ? { popupChoice: event.choice } : {})),
    recordFailure: assign(({ event }) =>
      event.type === 'wechat.requestFailed' ? { lastError: { errMsg: event.errMsg, ...(event.errCode ? { errCode: event.errCode } : {}) } } : {},
    ),
    recordResult: assign(({ event }) => (event.type === 'wechat.requestAnswered' ? { lastResult: event.result, lastPopup: event.popup } : {})),
    recordHandled: assign(({ event }) => (event.type === 'mp.resultHandled' ? { toldServer: event.toldServer } : {})),
    recordSent: assign(({ event }) => (event.type === 'developer.sent' ? { lastSend: { ok: true as const, msgid: event.msgid } } : {})),
    recordSkipped: assign({ lastSend: { ok: true as const, skipped: true as const } }),
    recordSendFailure: assign(({ event }) =>
      event.type === 'developer.sendFailed' ? { lastSend: { ok: false as const, code: event.code, ...(event.field ? { field: event.field } : {}) } } : {},
    ),
    callFirst: assign({ handler: 'callFirst' as HandlerOrder }),
    awaitFirst: assign({ handler: 'awaitFirst' as HandlerOrder }),
    checkEach: assign({ check: 'perTemplate' as ResultCheck }),
    checkErrMsg: assign({ check: 'errMsgOnly' as ResultCheck }),
  },
  guards: {
    handlerIsNot: ({ context }, { handler }: { handler: HandlerOrder }) => context.handler !== handler,
    checkIsNot: ({ context }, { check }: { check: ResultCheck }) => context.check !== check,
  },
}).createMachine({
  id: 'subscribe',
  initial: 'page',
  context: { handler: 'callFirst', check: 'perTemplate', popupChoice: null, lastResult: null, lastError: null, lastPopup: null, toldServer: null, lastSend: null },
  // The reader edits the code between taps; the next tap runs the new code. Choosing the code already there
  // changes nothing, so it is not a step.
  on: {
    'code.callFirst': { guard: { type: 'handlerIsNot', params: { handler: 'callFirst' } }, actions: 'callFirst' },
    'code.awaitFirst': { guard: { type: 'handlerIsNot', params: { handler: 'awaitFirst' } }, actions: 'awaitFirst' },
    'code.checkEach': { guard: { type: 'checkIsNot', params: { check: 'perTemplate' } }, actions: 'checkEach' },
    'code.checkErrMsg': { guard: { type: 'checkIsNot', params: { check: 'errMsgOnly' } }, actions: 'checkErrMsg' },
  },
  states: {
    page: {
      on: {
        'user.tappedSubscribe': { target: 'tapping', actions: 'startTap' },
        'user.calledNumber': 'sending',
      },
    },
    tapping: {
      entry: 'runTapHandler',
      on: { 'mp.requestCalled': 'requesting' },
    },
    requesting: {
      entry: 'requestSubscribe',
      on: {
        'wechat.requestFailed': { target: 'page', actions: 'recordFailure' },
        'wechat.popupShown': 'popup',
        'wechat.requestAnswered': { target: 'handling', actions: 'recordResult' },
      },
    },
    popup: {
      on: { 'user.answeredPopup': { target: 'answering', actions: 'recordChoice' } },
    },
    answering: {
      entry: 'answerPopup',
      on: { 'wechat.requestAnswered': { target: 'handling', actions: 'recordResult' } },
    },
    handling: {
      entry: 'handleResult',
      on: { 'mp.resultHandled': { target: 'page', actions: 'recordHandled' } },
    },
    sending: {
      entry: 'sendMessage',
      on: {
        'developer.sent': { target: 'page', actions: 'recordSent' },
        'developer.skipped': { target: 'page', actions: 'recordSkipped' },
        'developer.sendFailed': { target: 'page', actions: 'recordSendFailure' },
      },
    },
  },
});

export type SubscribeMachine = typeof subscribeMachine;
