/**
 * What WeChat DevTools does offline, with `npm run companion`: wx.login hands
 * out codes the real WeChat minted, which the emulator adopts for its DevTools
 * user, and the phone button (tourist AppID: "no permission") is answered by
 * the emulator through utils/emulator.ts because config.emulator is set.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { node, openPage, startMiniProgram, tap, text } from './harness.ts';
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
beforeEach(() => {
  wechat = createWeChat(stack);
  wechat.state.devtoolsCodes = true;
  startMiniProgram(wechat.wx, { serverUrl: stack.server.url, emulator: { baseUrl: stack.emulator.url, userId: stack.userId } });
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

  it.each(['code', 'encrypted'] as const)('the phone button, whatever DevTools answers, gets the number from the emulator (%s flow)', async (flow) => {
    const page = openPage('pages/phone/phone');
    await vi.waitFor(() => expect(wechat.requests.map((r) => r.path)).toContain('/api/login'));
    tap(page, flow === 'code' ? '#flow-code' : '#flow-encrypted');
    await vi.waitFor(() => expect(page.data.flow).toBe(flow));
    node(page, '#phone-button').dispatchEvent('getphonenumber', { detail: NO_PERMISSION });
    await vi.waitFor(() => expect(text(page, '#phone')).toBe(`已绑定 ${stack.phoneNumber}`));
  });
});
