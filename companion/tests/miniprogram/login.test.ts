// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installFakeWx, mp, mpConfig, pathOf, renderPage, setApp, text, unloadPages, type FakeWx, type ServerHandler } from './harness.ts';

interface LoginHost {
  send(event: { type: string }): void;
  snapshot: { matches(state: string): boolean };
  stop(): void;
}
const { createLoginHost, launchLogin } = mp<{ createLoginHost(): LoginHost; launchLogin(host: LoginHost): void }>('lib/login-host');
const config = mpConfig();
const SESSION = 'companion.session';

/** The developer server as the mini program sees it: a token per code, /api/me honouring only live tokens. */
function developerServer(liveTokens: Set<string>): ServerHandler {
  return (request) => {
    if (request.method === 'POST' && pathOf(request) === '/api/login') {
      const code = request.body.code;
      if (typeof code !== 'string' || !code.startsWith('wx-code-')) return { status: 401, data: { error: { code: 'INVALID_CODE', message: 'code 无效或已被使用' } } };
      const token = `token-for-${code}`;
      liveTokens.add(token);
      return { status: 200, data: { token, expiresIn: 7200 } };
    }
    if (request.method === 'GET' && pathOf(request) === '/api/me') {
      const token = request.header.authorization?.replace(/^Bearer /, '');
      return token && liveTokens.has(token)
        ? { status: 200, data: { openid: 'o-demo-openid' } }
        : { status: 401, data: { error: { code: 'UNAUTHORIZED', message: '登录已过期' } } };
    }
    return undefined;
  };
}

