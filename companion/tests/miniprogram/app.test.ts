// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFakeWx, mpFresh, renderPage, text, unloadPages } from './harness.ts';

afterEach(unloadPages);

describe('app and index', () => {
  it('app.ts: onLaunch checks a stored session with wx.checkSession, and nothing else', async () => {
    const fake = installFakeWx();
    fake.storage.set('companion.session', { v: 1, token: 't', openid: 'o', savedAt: 0 });
    let app: { globalData: { login: { snapshot: { matches(s: string): boolean }; stop(): void } }; onLaunch(): void } | undefined;
    (globalThis as unknown as { App: (options: typeof app) => void }).App = (options) => {
      app = options;
    };
    mpFresh('app');

    app!.onLaunch.call(app);

    await vi.waitFor(() => expect(fake.calls).toEqual(['checkSession']));
    await vi.waitFor(() => expect(app!.globalData.login.snapshot.matches('loggedIn')).toBe(true));
    app!.globalData.login.stop();
  });

  it('app.ts: without a stored session, launch asks WeChat nothing (wx.login and checkSession are rate-limited)', async () => {
    const fake = installFakeWx();
    let app: { globalData: { login: { stop(): void } }; onLaunch(): void } | undefined;
    (globalThis as unknown as { App: (options: typeof app) => void }).App = (options) => {
      app = options;
    };
    mpFresh('app');

    app!.onLaunch.call(app);

    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.calls).toEqual([]);
    app!.globalData.login.stop();
  });

  it('index lists the three capabilities with links to their pages', () => {
    installFakeWx();
    const page = renderPage('index');
    const links = page.querySelectorAll('.weui-cell_access');
    expect(links).toHaveLength(3);
    expect(text(page, '.weui-cell_access')).toContain('登录');
    expect((page.data.capabilities as Array<{ url: string }>).map((c) => c.url)).toEqual([
      '/pages/login/login',
      '/pages/authorization/authorization',
      '/pages/phone/phone',
    ]);
  });
});
