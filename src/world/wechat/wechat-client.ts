/**
 * The simulated WeChat client (微信客户端) running one mini program for one
 * user: the wx.* APIs a flow needs, with WeChat's success/fail shapes. It asks
 * the WeChat server for codes and enforces the request domain allow-list,
 * which is why a mini program can never call api.weixin.qq.com itself.
 */
import type { AppJsonPermission, AuthorizationCenter, AuthSetting, LiveScope, ScopedStep, SubscriptionsSetting } from './authorization.ts';
import type { HttpHandler, HttpResponse } from '../support/http.ts';
import type { WeChatServer } from './wechat-server.ts';

export interface WeChatClientOptions {
  wechat: WeChatServer;
  appid: string;
  userId: string;
  /** 开发管理 → 开发设置 → 服务器域名: request 合法域名, as origins. */
  requestDomains: Record<string, HttpHandler>;
}

export type WxResult<T extends object = object> = ({ ok: true } & T & { errMsg: string }) | { ok: false; errMsg: string };

export interface WxRequestOptions {
  url: string;
  method: 'GET' | 'POST';
  data?: unknown;
  header?: Record<string, string>;
}

/** WeChat refuses this origin as a request domain, whatever the developer configures. */
export const WECHAT_API_ORIGIN = 'https://api.weixin.qq.com';

export class WeChatClient {
  readonly appid: string;
  readonly userId: string;
  readonly #wechat: WeChatServer;
  readonly #domains: Record<string, HttpHandler>;
  readonly #storage = new Map<string, unknown>();
  #authorization: AuthorizationCenter | null = null;
  #settingsOpen = false;
  /** The mini program's app.json `permission` field; the 授权 simulator can remove the declaration. */
  appJson: AppJsonPermission = { userLocationDesc: '你的位置信息将用于查找附近的学习小组' };

  constructor(options: WeChatClientOptions) {
    this.#wechat = options.wechat;
    this.appid = options.appid;
    this.userId = options.userId;
    this.#domains = options.requestDomains;
  }

  login(): WxResult<{ code: string }> {
    return { ok: true, errMsg: 'login:ok', code: this.#wechat.issueLoginCode(this.appid, this.userId) };
  }

  checkSession(): WxResult {
    return this.#wechat.checkSession(this.appid, this.userId)
      ? { ok: true, errMsg: 'checkSession:ok' }
      : { ok: false, errMsg: 'checkSession:fail' };
  }

  /** Like wx.request, any HTTP status is a success: only transport problems fail. */
  async request(options: WxRequestOptions): Promise<WxResult<{ statusCode: number; data: unknown }>> {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      return { ok: false, errMsg: 'request:fail invalid url' };
    }
    const handler = url.protocol === 'https:' && url.origin !== WECHAT_API_ORIGIN ? this.#domains[url.origin] : undefined;
    if (!handler) return { ok: false, errMsg: 'request:fail url not in domain list' };
    const response: HttpResponse = await handler({
      method: options.method,
      path: url.pathname + url.search,
      headers: { ...options.header },
      body: options.data,
    });
    return { ok: true, errMsg: 'request:ok', statusCode: response.status, data: response.body };
  }

  setStorageSync(key: string, value: unknown): void {
    this.#storage.set(key, structuredClone(value));
  }

  getStorageSync(key: string): unknown {
    const value = this.#storage.get(key);
    return value === undefined ? '' : structuredClone(value);
  }

  removeStorageSync(key: string): void {
    this.#storage.delete(key);
  }

  /** Everything the mini program has stored: what an attacker with the phone could read. */
  storageSnapshot(): Record<string, unknown> {
    return Object.fromEntries(this.#storage);
  }

  /** Authorization lives in WeChat, not in the client; flows that need it attach the shared memory. */
  attachAuthorization(center: AuthorizationCenter): void {
    this.#authorization = center;
  }

  get #auth(): AuthorizationCenter {
    if (!this.#authorization) throw new Error('this world has no authorization memory attached');
    return this.#authorization;
  }

  /** wx.getSetting: only scopes already asked appear; `withSubscriptions` adds the subscription switches. */
  getSetting(options: { withSubscriptions?: boolean } = {}): {
    errMsg: string;
    authSetting: AuthSetting;
    subscriptionsSetting?: SubscriptionsSetting;
  } {
    const authSetting = this.#auth.authSetting(this.appid, this.userId);
    return {
      errMsg: 'getSetting:ok',
      authSetting,
      ...(options.withSubscriptions ? { subscriptionsSetting: { mainSwitch: true, itemSettings: {} } } : {}),
    };
  }

  /** wx.authorize({ scope }) and every API gated by a scope (wx.startRecord, wx.getLocation…) start the same way. */
  callScoped(api: string, scope: LiveScope): ScopedStep {
    return this.#auth.begin(this.appid, this.userId, api, scope, this.appJson);
  }

  /** The user's answer to the privacy popup (agreePrivacyAuthorization button, or resolve({ event: 'disagree' })). */
  answerPrivacy(api: string, scope: LiveScope, agree: boolean): ScopedStep {
    return this.#auth.answerPrivacy(this.appid, this.userId, api, scope, this.appJson, agree);
  }

  /** The user's answer in WeChat's own 允许 / 拒绝 dialog. */
  answerScopeDialog(api: string, scope: LiveScope, allow: boolean): ScopedStep {
    return this.#auth.answerDialog(this.appid, this.userId, api, scope, allow);
  }

  /**
   * wx.openSetting. Since base library 2.3.0 it only opens from a user tap;
   * on success the page is open and the call resolves when the user returns.
   */
  openSetting(options: { fromTap: boolean }): { ok: true; rows: AuthSetting } | { ok: false; errMsg: string } {
    if (!options.fromTap) return { ok: false, errMsg: 'openSetting:fail can only be invoked by user TAP gesture.' };
    this.#settingsOpen = true;
    return { ok: true, rows: this.#auth.settingsRows(this.appid, this.userId) };
  }

  /** A switch flipped on the open settings page. */
  flipSetting(scope: LiveScope, on: boolean): AuthSetting {
    if (!this.#settingsOpen) throw new Error('the settings page is not open');
    this.#auth.setFromSettings(this.appid, this.userId, scope, on);
    return this.#auth.settingsRows(this.appid, this.userId);
  }

  /** The user leaves the settings page: openSetting's success callback gets the new authSetting. */
  returnFromSetting(): { errMsg: string; authSetting: AuthSetting } {
    if (!this.#settingsOpen) throw new Error('the settings page is not open');
    this.#settingsOpen = false;
    return { errMsg: 'openSetting:ok', authSetting: this.#auth.authSetting(this.appid, this.userId) };
  }
}
