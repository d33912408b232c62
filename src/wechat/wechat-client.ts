/**
 * The simulated WeChat client (微信客户端) running one mini program for one
 * user: the wx.* APIs a flow needs, with WeChat's success/fail shapes. It asks
 * the WeChat server for codes and enforces the request domain allow-list,
 * which is why a mini program can never call api.weixin.qq.com itself.
 */
import type { HttpHandler, HttpResponse } from './http.ts';
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
}