describe('登录 page', () => {
  let fake: FakeWx;
  let liveTokens: Set<string>;

  beforeEach(() => {
    fake = installFakeWx();
    liveTokens = new Set();
    fake.state.server = developerServer(liveTokens);
    config.emulator = null;
  });

  const hosts: Array<{ stop(): void }> = [];
  afterEach(() => {
    unloadPages();
    for (const host of hosts.splice(0)) host.stop();
  });

  const openLoginPage = () => {
    const login = createLoginHost();
    hosts.push(login);
    setApp({ login });
    launchLogin(login);
    return { login, page: renderPage('login') };
  };

  it('tap 登录: the request carries the wx.login code, and the token is stored', async () => {
    const { page } = openLoginPage();
    expect(text(page, '#status')).toBe('未登录');

    page.querySelector('#login')!.dispatchEvent('tap');

    await vi.waitFor(() => expect(text(page, '#status')).toBe('已登录'));
    const login = fake.requests.find((r) => pathOf(r) === '/api/login')!;
    expect(login.rawBody).toBe(JSON.stringify({ code: 'wx-code-1' }));
    expect(login.header['content-type']).toBe('application/json');
    expect(fake.storage.get(SESSION)).toMatchObject({ v: 1, token: 'token-for-wx-code-1', openid: 'o-demo-openid' });
    expect(text(page, '#openid')).toBe('o-demo-openid');
    // The whole token never reaches the screen.
    expect(text(page, '#token')).toBe('token-for-wx-cod…');
    expect(fake.calls).toEqual(['login', 'request POST /api/login', 'request GET /api/me']);
  });

  it('a 401 from the server triggers wx.login again and stores the new token', async () => {
    fake.storage.set(SESSION, { v: 1, token: 'token-revoked', openid: 'o-demo-openid', savedAt: 0 });
    const { page } = openLoginPage();
    await vi.waitFor(() => expect(text(page, '#status')).toBe('已登录'));
    fake.calls.length = 0;

    page.querySelector('#profile')!.dispatchEvent('tap');

    await vi.waitFor(() => expect(fake.storage.get(SESSION)).toMatchObject({ token: 'token-for-wx-code-1' }));
    expect(fake.calls).toEqual(['request GET /api/me', 'login', 'request POST /api/login', 'request GET /api/me']);
    expect(fake.requests[0]!.header.authorization).toBe('Bearer token-revoked');
    await vi.waitFor(() => expect(text(page, '#status')).toBe('已登录'));
    // The new token clears the 401 the flow recovered from: nothing is left for the user to fix.
    expect(text(page, '#error')).toBe('');
    expect(text(page, '#token')).toBe('token-for-wx-cod…');
  });

  it('on launch with a stored token, wx.checkSession decides: valid keeps the token', async () => {
    fake.storage.set(SESSION, { v: 1, token: 'token-kept', openid: 'o-demo-openid', savedAt: 0 });
    const { page } = openLoginPage();

    await vi.waitFor(() => expect(text(page, '#status')).toBe('已登录'));
    expect(fake.calls).toEqual(['checkSession']);
    expect(fake.storage.get(SESSION)).toMatchObject({ token: 'token-kept' });
  });

  it('on launch, an expired WeChat session logs in again before the page is usable', async () => {
    fake.storage.set(SESSION, { v: 1, token: 'token-old', openid: 'o-demo-openid', savedAt: 0 });
    fake.state.sessionValid = false;
    const { page } = openLoginPage();

    await vi.waitFor(() => expect(fake.storage.get(SESSION)).toMatchObject({ token: 'token-for-wx-code-1' }));
    expect(fake.calls).toEqual(['checkSession', 'login', 'request POST /api/login', 'request GET /api/me']);
    await vi.waitFor(() => expect(text(page, '#status')).toBe('已登录'));
  });

  it('a refused code leaves the user signed out with the server’s message', async () => {
    fake.state.server = (request) =>
      pathOf(request) === '/api/login' ? { status: 401, data: { error: { code: 'INVALID_CODE', message: 'code 无效或已被使用' } } } : undefined;
    const { page } = openLoginPage();

    page.querySelector('#login')!.dispatchEvent('tap');

    await vi.waitFor(() => expect(text(page, '#error')).toBe('INVALID_CODE：code 无效或已被使用'));
    expect(text(page, '#status')).toBe('未登录');
    expect(fake.storage.has(SESSION)).toBe(false);
  });

  it('an unreachable server is reported, not waited on forever', async () => {
    fake.state.server = () => undefined;
    const { page } = openLoginPage();

    page.querySelector('#login')!.dispatchEvent('tap');

    await vi.waitFor(() => expect(text(page, '#error')).toBe('request:fail：request:fail connect ECONNREFUSED'));
    expect(page.data.canLogin).toBe(true);
  });

  it('a failed wx.login starts over with a notice instead of hanging', async () => {
    fake.state.loginFails = true;
    const { page } = openLoginPage();

    page.querySelector('#login')!.dispatchEvent('tap');

    await vi.waitFor(() => expect(text(page, '#notice')).toBe('wx.login 失败：login:fail timeout'));
    expect(text(page, '#status')).toBe('未登录');
    expect(page.data.busy).toBe(false);
  });

  it('with the offline emulator, the code comes from its /__dev/login-code for the test user', async () => {
    config.emulator = { baseUrl: 'http://127.0.0.1:4000', userId: 'demo' };
    const handler = developerServer(liveTokens);
    fake.state.server = (request) =>
      request.url === 'http://127.0.0.1:4000/__dev/login-code' ? { status: 200, data: { code: 'wx-code-from-emulator' } } : handler(request);
    const { page } = openLoginPage();

    page.querySelector('#login')!.dispatchEvent('tap');

    await vi.waitFor(() => expect(text(page, '#status')).toBe('已登录'));
    expect(fake.requests[0]!.body).toEqual({ userId: 'demo' });
    expect(fake.requests[1]!.url).toBe('http://127.0.0.1:3000/api/login');
    expect(fake.requests[1]!.body).toEqual({ code: 'wx-code-from-emulator' });
    expect(fake.calls).not.toContain('login');
  });

  it('a token the 手机号 page stored meanwhile shows up when 登录 opens', () => {
    const login = createLoginHost();
    hosts.push(login);
    setApp({ login });
    fake.storage.set(SESSION, { v: 1, token: 'token-from-phone-page', openid: 'o-demo-openid', savedAt: 0 });

    const page = renderPage('login');

    expect(text(page, '#status')).toBe('已登录');
    expect(text(page, '#openid')).toBe('o-demo-openid');
    expect(fake.calls).toEqual([]);
  });

  it('unloading the page stops updates but keeps the app’s login running', async () => {
    const { login, page } = openLoginPage();
    const setData = vi.spyOn(page.instance, 'setData');
    page.instance.onUnload!();

    login.send({ type: 'user.tappedLogin' });

    await vi.waitFor(() => expect(login.snapshot.matches('loggedIn')).toBe(true));
    expect(setData).not.toHaveBeenCalled();
  });
});
