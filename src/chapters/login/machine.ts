/**
 * 小程序登录 as a statechart: wx.login → code → developer server →
 * code2Session → custom login token, plus the ways it goes wrong.
 *
 * The machine only decides what happens next. Every side effect is a named
 * entry action with an empty default, provided by whoever runs the flow: the
 * simulator queues it for the reader to step through, the companion mini
 * program calls the real wx APIs, and graph-based tests leave them empty.
 * Results come back as events named for what happened. The developer
 * server's internal steps are substates of `awaitingServer`; a host that only
 * sees the HTTP response (the companion) sends the final
 * `server.tokenIssued` / `server.loginFailed` and skips them.
 */
import { assign, setup } from 'xstate';

export interface LoginError {
  /** Who reported it: the WeChat client (errMsg), WeChat's API (errcode) or our server (error.code). */
  source: 'client' | 'wechat' | 'server';
  code: string;
  message: string;
}

export interface LoginContext {
  /** The code currently in flight; the last one sent stays for the 40163 experiment. */
  code: string | null;
  token: string | null;
  openid: string | null;
  /** Only the wrong design puts session_key on the phone. */
  sessionKeyOnClient: boolean;
  lastError: LoginError | null;
  /** A request got 401: once logged in again, send it once more. */
  retryProfile: boolean;
  /** The request in flight is that one retry: a second 401 is an error, never another loop. */
  profileRetried: boolean;
}

export type LoginEvent =
  | { type: 'user.tappedLogin' }
  | { type: 'user.openedProfile' }
  | { type: 'user.resubmittedCode' }
  | { type: 'user.calledWeChatApiDirectly' }
  | { type: 'app.relaunched' }
  | { type: 'wx.loginSucceeded'; code: string }
  | { type: 'wx.sessionValid' }
  | { type: 'wx.sessionExpired' }
  | { type: 'wx.requestFailed'; errMsg: string }
  | { type: 'server.codeReceived' }
  | { type: 'wechat.sessionIssued'; openid: string }
  | { type: 'wechat.loginRejected'; errcode: number; errmsg: string }
  | { type: 'server.tokenIssued'; token: string; openid: string; sessionKey?: string }
  | { type: 'server.loginFailed'; status: number; code: string; message: string }
  | { type: 'server.profileReturned'; openid: string }
  | { type: 'server.unauthorized'; code: string; message: string };

/** The effects a host provides; each runs on entering the state that names it. */
export type LoginEffect =
  | 'callWxLogin'
  | 'sendCodeToServer'
  | 'exchangeCodeWithWeChat'
  | 'issueToken'
  | 'respondWithError'
  | 'callWxCheckSession'
  | 'requestProfile'
  | 'resendUsedCode'
  | 'requestWeChatApiDirectly';

const noEffect = () => {};

