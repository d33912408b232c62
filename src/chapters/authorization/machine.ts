/**
 * 授权 as a statechart: a mini program asks WeChat for scopes (麦克风, 位置,
 * 摄像头, 相册), WeChat asks the user once and remembers the answer, and the
 * only way back from a refusal is the settings page, opened from a tap.
 *
 * Two strategies run on the same machine, chosen at launch:
 * - `upfront`: onLaunch reads wx.getSetting and calls wx.authorize for every
 *   scope not yet granted, one after another (the common mistake);
 * - `onDemand`: nothing is asked at launch; a feature calls its API when the
 *   user taps it, and after a refusal the page explains why and offers a
 *   `<button open-type="openSetting">`.
 *
 * WeChat decides what a call does (privacy popup, scope dialog, instant
 * success or failure); the machine only waits for what happened. Every side
 * effect is a named entry action with an empty default, and results come
 * back as events named for what happened.
 */
import { assign, setup } from 'xstate';

export const FLOW_SCOPES = ['scope.record', 'scope.userLocation', 'scope.camera', 'scope.writePhotosAlbum'] as const;
export type FlowScope = (typeof FLOW_SCOPES)[number];

export type Strategy = 'upfront' | 'onDemand';

/**
 * The API a feature calls; `authorize` when the scope has no API of its own to call first: the camera
 * component, and recording, whose RecorderManager reports a refusal only through onError (wx.startRecord
 * is no longer maintained), as the companion page does.
 */
export type ScopedApi = 'authorize' | 'getLocation' | 'saveImageToPhotosAlbum';

export const FEATURE_API: Record<FlowScope, ScopedApi> = {
  'scope.record': 'authorize',
  'scope.userLocation': 'getLocation',
  'scope.camera': 'authorize',
  'scope.writePhotosAlbum': 'saveImageToPhotosAlbum',
};

export type FailReason = 'denied' | 'privacy' | 'privacyRecent' | 'notDeclared';

export interface CallResult {
  ok: boolean;
  errMsg: string;
  reason?: FailReason;
}

export type AuthSettingView = Partial<Record<FlowScope, boolean>>;

export interface AuthorizationContext {
  strategy: Strategy | null;
  /** The call WeChat is handling now. */
  call: { api: ScopedApi; scope: FlowScope } | null;
  /** Upfront strategy: scopes still to be asked after the current one. */
  queue: FlowScope[];
  /** What the mini program last learned of authSetting (getSetting, openSetting, a failure). */
  known: AuthSettingView;
  /** The last result per scope, for the page to show. */
  results: Partial<Record<FlowScope, CallResult>>;
  /** Rows of WeChat's settings page while it is open. */
  settingsRows: AuthSettingView | null;
  /** The switch being flipped. */
  switching: FlowScope | null;
  /** Who called wx.openSetting: a tap on the page's button, or onShow. */
  openSettingFrom: 'tap' | 'onShow' | null;
  lastError: string | null;
}

export type AuthorizationEvent =
  | { type: 'user.launched'; strategy: Strategy }
  | { type: 'user.tappedFeature'; scope: FlowScope }
  | { type: 'user.tappedOpenSetting' }
  | { type: 'app.shown' }
  | { type: 'user.agreedPrivacy' }
  | { type: 'user.refusedPrivacy' }
  | { type: 'user.allowedScope' }
  | { type: 'user.deniedScope' }
  | { type: 'user.toggledSetting'; scope: FlowScope }
  | { type: 'user.leftSettings' }
  | { type: 'user.deletedMiniProgram' }
  | { type: 'user.clearedAuthData' }
  | { type: 'wx.settingRead'; authSetting: AuthSettingView }
  | { type: 'wx.privacyPromptShown' }
  | { type: 'wx.scopeDialogShown' }
  | { type: 'wx.callSucceeded'; scope: FlowScope; errMsg: string }
  | { type: 'wx.callFailed'; scope: FlowScope; errMsg: string; reason: FailReason }
  | { type: 'wx.settingsPageOpened'; rows: AuthSettingView }
  | { type: 'wx.openSettingFailed'; errMsg: string }
  | { type: 'wx.settingSwitched'; rows: AuthSettingView }
  | { type: 'wx.settingsClosed'; authSetting: AuthSettingView }
  | { type: 'wx.authDataCleared' };

export type AuthorizationEffect =
  | 'callGetSetting'
  | 'callScopedApi'
  | 'agreePrivacy'
  | 'refusePrivacy'
  | 'allowScope'
  | 'denyScope'
  | 'callOpenSetting'
  | 'flipSetting'
  | 'returnFromSettings'
  | 'deleteMiniProgram'
  | 'clearAuthData';

