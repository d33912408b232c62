/**
 * A fake WeChat client for the mini program's tests, backed by the real
 * WeChat emulator: wx.login asks the emulator for a code for the test user
 * (what the real client asks WeChat's own servers), wx.checkSession asks the
 * emulator's model whether the user's latest session is alive, the phone
 * button's e.detail comes from the emulator, and wx.request is real HTTP on
 * loopback, serialized as WeChat does (JSON body by default, query string for GET).
 *
 * What stays in this file is what only the client knows: storage, the scope
 * dialogs and their remembered answers, the privacy agreement, toasts.
 */
import { randomBytes } from 'node:crypto';
import { TOURIST_LOGIN_CODE, type Emulator } from '../../emulator/src/app.ts';

type Callbacks<T> = { success?: (res: T) => void; fail?: (err: WxError) => void; complete?: () => void };
interface WxError {
  errMsg: string;
  errno?: number;
}
type PrivacyResolve = (result: { buttonId?: string; event: string }) => void;

export interface WeChatOptions {
  emulator: Emulator & { url: string };
  appid: string;
  userId: string;
}

export interface SentRequest {
  method: string;
  path: string;
  /** What crossed the wire. */
  body: string;
  authorization: string | undefined;
  status: number;
  /** The response body as the mini program received it. */
  data: unknown;
}

export type PhoneFlow = 'code' | 'encrypted';

