/**
 * 获取手机号 as a statechart, both generations in one machine:
 *
 * - old flow: login ahead → the getPhoneNumber button hands the mini program
 *   `{ encryptedData, iv }` encrypted with WeChat's *current* session_key →
 *   what the callback does next (send at once, wx.login first, wx.checkSession
 *   first, or send in a query string) → the server decrypts with the key it stored;
 * - new flow: the button hands out a one-time `code` → the server trades it,
 *   with an access_token, for `phone_info`.
 *
 * As in login.ts, every side effect is a named entry action with an empty
 * default and results come back as events named for what happened. The
 * machine never sees a session_key: which key encrypted and which decrypted is
 * the world's business, and the tests check it there.
 */
import { assign, setup } from 'xstate';

export type PhoneFlowMode = 'old' | 'new';

export interface PhoneError {
  /** Who reported it: the WeChat client (errMsg / errno) or our server (error.code). */
  source: 'client' | 'server';
  code: string;
  message: string;
}

export interface PhoneResult {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

export interface PhoneNumberContext {
  mode: PhoneFlowMode;
  /** The developer server's login token, as the mini program stores it. */
  token: string | null;
  loginCode: string | null;
  /** The old button's e.detail; not secret, the mini program holds it. */
  detail: { encryptedData: string; iv: string } | null;
  /** The new button's code; kept after use for the single-use experiment. */
  phoneCode: string | null;
  phone: PhoneResult | null;
  lastError: PhoneError | null;
}

export type PhoneNumberEvent =
  | { type: 'user.choseOldFlow' }
  | { type: 'user.choseNewFlow' }
  | { type: 'user.tappedLogin' }
  | { type: 'user.tappedPhoneButton' }
  | { type: 'user.sentEncryptedData' }
  | { type: 'user.calledLoginInCallback' }
  | { type: 'user.calledCheckSession' }
  | { type: 'user.sentInQueryString' }
  | { type: 'user.resubmittedPhoneCode' }
  | { type: 'wx.loginSucceeded'; code: string }
  | { type: 'wx.sessionValid' }
  | { type: 'wx.sessionExpired' }
  | { type: 'wx.phoneNumberEncrypted'; encryptedData: string; iv: string }
  | { type: 'wx.phoneCodeIssued'; code: string }
  | { type: 'wx.phoneQuotaExhausted'; errno: number; errMsg: string }
  | { type: 'server.loginSucceeded'; token: string }
  | { type: 'server.loginFailed'; status: number; code: string; message: string }
  | ({ type: 'server.phoneReturned' } & PhoneResult)
  | { type: 'server.phoneRejected'; status: number; code: string; message: string };

/** The effects a host provides; each runs on entering the state that names it. */
export type PhoneNumberEffect =
  | 'callWxLogin'
  | 'sendLoginCode'
  | 'deliverEncryptedData'
  | 'callWxCheckSession'
  | 'sendEncryptedData'
  | 'sendEncryptedDataInQuery'
  | 'deliverPhoneCode'
  | 'sendPhoneCode';

const noEffect = () => {};

/** What the reader may do whenever nothing is in flight; choosing the flow already chosen is not a step. */
const idleEvents = {
  'user.choseOldFlow': { guard: { type: 'modeIsNot', params: { mode: 'old' } }, actions: 'chooseOld' },
  'user.choseNewFlow': { guard: { type: 'modeIsNot', params: { mode: 'new' } }, actions: 'chooseNew' },
  'user.tappedLogin': { target: '#phoneNumber.loggingIn', actions: 'clearError' },
  'user.tappedPhoneButton': [
    { guard: 'oldFlowReady', target: '#phoneNumber.oldFlow', actions: 'startAttempt' },
    { guard: 'newFlowChosen', target: '#phoneNumber.newFlow', actions: 'startAttempt' },
  ],
} as const;

/** Signed out, only the new flow can start: the old one needs the session_key a login stores. */
/**
 * wx.login → our server, used both for logging in ahead and for the pitfall
 * of logging in again inside the button callback; only where it leads differs.
 */
const loginSteps = (onSuccess: string, onFailure: string) => ({
  initial: 'requestingCode' as const,
  states: {
    requestingCode: {
      entry: 'callWxLogin' as const,
      on: { 'wx.loginSucceeded': { target: 'sendingCode', actions: 'rememberLoginCode' as const } },
    },
    sendingCode: {
      entry: 'sendLoginCode' as const,
      on: {
        'server.loginSucceeded': { target: onSuccess, actions: 'storeToken' as const },
        'server.loginFailed': { target: onFailure, actions: ['forgetToken', 'recordServerError'] as const },
      },
    },
  },
});

const signedOutEvents = {
  ...idleEvents,
  'user.tappedPhoneButton': { guard: 'newFlowChosen', target: '#phoneNumber.newFlow', actions: 'startAttempt' },
} as const;

const phoneOutcome = {
  'server.phoneReturned': { target: '#phoneNumber.phoneVerified', actions: 'storePhone' },
  'server.phoneRejected': { target: '#phoneNumber.phoneFailed', actions: 'recordServerError' },
} as const;

export const phoneNumberMachine = setup({
  types: {
    context: {} as PhoneNumberContext,
    events: {} as PhoneNumberEvent,
  },
  actions: {
    callWxLogin: noEffect,
    sendLoginCode: noEffect,
    deliverEncryptedData: noEffect,
    callWxCheckSession: noEffect,
    sendEncryptedData: noEffect,
    sendEncryptedDataInQuery: noEffect,
    deliverPhoneCode: noEffect,
    sendPhoneCode: noEffect,
    chooseOld: assign({ mode: 'old' as const }),
    chooseNew: assign({ mode: 'new' as const }),
    startAttempt: assign({ detail: null, phone: null, lastError: null }),
    clearError: assign({ lastError: null }),
    rememberLoginCode: assign({
      loginCode: ({ event }) => (event.type === 'wx.loginSucceeded' ? event.code : null),
    }),
    storeToken: assign({ token: ({ event, context }) => (event.type === 'server.loginSucceeded' ? event.token : context.token) }),
    forgetToken: assign({ token: null }),
    rememberDetail: assign({
      detail: ({ event }) => (event.type === 'wx.phoneNumberEncrypted' ? { encryptedData: event.encryptedData, iv: event.iv } : null),
    }),
    rememberPhoneCode: assign({
      phoneCode: ({ event, context }) => (event.type === 'wx.phoneCodeIssued' ? event.code : context.phoneCode),
    }),
    storePhone: assign({
      phone: ({ event }) =>
        event.type === 'server.phoneReturned'
          ? { phoneNumber: event.phoneNumber, purePhoneNumber: event.purePhoneNumber, countryCode: event.countryCode }
          : null,
      lastError: null,
    }),
    recordServerError: assign({
      lastError: ({ event }) =>
        event.type === 'server.phoneRejected' || event.type === 'server.loginFailed'
          ? { source: 'server' as const, code: event.code, message: event.message }
          : null,
    }),
    recordQuotaError: assign({
      lastError: ({ event }) =>
        event.type === 'wx.phoneQuotaExhausted'
          ? { source: 'client' as const, code: `errno ${event.errno}`, message: event.errMsg }
          : null,
    }),
    recordSessionExpired: assign({
      lastError: { source: 'client' as const, code: 'checkSession:fail', message: 'checkSession:fail' },
    }),
  },
  guards: {
    oldFlowReady: ({ context }) => context.mode === 'old' && context.token !== null,
    newFlowChosen: ({ context }) => context.mode === 'new',
    modeIsNot: ({ context }, { mode }: { mode: PhoneFlowMode }) => context.mode !== mode,
    hasUsedPhoneCode: ({ context }) => context.mode === 'new' && context.phoneCode !== null,
  },
}).createMachine({
  id: 'phoneNumber',
  initial: 'signedOut',
  context: { mode: 'old', token: null, loginCode: null, detail: null, phoneCode: null, phone: null, lastError: null },
  states: {
    signedOut: { on: signedOutEvents },
    loggingIn: loginSteps('#phoneNumber.ready', '#phoneNumber.signedOut'),
    ready: { on: idleEvents },
    oldFlow: {
      initial: 'encrypting',
      states: {
        encrypting: {
          entry: 'deliverEncryptedData',
          on: {
            'wx.phoneNumberEncrypted': { target: 'inCallback', actions: 'rememberDetail' },
            // The old button spends the same quota as the new one.
            'wx.phoneQuotaExhausted': { target: '#phoneNumber.phoneFailed', actions: 'recordQuotaError' },
          },
        },
        /** bindgetphonenumber has fired: what the developer wrote next decides the outcome. */
        inCallback: {
          on: {
            'user.sentEncryptedData': 'uploading',
            'user.calledLoginInCallback': 'reLoggingIn',
            'user.calledCheckSession': 'checkingSession',
            'user.sentInQueryString': 'uploadingInQuery',
          },
        },
        checkingSession: {
          entry: 'callWxCheckSession',
          on: {
            'wx.sessionValid': 'uploading',
            'wx.sessionExpired': { target: '#phoneNumber.loggingIn', actions: ['forgetToken', 'recordSessionExpired'] },
          },
        },
        reLoggingIn: loginSteps('#phoneNumber.oldFlow.uploading', '#phoneNumber.phoneFailed'),
        uploading: { entry: 'sendEncryptedData', on: phoneOutcome },
        uploadingInQuery: { entry: 'sendEncryptedDataInQuery', on: phoneOutcome },
      },
    },
    newFlow: {
      initial: 'requestingCode',
      states: {
        requestingCode: {
          entry: 'deliverPhoneCode',
          on: {
            'wx.phoneCodeIssued': { target: 'sendingCode', actions: 'rememberPhoneCode' },
            'wx.phoneQuotaExhausted': { target: '#phoneNumber.phoneFailed', actions: 'recordQuotaError' },
          },
        },
        sendingCode: { entry: 'sendPhoneCode', on: phoneOutcome },
      },
    },
    phoneVerified: {
      on: {
        ...idleEvents,
        'user.resubmittedPhoneCode': { guard: 'hasUsedPhoneCode', target: '#phoneNumber.newFlow.sendingCode' },
      },
    },
    phoneFailed: {
      on: {
        ...idleEvents,
        'user.resubmittedPhoneCode': { guard: 'hasUsedPhoneCode', target: '#phoneNumber.newFlow.sendingCode' },
      },
    },
  },
});

export type PhoneNumberMachine = typeof phoneNumberMachine;
