/**
 * What WeChat remembers about authorization, per user × mini program: each
 * scope's answer, the privacy-agreement consent, and the settings page that
 * lets the user change the answers. Platform-free; the WeChat client
 * delegates its wx.getSetting / wx.authorize / wx.openSetting and the gated
 * APIs here. Rules follow ../../shared/reference/wechat-facts.md §2:
 *
 * - a scope is never asked, granted or denied; once answered, WeChat keeps
 *   the answer "直到用户主动删除小程序" (or DevTools' 清除授权数据);
 * - a denied scope fails at once, without a dialog;
 * - privacy consent comes before any scope dialog, and a refusal less than
 *   10 seconds ago fails without asking again;
 * - location scopes need the `permission` declaration in app.json.
 */
import type { Clock } from '../support/clock.ts';
import { SECOND } from '../support/clock.ts';

/** The scopes the simulator runs; the chapter's table lists the rest. */
export const LIVE_SCOPES = ['scope.record', 'scope.userLocation', 'scope.camera', 'scope.writePhotosAlbum'] as const;
export type LiveScope = (typeof LIVE_SCOPES)[number];

export type ScopeAnswer = 'granted' | 'denied';

/** `authSetting` as wx.getSetting returns it: a scope never asked is absent, not false. */
export type AuthSetting = Partial<Record<LiveScope, boolean>>;

/** Kept for the subscribe-message chapter; this chapter never subscribes, so it stays empty. */
export interface SubscriptionsSetting {
  mainSwitch: boolean;
  itemSettings: Record<string, 'accept' | 'reject' | 'ban'>;
}

export const LOCATION_SCOPES: ReadonlySet<LiveScope> = new Set(['scope.userLocation']);

/** The official 10-second rule: a refusal this recent fails the next privacy API without a popup. */
export const PRIVACY_RETRY_WINDOW_MS = 10 * SECOND;

export interface ScopeInfo {
  /** What the settings page calls it. */
  label: string;
  /** The line in WeChat's dialog after 「小程序名」. */
  ask: string;
}

export const SCOPE_INFO: Record<LiveScope, ScopeInfo> = {
  'scope.record': { label: '麦克风', ask: '申请使用你的麦克风' },
  'scope.userLocation': { label: '位置信息', ask: '申请获取你的位置信息' },
  'scope.camera': { label: '摄像头', ask: '申请使用你的摄像头' },
  'scope.writePhotosAlbum': { label: '添加到相册', ask: '申请保存图片或视频到你的相册' },
};

/** The mini program's own app.json, as far as authorization reads it. */
export interface AppJsonPermission {
  /** `permission["scope.userLocation"].desc`; null when the declaration is missing. */
  userLocationDesc: string | null;
}

export type PrivacyState = 'notAgreed' | 'agreed';

/** One user's memory for one mini program. */
interface Memory {
  scopes: Map<LiveScope, ScopeAnswer>;
  privacy: PrivacyState;
  lastPrivacyRefusalAt: number | null;
}

/**
 * Where a scope-gated call stands after WeChat has looked at it. `privacy`
 * and `dialog` wait for the user; `done` is the call's result.
 */
export type ScopedStep =
  | { kind: 'privacy' }
  | { kind: 'dialog'; scope: LiveScope }
  | { kind: 'done'; ok: true; errMsg: string }
  | { kind: 'done'; ok: false; errMsg: string; reason: FailReason };

/** Why a scope-gated call failed; the errMsg is what the mini program sees. */
export type FailReason = 'denied' | 'privacy' | 'privacyRecent' | 'notDeclared';

export interface OpenSettingResult {
  ok: boolean;
  errMsg: string;
}

export class AuthorizationCenter {
  readonly #clock: Clock;
  readonly #memory = new Map<string, Memory>();

  constructor(options: { clock: Clock }) {
    this.#clock = options.clock;
  }