async function devPost(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

export function createWeChat({ emulator, appid, userId }: WeChatOptions) {
  const storage = new Map<string, unknown>();
  const calls: string[] = [];
  const requests: SentRequest[] = [];
  const toasts: string[] = [];
  const state = {
    /** WeChat DevTools: wx.login codes come from the real WeChat, so the emulator has never seen them. */
    devtoolsCodes: false,
    /** WeChat DevTools without an AppID: wx.login always returns one fixed text, and wx.checkSession fails. */
    touristMode: false,
    /** What WeChat remembers per scope; a scope never asked is absent. */
    authSetting: {} as Record<string, boolean>,
    /** What the user answers in a scope dialog, per scope (allow by default). */
    dialogAnswers: {} as Record<string, boolean>,
    privacyAgreed: true,
    /** The guide's name as the back office has it; the docs do not say it is never empty, so tests try that too. */
    privacyContractName: '《能力实验室小程序隐私保护指引》',
    /** The id of the agreePrivacyAuthorization button the user tapped, which resolve() must name. */
    agreeButtonTapped: null as string | null,
  };
  let privacyListener: ((resolve: PrivacyResolve, eventInfo: { referrer: string }) => void) | null = null;

  /** Promise style when no callback is given (基础库 2.10.2+), callbacks otherwise, like wx. */
  function api<T>(options: Callbacks<T> | undefined, run: () => Promise<T>): Promise<T> | undefined {
    const outcome = run();
    if (options && (options.success || options.fail || options.complete)) {
      outcome.then(
        (res) => options.success?.(res),
        (err: WxError) => options.fail?.(err),
      ).finally(() => options.complete?.());
      return undefined;
    }
    return outcome;
  }
  const failure = (errMsg: string, errno?: number): WxError => (errno === undefined ? { errMsg } : { errMsg, errno });

  /** A privacy interface: without the user's agreement WeChat suspends it and asks the mini program's listener. */
  async function privacyGate(apiName: string): Promise<void> {
    if (state.privacyAgreed) return;
    const listener = privacyListener;
    if (!listener) throw failure(`${apiName}:fail privacy permission is not authorized`, 104);
    const result = await new Promise<{ buttonId?: string; event: string }>((resolve) => listener(resolve, { referrer: apiName }));
    // The base library checks that the named agree button was really tapped.
    if (result.event === 'agree' && state.privacyAgreed && result.buttonId === state.agreeButtonTapped) return;
    throw failure(`${apiName}:fail privacy permission is not authorized`, 104);
  }

  /** WeChat asks once per scope and remembers; a remembered refusal fails at once, without a dialog. */
  function scopeGate(apiName: string, scope: string): void {
    if (!(scope in state.authSetting)) {
      calls.push(`dialog ${scope}`);
      state.authSetting[scope] = state.dialogAnswers[scope] ?? true;
    }
    if (!state.authSetting[scope]) throw failure(`${apiName}:fail auth deny`);
  }

  const wx = {
    canIUse: () => true,
    // A cold start from the 发现栏 by default; a test that needs another scene replaces it.
    getLaunchOptionsSync: () => ({ scene: 1001, path: 'pages/index/index', query: {}, referrerInfo: {} }),
    getStorageSync: (key: string) => (storage.has(key) ? structuredClone(storage.get(key)) : ''),
    setStorageSync: (key: string, value: unknown) => void storage.set(key, structuredClone(value)),
    removeStorageSync: (key: string) => void storage.delete(key),
    showToast: (options: { title: string }) => void toasts.push(options.title),

    login(options: Callbacks<{ code: string; errMsg: string }> & { timeout?: number }) {
      calls.push('login');
      // wx.login's page: "以 Promise 风格 调用：不支持". Callbacks only, so code that awaits it fails here too.
      if (!options?.success && !options?.fail) throw new Error('wx.login does not support the Promise style');
      api(options, async () => {
        if (state.touristMode) return { code: TOURIST_LOGIN_CODE, errMsg: 'login:ok' };
        if (state.devtoolsCodes) return { code: randomBytes(16).toString('hex'), errMsg: 'login:ok' };
        const { status, json } = await devPost(`${emulator.url}/__dev/login-code`, { userId });
        if (status !== 200) throw failure(`login:fail ${json.error?.message}`);
        return { code: json.code as string, errMsg: 'login:ok' };
      });
    },
    checkSession(options?: Callbacks<{ errMsg: string }>) {
      calls.push('checkSession');
      return api(options, async () => {
        // How tourist mode's check fails is not documented; the mini program only reads fail.
        if (state.touristMode) throw failure('checkSession:fail');
        if (emulator.world.checkSession(appid, userId)) return { errMsg: 'checkSession:ok' };
        throw failure('checkSession:fail session time out');
      });
    },

    request(options: Callbacks<{ statusCode: number; data: unknown; header: Record<string, string> }> & {
      url: string;
      method?: string;
      header?: Record<string, string>;
      data?: Record<string, unknown>;
    }) {
      const method = options.method ?? 'GET';
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      for (const [key, value] of Object.entries(options.header ?? {})) headers[key.toLowerCase()] = value;
      let url = options.url;
      let body = '';
      if (method === 'GET' && options.data) url += `?${new URLSearchParams(options.data as Record<string, string>)}`;
      else if (options.data !== undefined) body = JSON.stringify(options.data);
      const path = new globalThis.URL(url).pathname;
      calls.push(`request ${method} ${path}`);
      api(options, async () => {
        let response: Response;
        try {
          response = await fetch(url, { method, headers, ...(body ? { body } : {}) });
        } catch {
          throw failure('request:fail connect ECONNREFUSED');
        }
        const text = await response.text();
        let data: unknown = text;
        try {
          data = JSON.parse(text); // dataType 'json': WeChat parses, and keeps the text when it cannot
        } catch {}
        requests.push({ method, path, body, authorization: headers.authorization, status: response.status, data });
        const header: Record<string, string> = {};
        response.headers.forEach((value, key) => void (header[key] = value));
        return { statusCode: response.status, data, header };
      });
    },

    getSetting(options: Callbacks<{ authSetting: Record<string, boolean>; errMsg: string }>) {
      calls.push('getSetting');
      return api(options, async () => ({ authSetting: { ...state.authSetting }, errMsg: 'getSetting:ok' }));
    },
    authorize(options: Callbacks<{ errMsg: string }> & { scope: string }) {
      calls.push(`authorize ${options.scope}`);
      return api(options, async () => {
        await privacyGate('authorize');
        scopeGate('authorize', options.scope);
        return { errMsg: 'authorize:ok' };
      });
    },
    getLocation(options: Callbacks<{ latitude: number; longitude: number; errMsg: string }> & { type?: string }) {
      calls.push('getLocation');
      return api(options, async () => {
        await privacyGate('getLocation');
        scopeGate('getLocation', 'scope.userLocation');
        return { latitude: 39.9042, longitude: 116.4074, errMsg: 'getLocation:ok' };
      });
    },
    onNeedPrivacyAuthorization(listener: typeof privacyListener) {
      calls.push('onNeedPrivacyAuthorization');
      privacyListener = listener; // 覆盖式注册
    },
    getPrivacySetting(options: Callbacks<{ needAuthorization: boolean; privacyContractName: string; errMsg: string }>) {
      return api(options, async () => ({
        needAuthorization: !state.privacyAgreed,
        privacyContractName: state.privacyContractName,
        errMsg: 'getPrivacySetting:ok',
      }));
    },
    openPrivacyContract(options: Callbacks<{ errMsg: string }>) {
      calls.push('openPrivacyContract');
      return api(options, async () => ({ errMsg: 'openPrivacyContract:ok' }));
    },
  };

  return {
    wx,
    storage,
    calls,
    requests,
    toasts,
    state,
    /** The user taps a `<button open-type="agreePrivacyAuthorization">`: WeChat records the agreement. */
    agreePrivacyWith(buttonId: string) {
      state.privacyAgreed = true;
      state.agreeButtonTapped = buttonId;
    },
    /** The user flips switches on the settings page; what bindopensetting receives on the way back. */
    changeSettings(changes: Record<string, boolean>): { authSetting: Record<string, boolean>; errMsg: string } {
      // The settings page lists only scopes the mini program has asked for.
      for (const [scope, value] of Object.entries(changes)) if (scope in state.authSetting) state.authSetting[scope] = value;
      return { authSetting: { ...state.authSetting }, errMsg: 'openSetting:ok' };
    },
    /**
     * The user taps the getPhoneNumber button and allows: e.detail as WeChat
     * hands it over. The old flow's data is encrypted with the session_key
     * WeChat holds at this moment; a used-up quota answers errno 1400001.
     */
    async phoneButtonDetail(flow: PhoneFlow): Promise<Record<string, unknown>> {
      const path = flow === 'code' ? '/__dev/phone-code' : '/__dev/phone-encrypted-data';
      const { status, json } = await devPost(`${emulator.url}${path}`, { userId });
      if (status === 409) return { errMsg: 'getPhoneNumber:fail no quota', errno: 1400001 };
      return flow === 'code'
        ? { errMsg: 'getPhoneNumber:ok', code: json.code }
        : { errMsg: 'getPhoneNumber:ok', encryptedData: json.encryptedData, iv: json.iv };
    },
  };
}

export type FakeWeChat = ReturnType<typeof createWeChat>;

/** The `error.message` of the server's last answer on a path: what the page should show. */
export function lastErrorMessage(wechat: FakeWeChat, path: string): string {
  const data = wechat.requests.filter((r) => r.path === path).at(-1)?.data as { error?: { message?: string } } | undefined;
  const message = data?.error?.message;
  if (!message) throw new Error(`no error answer on ${path}`);
  return message;
}

/** Something in the mini program calls wx.login and nobody sends the code anywhere. */
export function loginCode(wechat: FakeWeChat): Promise<string> {
  return new Promise((resolve, reject) => wechat.wx.login({ success: ({ code }) => resolve(code), fail: reject }));
}
