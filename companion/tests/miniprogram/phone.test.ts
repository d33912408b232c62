// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installFakeWx, mpConfig, pathOf, renderPage, text, unloadPages, type FakeWx, type ServerHandler } from './harness.ts';

const config = mpConfig();
const SESSION = 'companion.session';

/** base64 with every character a query string or form body would mangle. */
const ENCRYPTED_DATA = 'k+/9Qx7/Ab+cD/ef+GH==';
const IV = 'r7+/Z9w/+Q==';
const PHONE = { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86', watermark: { appid: 'wx' } };

function developerServer(): ServerHandler {
  return (request) => {
    const path = pathOf(request);
    if (path === '/api/login') return { status: 200, data: { token: `token-for-${String(request.body.code)}`, expiresIn: 7200 } };
    if (path === '/api/me') return { status: 200, data: { openid: 'o-demo' } };
    if (path === '/api/phone/decrypt') {
      if (request.header.authorization !== 'Bearer token-live') return { status: 401, data: { error: { code: 'UNAUTHORIZED', message: '登录已过期' } } };
      const ok = request.body.encryptedData === ENCRYPTED_DATA && request.body.iv === IV;
      return ok ? { status: 200, data: PHONE } : { status: 400, data: { error: { code: 'DECRYPT_FAILED', message: '解密失败' } } };
    }
    if (path === '/api/phone/code') {
      return request.body.code === 'phone-code-1'
        ? { status: 200, data: PHONE }
        : { status: 400, data: { error: { code: 'INVALID_CODE', message: 'code 无效' } } };
    }
    return undefined;
  };
}

describe('手机号 page', () => {
  let fake: FakeWx;

  beforeEach(() => {
    fake = installFakeWx();
    fake.state.server = developerServer();
    config.emulator = null;
  });
  afterEach(unloadPages);

  const signedIn = (token = 'token-live') => fake.storage.set(SESSION, { v: 1, token, openid: 'o-demo', savedAt: 0 });
  const tapPhoneButton = (page: ReturnType<typeof renderPage>, detail: Record<string, unknown>) =>
    page.querySelector('#phone-button')!.dispatchEvent('getphonenumber', { detail });

  describe('old flow (encryptedData)', () => {
    it('checks the session, then sends encryptedData and iv intact to the server', async () => {
      signedIn();
      const page = renderPage('phone');
      expect(text(page, '#status')).toBe('已登录，可以获取手机号');

      tapPhoneButton(page, { errMsg: 'getPhoneNumber:ok', encryptedData: ENCRYPTED_DATA, iv: IV });

      await vi.waitFor(() => expect(text(page, '#phone')).toBe('+86 13800138000'));
      expect(fake.calls).toEqual(['checkSession', 'request POST /api/phone/decrypt']);
      const decrypt = fake.requests[0]!;
      expect(decrypt.header.authorization).toBe('Bearer token-live');
      expect(decrypt.header['content-type']).toBe('application/json');
      // `+` and `/` survive: JSON body, nothing in the URL.
      expect(decrypt.rawBody).toBe(JSON.stringify({ encryptedData: ENCRYPTED_DATA, iv: IV }));
      expect(decrypt.url).toBe('http://127.0.0.1:3000/api/phone/decrypt');
      expect(page.data).not.toHaveProperty('watermark');
    });

    it('an expired WeChat session stops the upload and logs in again, asking for another tap', async () => {
      signedIn();
      fake.state.sessionValid = false;
      const page = renderPage('phone');

      tapPhoneButton(page, { errMsg: 'getPhoneNumber:ok', encryptedData: ENCRYPTED_DATA, iv: IV });

      await vi.waitFor(() => expect(fake.storage.get(SESSION)).toMatchObject({ token: 'token-for-wx-code-1' }));
      await vi.waitFor(() => expect(text(page, '#status')).toBe('已登录，可以获取手机号'));
      expect(fake.calls).toEqual(['checkSession', 'login', 'request POST /api/login', 'request GET /api/me']);
      expect(fake.calls).not.toContain('request POST /api/phone/decrypt');
      expect(text(page, '#error')).toBe('checkSession:fail：登录态已失效：重新登录后，请再点一次按钮');
    });

    it('signed out, the page offers 登录 first; logging in stores the token', async () => {
      const page = renderPage('phone');
      expect(page.data.canTapPhoneButton).toBe(false);

      page.querySelector('#login')!.dispatchEvent('tap');

      await vi.waitFor(() => expect(page.data.canTapPhoneButton).toBe(true));
      expect(fake.storage.get(SESSION)).toMatchObject({ token: 'token-for-wx-code-1', openid: 'o-demo' });
      expect(page.querySelector('#login')).toBeFalsy();
    });

    it('a 401 from the decrypt route drops the token and offers 登录 again', async () => {
      signedIn('token-revoked');
      const page = renderPage('phone');

      tapPhoneButton(page, { errMsg: 'getPhoneNumber:ok', encryptedData: ENCRYPTED_DATA, iv: IV });

      await vi.waitFor(() => expect(text(page, '#notice')).toBe('登录态已失效（UNAUTHORIZED），请重新登录后再试。'));
      expect(fake.storage.has(SESSION)).toBe(false);
      expect(text(page, '#status')).toBe('未登录');
      expect(page.querySelector('#login')).toBeTruthy();
    });

    it('closing WeChat’s sheet sends nothing anywhere', async () => {
      signedIn();
      const page = renderPage('phone');

      tapPhoneButton(page, { errMsg: 'getPhoneNumber:fail user deny' });

      await vi.waitFor(() => expect(text(page, '#notice')).toBe('你没有同意提供手机号，可以稍后再试。'));
      expect(fake.calls).toEqual([]);
    });
  });

  describe('new flow (code)', () => {
    it('sends the button’s code to /api/phone/code, no login needed', async () => {
      const page = renderPage('phone');
      page.querySelector('#mode-new')!.dispatchEvent('tap');
      await vi.waitFor(() => expect(page.data.canTapPhoneButton).toBe(true));

      tapPhoneButton(page, { errMsg: 'getPhoneNumber:ok', code: 'phone-code-1' });

      await vi.waitFor(() => expect(text(page, '#phone')).toBe('+86 13800138000'));
      expect(fake.calls).toEqual(['request POST /api/phone/code']);
      expect(fake.requests[0]!.rawBody).toBe(JSON.stringify({ code: 'phone-code-1' }));
      expect(fake.requests[0]!.header.authorization).toBeUndefined();
    });

    it('with the offline emulator, the code comes from its /__dev/phone-code, whatever a tourist AppID’s button said', async () => {
      config.emulator = { baseUrl: 'http://127.0.0.1:4000', userId: 'demo' };
      const server = developerServer();
      fake.state.server = (request) =>
        request.url === 'http://127.0.0.1:4000/__dev/phone-code' ? { status: 200, data: { code: 'phone-code-1' } } : server(request);
      const page = renderPage('phone');
      page.querySelector('#mode-new')!.dispatchEvent('tap');

      tapPhoneButton(page, { errMsg: 'getPhoneNumber:fail no permission' });

      await vi.waitFor(() => expect(text(page, '#phone')).toBe('+86 13800138000'));
      expect(fake.requests.map((r) => r.url)).toEqual(['http://127.0.0.1:4000/__dev/phone-code', 'http://127.0.0.1:3000/api/phone/code']);
      expect(fake.requests[0]!.body).toEqual({ userId: 'demo' });
    });

    it('a used-up quota (errno 1400001) is explained without calling the server', async () => {
      const page = renderPage('phone');
      page.querySelector('#mode-new')!.dispatchEvent('tap');

      tapPhoneButton(page, { errMsg: 'getPhoneNumber:fail no permission', errno: 1400001 });

      await vi.waitFor(() => expect(text(page, '#error')).toBe('errno 1400001：手机号快速验证组件的额度已用完（errno 1400001）'));
      expect(fake.calls).toEqual([]);
    });

    it('a rejected code shows the server’s message', async () => {
      const page = renderPage('phone');
      page.querySelector('#mode-new')!.dispatchEvent('tap');

      tapPhoneButton(page, { errMsg: 'getPhoneNumber:ok', code: 'phone-code-used' });

      await vi.waitFor(() => expect(text(page, '#error')).toBe('INVALID_CODE：code 无效'));
      expect(text(page, '#status')).toBe('没有取得手机号');
    });
  });
});
