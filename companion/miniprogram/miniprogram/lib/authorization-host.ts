/**
 * src/flows/authorization.ts with real effects, on the `onDemand` strategy
 * the chapter recommends: nothing is asked at launch; a feature calls its API
 * when the user taps it, WeChat asks if it has to, and after a refusal the
 * page explains and offers `<button open-type="openSetting">`.
 *
 * Since 基础库 2.3.0 the settings page opens only from a tap, and with the
 * button WeChat opens it before any code runs: bindopensetting fires when
 * the user comes back. `openSettingReturned` replays that visit into the
 * machine (tap → page opened → left → closed with the new authSetting).
 */
import { authorizationMachine, createActor, FLOW_SCOPES } from './flows';
import type { AuthorizationMachine, AuthSettingView, FailReason, FlowScope, SnapshotFrom } from './flows';
import { FlowHost } from './host';

export type AuthorizationHost = FlowHost<AuthorizationMachine> & {
  openSettingReturned(authSetting: Record<string, boolean | undefined>): void;
};
type AuthorizationSnapshot = SnapshotFrom<AuthorizationMachine>;

type Outcome = { ok: true; errMsg: string; note?: string } | { ok: false; errMsg: string };

/**
 * The call behind each feature. The machine names wx.startRecord for the
 * microphone; that API is no longer maintained, and RecorderManager reports a
 * refusal only through onError, so the microphone is asked with wx.authorize,
 * which shows the same dialog and fails the same way.
 */
const SCOPED_CALLS: Record<string, (scope: FlowScope) => Promise<Outcome>> = {
  startRecord: (scope) => authorize(scope),
  authorize: (scope) => authorize(scope),
  saveImageToPhotosAlbum: (scope) => authorize(scope),
  getLocation: () =>
    new Promise((resolve) => {
      wx.getLocation({
        type: 'gcj02',
        success: (res) => resolve({ ok: true, errMsg: res.errMsg, note: `纬度 ${res.latitude.toFixed(4)}，经度 ${res.longitude.toFixed(4)}` }),
        fail: (err) => resolve({ ok: false, errMsg: err.errMsg }),
      });
    }),
};

function authorize(scope: FlowScope): Promise<Outcome> {
  return new Promise((resolve) => {
    wx.authorize({
      scope,
      success: (res) => resolve({ ok: true, errMsg: res.errMsg }),
      fail: (err) => resolve({ ok: false, errMsg: err.errMsg }),
    });
  });
}

/**
 * Only a scope refusal is remembered by WeChat; iOS and Android word it
 * differently (`auth deny` / `auth denied`). Anything else (an undeclared
 * requiredPrivateInfos entry, the phone's own location switch) leaves the
 * scope's state unknown and is reported as `notDeclared`: WeChat refused
 * before asking anybody.
 */
export function failReason(errMsg: string): FailReason {
  if (/auth den/.test(errMsg)) return 'denied';
  if (/privacy/.test(errMsg)) return 'privacy';
  return 'notDeclared';
}

/** authSetting holds every scope ever asked; the flow tracks its own four. */
export function pickScopes(authSetting: Record<string, boolean | undefined>): AuthSettingView {
  const view: AuthSettingView = {};
  for (const scope of FLOW_SCOPES) {
    const value = authSetting[scope];
    if (typeof value === 'boolean') view[scope] = value;
  }
  return view;
}

export function createAuthorizationHost(): AuthorizationHost {
  let returnedSetting: AuthSettingView = {};
  let host: AuthorizationHost;

  const machine = authorizationMachine.provide({
    actions: {
      callGetSetting: ({ self }) => {
        wx.getSetting({
          success: (res) => self.send({ type: 'wx.settingRead', authSetting: pickScopes(res.authSetting as Record<string, boolean | undefined>) }),
          // Knowing nothing is safe: every feature still asks when tapped.
          fail: () => self.send({ type: 'wx.settingRead', authSetting: {} }),
        });
      },
      callScopedApi: ({ context, self }) => {
        const call = context.call;
        if (!call) return;
        const run = SCOPED_CALLS[call.api] ?? authorize;
        void run(call.scope).then((outcome) => {
          if (outcome.ok) {
            self.send({ type: 'wx.callSucceeded', scope: call.scope, errMsg: outcome.errMsg });
            if (outcome.note) host.setNotice(outcome.note);
          } else {
            self.send({ type: 'wx.callFailed', scope: call.scope, errMsg: outcome.errMsg, reason: failReason(outcome.errMsg) });
          }
        });
      },
      callOpenSetting: ({ self }) => {
        self.send({ type: 'wx.settingsPageOpened', rows: returnedSetting });
        self.send({ type: 'user.leftSettings' });
      },
      returnFromSettings: ({ self }) => self.send({ type: 'wx.settingsClosed', authSetting: returnedSetting }),
    },
  });

  const start = () => {
    const actor = createActor(machine).start();
    actor.send({ type: 'user.launched', strategy: 'onDemand' });
    return actor;
  };

  host = Object.assign(new FlowHost(start), {
    openSettingReturned(authSetting: Record<string, boolean | undefined>) {
      returnedSetting = pickScopes(authSetting);
      host.send({ type: 'user.tappedOpenSetting' });
    },
  });
  return host;
}

/** Why each feature needs its scope, in the words the page shows after a refusal. */
const FEATURES: Array<{ scope: FlowScope; title: string; action: string; why: string }> = [
  {
    scope: 'scope.record',
    title: '麦克风',
    action: '录一段语音',
    why: '录音要用麦克风。你之前拒绝过，微信不会再弹窗询问；如果想用，请在设置页打开「麦克风」。',
  },
  {
    scope: 'scope.userLocation',
    title: '位置信息',
    action: '获取当前位置',
    why: '查看附近的内容要用你的位置。你之前拒绝过，微信不会再弹窗询问；如果想用，请在设置页打开「位置信息」。',
  },
];

const STATE_TEXT = { true: '已允许', false: '已拒绝', unknown: '尚未询问' } as const;

export function authorizationView(snapshot: AuthorizationSnapshot, notice: string | null) {
  const { known, results, call } = snapshot.context;
  return {
    busy: !snapshot.matches('ready'),
    features: FEATURES.map(({ scope, title, action, why }) => {
      const state = known[scope];
      const result = results[scope];
      return {
        scope,
        title,
        action,
        state: STATE_TEXT[state === undefined ? 'unknown' : state ? 'true' : 'false'],
        asking: call?.scope === scope,
        result: result ? result.errMsg : '',
        explanation: state === false ? why : '',
      };
    }),
    showSettingsButton: snapshot.can({ type: 'user.tappedOpenSetting' }),
    notice: notice ?? '',
  };
}
