/**
 * 登录 chapter: app.ts, utils/auth.ts, utils/request.ts and the login and
 * me pages, against the real companion server and WeChat emulator.
 */
import { describe, expect, it, vi } from 'vitest';
import { launchApp, mp, openPage, startMiniProgram, tap, text } from './harness.ts';
import { requestLog, useCompanion, type Stack } from './stack.ts';
import { lastErrorMessage, type FakeWeChat } from './wechat.ts';

const TOKEN_KEY = 'auth_token';
const TWO_HOURS_MS = 2 * 60 * 60 * 1000;

let stack: Stack;
let wechat: FakeWeChat;
useCompanion((s, w) => ((stack = s), (wechat = w)));

const paths = () => requestLog(wechat);
const storedToken = () => wechat.storage.get(TOKEN_KEY) as string | undefined;

describe('launch (app.ts → bootstrapLogin)', () => {
  it('logs in once on a cold start: wx.login, then POST /api/login with the code in a JSON body, and stores only the token', async () => {
    launchApp();
    await vi.waitFor(() => expect(storedToken()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/));
    expect(wechat.calls.filter((c) => c === 'login')).toHaveLength(1);
    expect(paths()).toEqual(['POST /api/login 200']);
    expect(JSON.parse(wechat.requests[0]!.body)).toEqual({ code: expect.any(String) });
    // Nothing but the token is kept on the phone: no session_key, no openid.
    expect([...wechat.storage.keys()]).toEqual([TOKEN_KEY]);
  });

  it('does not log in when opened from Moments (单页模式, 1154), where wx.login is unavailable', async () => {
    Object.assign(wechat.wx, { getLaunchOptionsSync: () => ({ scene: 1154, path: 'pages/share/share', query: {}, referrerInfo: {} }) });
    launchApp();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // A request that needs a login later says why it cannot have one, without calling wx.login either.
    await expect(mp<{ login(): Promise<string> }>('utils/auth').login()).rejects.toMatchObject({ code: 'SINGLE_PAGE' });
    expect(wechat.calls.filter((c) => c === 'login' || c === 'checkSession')).toEqual([]);
    expect(paths()).toEqual([]);
  });

  it('keeps a stored token while wx.checkSession passes, without calling wx.login', async () => {
    launchApp();
    await vi.waitFor(() => expect(storedToken()).toBeTruthy());
    const token = storedToken();

    // The next cold start: same phone storage, same WeChat session, fresh modules.
    startMiniProgram(wechat.wx, { serverUrl: stack.server.url, emulator: null });
    wechat.calls.length = 0;
    launchApp();
    await vi.waitFor(() => expect(wechat.calls).toContain('checkSession'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(wechat.calls).not.toContain('login');
    expect(storedToken()).toBe(token);
  });

  it('logs in again when WeChat says the session is gone', async () => {
    launchApp();
    await vi.waitFor(() => expect(storedToken()).toBeTruthy());
    const token = storedToken();
    stack.emulator.world.expireSession(stack.appid, stack.userId);

    startMiniProgram(wechat.wx, { serverUrl: stack.server.url, emulator: null });
    wechat.calls.length = 0;
    wechat.requests.length = 0;
    stack.clock.advance(1000); // a token issued in another second, so the new one differs
    launchApp();
    await vi.waitFor(() => expect(paths()).toEqual(['POST /api/login 200']));
    expect(wechat.calls.slice(0, 2)).toEqual(['checkSession', 'login']);
    expect(storedToken()).toBeTruthy();
    expect(storedToken()).not.toBe(token);
  });
});

describe('login page and me page', () => {
  it('logs in on tap, then the me page shows the openid WeChat gave the server', async () => {
    const login = openPage('pages/login/login');
    expect(login.data.loggedIn).toBe(false);
    tap(login, '#login');
    await vi.waitFor(() => expect(text(login, '#logged-in')).toBe('已登录'));
    expect(login.data.loggingIn).toBe(false);

    const me = openPage('pages/me/me');
    await vi.waitFor(() => expect(text(me, '#openid')).toBe(stack.openid));
    expect(wechat.requests.at(-1)?.authorization).toBe(`Bearer ${storedToken()}`);
  });

  it('shows the server message when WeChat rejects the login (high-risk user → 403)', async () => {
    stack.emulator.world.setHighRisk(stack.userId, true);
    try {
      const login = openPage('pages/login/login');
      tap(login, '#login');
      await vi.waitFor(() => expect(wechat.toasts).toHaveLength(1));
      expect(wechat.requests.map((r) => r.status)).toEqual([403]);
      expect(wechat.toasts).toEqual([lastErrorMessage(wechat, '/api/login')]);
      expect(login.data.loggedIn).toBe(false);
      expect(login.data.loggingIn).toBe(false);
      expect(storedToken()).toBeUndefined();
    } finally {
      stack.emulator.world.setHighRisk(stack.userId, false);
    }
  });

  it('401 → logs in again → retries once: an expired token still shows the profile', async () => {
    launchApp();
    await vi.waitFor(() => expect(storedToken()).toBeTruthy());
    const expired = storedToken();
    stack.clock.advance(TWO_HOURS_MS + 1000);
    wechat.requests.length = 0;

    const me = openPage('pages/me/me');
    await vi.waitFor(() => expect(text(me, '#openid')).toBe(stack.openid));
    expect(paths()).toEqual(['GET /api/me 401', 'POST /api/login 200', 'GET /api/me 200']);
    expect(wechat.requests[0]!.authorization).toBe(`Bearer ${expired}`);
    expect(wechat.requests[2]!.authorization).toBe(`Bearer ${storedToken()}`);
    expect(storedToken()).not.toBe(expired);
  });

  it('retries only once: a second 401 reaches the page as an error, not a loop', async () => {
    launchApp();
    await vi.waitFor(() => expect(storedToken()).toBeTruthy());
    stack.clock.advance(TWO_HOURS_MS + 1000);
    // Each fresh token is already expired by the time it is used: the server's clock jumps after every login.
    const sendRequest = wechat.wx.request;
    wechat.wx.request = (options) =>
      sendRequest({
        ...options,
        success: (res) => {
          if (options.url.endsWith('/api/login')) stack.clock.advance(TWO_HOURS_MS + 1000);
          options.success?.(res);
        },
      });
    wechat.requests.length = 0;

    const me = openPage('pages/me/me');
    await vi.waitFor(() => expect(text(me, '#error')).toBe('加载失败，请稍后重试'));
    expect(paths()).toEqual(['GET /api/me 401', 'POST /api/login 200', 'GET /api/me 401']);
  });

  it('concurrent 401s share one wx.login (single-flight)', async () => {
    launchApp();
    await vi.waitFor(() => expect(storedToken()).toBeTruthy());
    stack.clock.advance(TWO_HOURS_MS + 1000);
    wechat.calls.length = 0;

    const { request } = mp<{ request<T>(options: { path: string }): Promise<T> }>('utils/request');
    const results = await Promise.all([request<{ openid: string }>({ path: '/api/me' }), request<{ openid: string }>({ path: '/api/me' })]);
    expect(results).toEqual([{ openid: stack.openid }, { openid: stack.openid }]);
    expect(wechat.calls.filter((c) => c === 'login')).toHaveLength(1);
  });
});