const noEffect = () => {};

const initialContext: AuthorizationContext = {
  strategy: null,
  call: null,
  queue: [],
  known: {},
  results: {},
  settingsRows: null,
  switching: null,
  openSettingFrom: null,
  lastError: null,
};

/** The naive launch code asks for every scope that getSetting does not report as true. */
const notGranted = (authSetting: AuthSettingView) => FLOW_SCOPES.filter((scope) => authSetting[scope] !== true);

/**
 * What happens to one scope-gated call, the same whether onLaunch asks or a
 * feature does: WeChat may first need privacy consent, then may show its
 * dialog; the result event is handled by the parent.
 */
const askSteps = {
  calling: {
    entry: 'callScopedApi',
    on: {
      'wx.privacyPromptShown': 'privacyPrompt',
      'wx.scopeDialogShown': 'scopeDialog',
    },
  },
  privacyPrompt: {
    on: {
      'user.agreedPrivacy': 'agreeingPrivacy',
      'user.refusedPrivacy': 'refusingPrivacy',
    },
  },
  agreeingPrivacy: {
    entry: 'agreePrivacy',
    on: { 'wx.scopeDialogShown': 'scopeDialog' },
  },
  refusingPrivacy: { entry: 'refusePrivacy' },
  scopeDialog: {
    on: {
      'user.allowedScope': 'allowing',
      'user.deniedScope': 'denying',
    },
  },
  allowing: { entry: 'allowScope' },
  denying: { entry: 'denyScope' },
} as const;

