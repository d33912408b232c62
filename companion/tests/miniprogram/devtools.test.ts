/**
 * What WeChat DevTools does offline, with `npm run companion`: wx.login hands
 * out codes the real WeChat minted, which the emulator adopts for its DevTools
 * user, and the phone button (tourist AppID: "no permission") is answered by
 * the emulator through utils/emulator.ts because config.emulator is set.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { launchApp, node, openPage, startMiniProgram, tap, text } from './harness.ts';
import { startStack, type Stack } from './stack.ts';
import { createWeChat, loginCode, type FakeWeChat } from './wechat.ts';

let stack: Stack;
let wechat: FakeWeChat;

beforeAll(async () => {
  stack = await startStack({ devtoolsUser: true });
});
afterAll(async () => {
  await stack?.close();
});
const compile = () => startMiniProgram(wechat.wx, { serverUrl: stack.server.url, emulator: { baseUrl: stack.emulator.url, userId: stack.userId } });

beforeEach(() => {
  wechat = createWeChat(stack);
  wechat.state.devtoolsCodes = true;
  compile();
});

const NO_PERMISSION = { errMsg: 'getPhoneNumber:fail no permission' };

describe('offline in DevTools', () => {
  it('logs in through wx.login: the emulator takes the unknown code as its DevTools user', async () => {
    const login = openPage('pages/login/login');
    tap(login, '#login');
    await vi.waitFor(() => expect(text(login, '#logged-in')).toBe('已登录'));
    const me = openPage('pages/me/me');
    await vi.waitFor(() => expect(text(me, '#openid')).toBe(stack.openid));
  });

  it('an adopted code still works only once (40163), like a real one', async () => {
    const code = await loginCode(wechat);
    expect((await stack.server.login(code)).status).toBe(200);
    const again = await stack.server.login(code);
    expect(again.status).toBe(401);
    expect(again.json.error.code).toBe('WECHAT_40163');
  });

  it('without an AppID, logs in on every compile, though wx.login returns the same text each time and wx.checkSession fails', async () => {
    wechat.state.touristMode = true;
    for (let compiles = 1; compiles <= 3; compiles++) {
      compile();
      launchApp();
      const me = openPage('pages/me/me');
      await vi.waitFor(() => expect(text(me, '#openid')).toBe(stack.openid));
      const logins = wechat.requests.filter((r) => r.path === '/api/login');
      expect(logins.map((r) => r.status)).toEqual(Array(compiles).fill(200));
    }
  });

  it.each([
    ['code', false],
    ['encrypted', false],
    ['code', true],
  ] as const)('the phone button, whatever DevTools answers, gets the number from the emulator (%s flow, without an AppID: %s)', async (flow, tourist) => {
    wechat.state.touristMode = tourist;
    const page = openPage('pages/phone/phone');
    await vi.waitFor(() => expect(wechat.requests.map((r) => r.path)).toContain('/api/login'));
    tap(page, flow === 'code' ? '#flow-code' : '#flow-encrypted');
    await vi.waitFor(() => expect(page.data.flow).toBe(flow));
    node(page, '#phone-button').dispatchEvent('getphonenumber', { detail: NO_PERMISSION });
    await vi.waitFor(() => expect(text(page, '#phone')).toBe(`已绑定 ${stack.phoneNumber}`));
  });

  it('without an AppID, the old flow can only ask again: wx.checkSession always fails there (what the README says)', async () => {
    wechat.state.touristMode = true;
    const page = openPage('pages/phone/phone');
    await vi.waitFor(() => expect(wechat.requests.map((r) => r.path)).toContain('/api/login'));
    tap(page, '#flow-encrypted');
    await vi.waitFor(() => expect(page.data.flow).toBe('encrypted'));
    const logins = () => wechat.requests.filter((r) => r.path === '/api/login').length;
    for (let attempt = 0; attempt < 2; attempt++) {
      const before = logins();
      (page.instance.setData as (data: object) => void).call(page.instance, { notice: '' });
      node(page, '#phone-button').dispatchEvent('getphonenumber', { detail: NO_PERMISSION });
      // Each tap: checkSession fails, the page logs in again and asks for another tap.
      await vi.waitFor(() => expect(logins()).toBe(before + 1));
      await vi.waitFor(() => expect(text(page, '#notice')).toContain('请再点一次'));
    }
    expect(wechat.requests.some((r) => r.path === '/api/phone/decrypt')).toBe(false);
  });
});