export const loginMachine = setup({
  types: {
    context: {} as LoginContext,
    events: {} as LoginEvent,
  },
  actions: {
    callWxLogin: noEffect,
    sendCodeToServer: noEffect,
    exchangeCodeWithWeChat: noEffect,
    issueToken: noEffect,
    respondWithError: noEffect,
    callWxCheckSession: noEffect,
    requestProfile: noEffect,
    resendUsedCode: noEffect,
    requestWeChatApiDirectly: noEffect,
    rememberCode: assign({
      code: ({ event }) => (event.type === 'wx.loginSucceeded' ? event.code : null),
      lastError: null,
    }),
    storeToken: assign(({ event }) =>
      event.type === 'server.tokenIssued'
        ? { token: event.token, openid: event.openid, sessionKeyOnClient: event.sessionKey !== undefined, lastError: null }
        : {},
    ),
    forgetToken: assign({ token: null, sessionKeyOnClient: false }),
    recordServerError: assign({
      lastError: ({ event }) =>
        event.type === 'server.loginFailed' || event.type === 'server.unauthorized'
          ? { source: 'server' as const, code: event.code, message: event.message }
          : null,
    }),
    recordClientError: assign({
      lastError: ({ event }) =>
        event.type === 'wx.requestFailed' ? { source: 'client' as const, code: 'request:fail', message: event.errMsg } : null,
    }),
    clearError: assign({ lastError: null }),
    startProfileRequest: assign({ lastError: null, profileRetried: false }),
    scheduleRetry: assign({ retryProfile: true }),
    startRetry: assign({ retryProfile: false, profileRetried: true }),
    abandonRetry: assign({ retryProfile: false }),
  },
  guards: {
    hasToken: ({ context }) => context.token !== null,
    retryPending: ({ context }) => context.retryProfile,
    alreadyRetried: ({ context }) => context.profileRetried,
    hasUsedCode: ({ context }) => context.code !== null,
  },
}).createMachine({
  id: 'login',
  initial: 'signedOut',
  context: { code: null, token: null, openid: null, sessionKeyOnClient: false, lastError: null, retryProfile: false, profileRetried: false },
  states: {
    signedOut: {
      on: {
        'user.tappedLogin': 'loggingIn',
        'user.calledWeChatApiDirectly': 'callingWeChatDirectly',
      },
    },
    loggingIn: {
      initial: 'requestingCode',
      states: {
        requestingCode: {
          entry: 'callWxLogin',
          on: { 'wx.loginSucceeded': { target: 'awaitingServer', actions: 'rememberCode' } },
        },
        awaitingServer: {
          entry: 'sendCodeToServer',
          initial: 'requestInFlight',
          on: {
            'server.tokenIssued': [
              // Logged in again because a request got 401: that request goes out once more.
              { guard: 'retryPending', target: '#login.fetchingProfile', actions: ['storeToken', 'startRetry'] },
              { target: '#login.loggedIn', actions: 'storeToken' },
            ],
            'server.loginFailed': { target: '#login.signedOut', actions: ['forgetToken', 'recordServerError', 'abandonRetry'] },
          },
          states: {
            requestInFlight: {
              on: { 'server.codeReceived': 'exchangingCode' },
            },
            exchangingCode: {
              entry: 'exchangeCodeWithWeChat',
              on: {
                'wechat.sessionIssued': 'issuingToken',
                'wechat.loginRejected': 'respondingWithError',
              },
            },
            issuingToken: { entry: 'issueToken' },
            respondingWithError: { entry: 'respondWithError' },
          },
        },
      },
    },
    loggedIn: {
      on: {
        'user.openedProfile': { target: 'fetchingProfile', actions: 'startProfileRequest' },
        'app.relaunched': { target: 'checkingSession', actions: 'clearError' },
        'user.resubmittedCode': { guard: 'hasUsedCode', target: 'resubmittingCode', actions: 'clearError' },
        'user.calledWeChatApiDirectly': 'callingWeChatDirectly',
      },
    },
    checkingSession: {
      entry: 'callWxCheckSession',
      on: {
        'wx.sessionValid': 'loggedIn',
        'wx.sessionExpired': { target: 'loggingIn', actions: 'forgetToken' },
      },
    },
    fetchingProfile: {
      entry: 'requestProfile',
      on: {
        'server.profileReturned': 'loggedIn',
        'server.unauthorized': [
          { guard: 'alreadyRetried', target: 'signedOut', actions: ['forgetToken', 'recordServerError'] },
          { target: 'loggingIn', actions: ['forgetToken', 'recordServerError', 'scheduleRetry'] },
        ],
      },
    },
    resubmittingCode: {
      entry: 'resendUsedCode',
      on: { 'server.loginFailed': { target: 'loggedIn', actions: 'recordServerError' } },
    },
    callingWeChatDirectly: {
      entry: 'requestWeChatApiDirectly',
      on: {
        'wx.requestFailed': [
          { guard: 'hasToken', target: 'loggedIn', actions: 'recordClientError' },
          { target: 'signedOut', actions: 'recordClientError' },
        ],
      },
    },
  },
});

export type LoginMachine = typeof loginMachine;