export const authorizationMachine = setup({
  types: {
    context: {} as AuthorizationContext,
    events: {} as AuthorizationEvent,
  },
  actions: {
    callGetSetting: noEffect,
    callScopedApi: noEffect,
    agreePrivacy: noEffect,
    refusePrivacy: noEffect,
    allowScope: noEffect,
    denyScope: noEffect,
    callOpenSetting: noEffect,
    flipSetting: noEffect,
    returnFromSettings: noEffect,
    deleteMiniProgram: noEffect,
    clearAuthData: noEffect,
    startApp: assign(({ event }) =>
      event.type === 'user.launched' ? { ...initialContext, strategy: event.strategy } : {},
    ),
    resetApp: assign(() => ({ ...initialContext })),
    readSetting: assign(({ event }) => (event.type === 'wx.settingRead' ? { known: { ...event.authSetting } } : {})),
    startAskingAll: assign(({ event }) => {
      if (event.type !== 'wx.settingRead') return {};
      const [first, ...rest] = notGranted(event.authSetting);
      return first ? { call: { api: 'authorize' as const, scope: first }, queue: rest } : {};
    }),
    startFeature: assign(({ event }) =>
      event.type === 'user.tappedFeature'
        ? { call: { api: FEATURE_API[event.scope], scope: event.scope }, queue: [], lastError: null }
        : {},
    ),
    recordResult: assign(({ context, event }) => {
      if (event.type !== 'wx.callSucceeded' && event.type !== 'wx.callFailed') return {};
      const result: CallResult =
        event.type === 'wx.callSucceeded'
          ? { ok: true, errMsg: event.errMsg }
          : { ok: false, errMsg: event.errMsg, reason: event.reason };
      const known = { ...context.known };
      // A success or an `auth deny` tells the mini program the scope's state; a privacy failure tells it nothing.
      if (event.type === 'wx.callSucceeded') known[event.scope] = true;
      else if (event.reason === 'denied') known[event.scope] = false;
      return {
        known,
        results: { ...context.results, [event.scope]: result },
        call: null,
        lastError: result.ok ? null : result.errMsg,
      };
    }),
    askNext: assign(({ context }) => {
      const [next, ...rest] = context.queue;
      return next ? { call: { api: 'authorize' as const, scope: next }, queue: rest } : {};
    }),
    openFromTap: assign({ openSettingFrom: 'tap' as const, lastError: null }),
    openFromOnShow: assign({ openSettingFrom: 'onShow' as const, lastError: null }),
    showSettingsPage: assign(({ event }) => (event.type === 'wx.settingsPageOpened' ? { settingsRows: { ...event.rows } } : {})),
    recordOpenSettingFailure: assign(({ event }) =>
      event.type === 'wx.openSettingFailed' ? { lastError: event.errMsg, openSettingFrom: null } : {},
    ),
    chooseSwitch: assign(({ event }) => (event.type === 'user.toggledSetting' ? { switching: event.scope } : {})),
    updateRows: assign(({ event }) =>
      event.type === 'wx.settingSwitched' ? { settingsRows: { ...event.rows }, switching: null } : {},
    ),
    learnFromSettings: assign(({ context, event }) => {
      if (event.type !== 'wx.settingsClosed') return {};
      // Results shown on the page described the old answers; clear those the user has since changed.
      const results = { ...context.results };
      for (const scope of FLOW_SCOPES) {
        if (event.authSetting[scope] !== context.known[scope]) delete results[scope];
      }
      return { known: { ...event.authSetting }, results, settingsRows: null, openSettingFrom: null };
    }),
  },
  guards: {
    // Guards also run for bare `{ type }` probes (the simulator asks `can()`), so a payload may be missing.
    asksEverythingAtLaunch: ({ context, event }) =>
      context.strategy === 'upfront' && event.type === 'wx.settingRead' && notGranted(event.authSetting ?? {}).length > 0,
    hasMoreToAsk: ({ context }) => context.queue.length > 0,
    offersSettingsButton: ({ context }) =>
      context.strategy === 'onDemand' && FLOW_SCOPES.some((scope) => context.known[scope] === false),
    isOnSettingsPage: ({ context, event }) =>
      event.type === 'user.toggledSetting' && context.settingsRows !== null && event.scope in context.settingsRows,
  },
}).createMachine({
  id: 'authorization',
  initial: 'closed',
  context: initialContext,
  states: {
    closed: {
      on: {
        'user.launched': { target: 'launching', actions: 'startApp' },
        'user.deletedMiniProgram': 'deletingMiniProgram',
        'user.clearedAuthData': 'clearingAuthData',
      },
    },
    launching: {
      entry: 'callGetSetting',
      on: {
        'wx.settingRead': [
          { guard: 'asksEverythingAtLaunch', target: 'askingAtLaunch', actions: ['readSetting', 'startAskingAll'] },
          { target: 'ready', actions: 'readSetting' },
        ],
      },
    },
    askingAtLaunch: {
      initial: 'calling',
      on: {
        'wx.callSucceeded': [
          { guard: 'hasMoreToAsk', target: 'askingAtLaunch', reenter: true, actions: ['recordResult', 'askNext'] },
          { target: 'ready', actions: 'recordResult' },
        ],
        'wx.callFailed': [
          { guard: 'hasMoreToAsk', target: 'askingAtLaunch', reenter: true, actions: ['recordResult', 'askNext'] },
          { target: 'ready', actions: 'recordResult' },
        ],
      },
      states: askSteps,
    },
    asking: {
      initial: 'calling',
      on: {
        'wx.callSucceeded': { target: 'ready', actions: 'recordResult' },
        'wx.callFailed': { target: 'ready', actions: 'recordResult' },
      },
      states: askSteps,
    },
    ready: {
      on: {
        'user.launched': { target: 'launching', actions: 'startApp' },
        'user.tappedFeature': { target: 'asking', actions: 'startFeature' },
        'user.tappedOpenSetting': { guard: 'offersSettingsButton', target: 'openingSetting.fromTap', actions: 'openFromTap' },
        'app.shown': { target: 'openingSetting.fromOnShow', actions: 'openFromOnShow' },
        'user.deletedMiniProgram': 'deletingMiniProgram',
        'user.clearedAuthData': 'clearingAuthData',
      },
    },
    openingSetting: {
      entry: 'callOpenSetting',
      // Substates only say who called; WeChat's answer depends on it. Both are entered directly.
      initial: 'fromTap',
      states: { fromTap: {}, fromOnShow: {} },
      on: {
        'wx.settingsPageOpened': { target: 'settingsPage', actions: 'showSettingsPage' },
        'wx.openSettingFailed': { target: 'ready', actions: 'recordOpenSettingFailure' },
      },
    },
    settingsPage: {
      initial: 'open',
      states: {
        open: {
          on: {
            'user.toggledSetting': { guard: 'isOnSettingsPage', target: 'switching', actions: 'chooseSwitch' },
            'user.leftSettings': 'returning',
          },
        },
        switching: {
          entry: 'flipSetting',
          on: { 'wx.settingSwitched': { target: 'open', actions: 'updateRows' } },
        },
        returning: {
          entry: 'returnFromSettings',
          on: { 'wx.settingsClosed': { target: '#authorization.ready', actions: 'learnFromSettings' } },
        },
      },
    },
    deletingMiniProgram: {
      entry: 'deleteMiniProgram',
      on: { 'wx.authDataCleared': { target: 'closed', actions: 'resetApp' } },
    },
    clearingAuthData: {
      entry: 'clearAuthData',
      on: { 'wx.authDataCleared': { target: 'closed', actions: 'resetApp' } },
    },
  },
});

export type AuthorizationMachine = typeof authorizationMachine;