  #of(appid: string, userId: string): Memory {
    const key = `${appid}|${userId}`;
    let memory = this.#memory.get(key);
    if (!memory) {
      memory = { scopes: new Map(), privacy: 'notAgreed', lastPrivacyRefusalAt: null };
      this.#memory.set(key, memory);
    }
    return memory;
  }

  answer(appid: string, userId: string, scope: LiveScope): ScopeAnswer | undefined {
    return this.#of(appid, userId).scopes.get(scope);
  }

  authSetting(appid: string, userId: string): AuthSetting {
    const setting: AuthSetting = {};
    // Answers come back in the order they were given, like WeChat's own list.
    for (const [scope, answer] of this.#of(appid, userId).scopes) setting[scope] = answer === 'granted';
    return setting;
  }

  privacy(appid: string, userId: string): { state: PrivacyState; lastRefusalAt: number | null } {
    const memory = this.#of(appid, userId);
    return { state: memory.privacy, lastRefusalAt: memory.lastPrivacyRefusalAt };
  }

  /** The first thing WeChat does with a call to `api` that needs `scope`. */
  begin(appid: string, userId: string, api: string, scope: LiveScope, permission: AppJsonPermission): ScopedStep {
    const memory = this.#of(appid, userId);
    if (memory.privacy !== 'agreed') {
      const last = memory.lastPrivacyRefusalAt;
      if (last !== null && this.#clock.now() - last < PRIVACY_RETRY_WINDOW_MS) {
        return { kind: 'done', ok: false, errMsg: `${api}:fail privacy permission is not authorized`, reason: 'privacyRecent' };
      }
      return { kind: 'privacy' };
    }
    return this.#checkScope(memory, api, scope, permission);
  }

  /** The user answered the privacy popup; agreeing moves on to the scope itself. */
  answerPrivacy(appid: string, userId: string, api: string, scope: LiveScope, permission: AppJsonPermission, agree: boolean): ScopedStep {
    const memory = this.#of(appid, userId);
    if (!agree) {
      memory.lastPrivacyRefusalAt = this.#clock.now();
      return { kind: 'done', ok: false, errMsg: `${api}:fail privacy permission is not authorized`, reason: 'privacy' };
    }
    memory.privacy = 'agreed';
    memory.lastPrivacyRefusalAt = null;
    return this.#checkScope(memory, api, scope, permission);
  }

  /** The user answered WeChat's scope dialog; the answer is remembered either way. */
  answerDialog(appid: string, userId: string, api: string, scope: LiveScope, allow: boolean): ScopedStep {
    const memory = this.#of(appid, userId);
    if (memory.scopes.has(scope)) throw new Error(`${scope} was already answered; WeChat never asks twice`);
    memory.scopes.set(scope, allow ? 'granted' : 'denied');
    return allow ? { kind: 'done', ok: true, errMsg: `${api}:ok` } : denied(api);
  }

  /** Rows of the settings page: only scopes already asked. */
  settingsRows(appid: string, userId: string): AuthSetting {
    return this.authSetting(appid, userId);
  }

  /** A switch flipped on the settings page; scopes never asked have no switch. */
  setFromSettings(appid: string, userId: string, scope: LiveScope, on: boolean): void {
    const memory = this.#of(appid, userId);
    if (!memory.scopes.has(scope)) throw new Error(`${scope} is not on the settings page: it was never asked`);
    memory.scopes.set(scope, on ? 'granted' : 'denied');
  }

  /** 删除小程序 or DevTools' 清除授权数据: every answer and the privacy consent are gone. */
  forget(appid: string, userId: string): void {
    this.#memory.delete(`${appid}|${userId}`);
  }

  #checkScope(memory: Memory, api: string, scope: LiveScope, permission: AppJsonPermission): ScopedStep {
    if (LOCATION_SCOPES.has(scope) && permission.userLocationDesc === null) {
      return { kind: 'done', ok: false, errMsg: `${api}:fail`, reason: 'notDeclared' };
    }
    const answer = memory.scopes.get(scope);
    if (answer === 'granted') return { kind: 'done', ok: true, errMsg: `${api}:ok` };
    if (answer === 'denied') return denied(api);
    return { kind: 'dialog', scope };
  }
}

function denied(api: string): ScopedStep {
  return { kind: 'done', ok: false, errMsg: `${api}:fail auth deny`, reason: 'denied' };
}

/** Official pages the chapter's findings link to. */
export const AUTHORIZE_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/authorize.html';
export const OPEN_SETTING_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api/open-api/setting/wx.openSetting.html';
export const PRIVACY_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/user-privacy/PrivacyAuthorize.html';
export const PERMISSION_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/reference/configuration/app.html#permission';
