/**
 * 手机号 chapter: pages/phone, both flows, against the real companion server
 * and the WeChat emulator, including the session_key rotation pitfall:
 * rotation → 409 → log in again → tap again → the number.
 */
import { describe, expect, it, vi } from 'vitest';
import { has, mp, node, openPage, tap, text, type SimPage } from './harness.ts';
import { requestLog, useCompanion, type Stack } from './stack.ts';
import { lastErrorMessage, loginCode, type FakeWeChat, type PhoneFlow } from './wechat.ts';

let stack: Stack;
let wechat: FakeWeChat;
useCompanion((s, w) => ((stack = s), (wechat = w)), { afterStart: (s) => s.emulator.world.setPhoneQuota(s.appid, 1000) });

const paths = () => requestLog(wechat);
const phoneRequests = () => paths().filter((p) => p.includes('/api/phone/'));

/** Opens the page in the given flow, once its on-load login is done. */
async function openPhonePage(flow: PhoneFlow): Promise<SimPage> {
  const page = openPage('pages/phone/phone');
  await vi.waitFor(() => expect(paths()).toContain('POST /api/login 200'));
  tap(page, flow === 'code' ? '#flow-code' : '#flow-encrypted');
  await vi.waitFor(() => expect(page.data.flow).toBe(flow));
  return page;
}

function pressButton(page: SimPage, detail: Record<string, unknown>): void {
  node(page, '#phone-button').dispatchEvent('getphonenumber', { detail });
}

describe('new flow: the button code → POST /api/phone/code', () => {
  it('shows the number WeChat holds for the user, asking with the login token', async () => {
    const page = await openPhonePage('code');
    pressButton(page, await wechat.phoneButtonDetail('code'));
    await vi.waitFor(() => expect(text(page, '#phone')).toBe(`已绑定 ${stack.phoneNumber}`));
    const sent = wechat.requests.find((r) => r.path === '/api/phone/code')!;
    expect(JSON.parse(sent.body)).toEqual({ code: expect.any(String) });
    expect(sent.authorization).toMatch(/^Bearer /);
    // The new flow never needs wx.checkSession or a second wx.login.
    expect(wechat.calls.filter((c) => c === 'login')).toHaveLength(1);
    expect(wechat.calls).not.toContain('checkSession');
  });

  it('a code used twice: the server says so and the page shows its message', async () => {
    const page = await openPhonePage('code');
    const detail = await wechat.phoneButtonDetail('code');
    pressButton(page, detail);
    await vi.waitFor(() => expect(has(page, '#phone')).toBe(true));
    pressButton(page, detail);
    await vi.waitFor(() => expect(phoneRequests()).toEqual(['POST /api/phone/code 200', 'POST /api/phone/code 400']));
    await vi.waitFor(() => expect(text(page, '#notice')).toBe(lastErrorMessage(wechat, '/api/phone/code')));
  });

  it('the user refuses: no request, a notice', async () => {
    const page = await openPhonePage('code');
    pressButton(page, { errMsg: 'getPhoneNumber:fail user deny' });
    await vi.waitFor(() => expect(text(page, '#notice')).toBe('没有拿到手机号（getPhoneNumber:fail user deny）'));
    expect(phoneRequests()).toEqual([]);
  });

  it('names the privacy guide as the back office filled it in, and opens it on tap', async () => {
    const page = await openPhonePage('code');
    await vi.waitFor(() => expect(text(page, '.privacy__link')).toBe('《能力实验室小程序隐私保护指引》'));
    tap(page, '.privacy__link');
    await vi.waitFor(() => expect(wechat.calls).toContain('openPrivacyContract'));
  });

  it('keeps the generic name when WeChat gives an empty one', async () => {
    wechat.state.privacyContractName = '';
    const asked = vi.spyOn(wechat.wx, 'getPrivacySetting');
    const page = await openPhonePage('code');
    await vi.waitFor(() => expect(asked).toHaveBeenCalled());
    // The answer's success callback runs after the fake's async answer settles.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(text(page, '.privacy__link')).toBe('《用户隐私保护指引》');
  });

  it.each(['code', 'encrypted'] as const)('quota used up (errno 1400001, %s button): WeChat already told the user; the page sends nothing', async (flow) => {
    stack.emulator.world.setPhoneQuota(stack.appid, 0);
    const page = await openPhonePage(flow);
    const detail = await wechat.phoneButtonDetail(flow);
    expect(detail.errno).toBe(1400001);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    pressButton(page, detail);
    await vi.waitFor(() => expect(warn).toHaveBeenCalledWith('手机号快速验证组件额度不足'));
    warn.mockRestore();
    expect(phoneRequests()).toEqual([]);
    expect(has(page, '#phone')).toBe(false);
  });
});

describe('old flow: encryptedData → wx.checkSession → POST /api/phone/decrypt', () => {
  it('logs in ahead, checks the session in the callback, and the server decrypts with the stored session_key', async () => {
    const page = await openPhonePage('encrypted');
    pressButton(page, await wechat.phoneButtonDetail('encrypted'));
    await vi.waitFor(() => expect(text(page, '#phone')).toBe(`已绑定 ${stack.phoneNumber}`));
    expect(wechat.calls.filter((c) => c === 'login' || c === 'checkSession' || c.includes('/api/phone/'))).toEqual([
      'login',
      'checkSession',
      'request POST /api/phone/decrypt',
    ]);
    // encryptedData and iv travel in the JSON body, byte for byte, never in the URL.
    const sent = wechat.requests.find((r) => r.path === '/api/phone/decrypt')!;
    expect(Object.keys(JSON.parse(sent.body))).toEqual(['encryptedData', 'iv']);
  });

  it('rotation → 409 → logs in again → the next tap, with newly encrypted data, gets the number', async () => {
    const page = await openPhonePage('encrypted');
    // Something calls wx.login and the code never reaches the server, and this time WeChat rotates session_key.
    await fetch(`${stack.emulator.url}/__dev/rotation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: stack.userId, next: 'rotate' }),
    });
    await loginCode(wechat);

    // wx.checkSession still passes (it checks the latest key), but the server holds the old one.
    pressButton(page, await wechat.phoneButtonDetail('encrypted'));
    await vi.waitFor(() => expect(text(page, '#notice')).toBe('登录态已刷新，请再点一次获取手机号'));
    expect(paths().slice(-2)).toEqual(['POST /api/phone/decrypt 409', 'POST /api/login 200']);
    expect(has(page, '#phone')).toBe(false);

    // The user taps again: WeChat encrypts anew with the key the server now holds.
    pressButton(page, await wechat.phoneButtonDetail('encrypted'));
    await vi.waitFor(() => expect(text(page, '#phone')).toBe(`已绑定 ${stack.phoneNumber}`));
    expect(phoneRequests()).toEqual(['POST /api/phone/decrypt 409', 'POST /api/phone/decrypt 200']);
  });

  it('the server unreachable: a notice, nothing thrown', async () => {
    const page = await openPhonePage('encrypted');
    mp<{ config: { serverUrl: string } }>('config').config.serverUrl = 'http://127.0.0.1:9';
    pressButton(page, await wechat.phoneButtonDetail('encrypted'));
    await vi.waitFor(() => expect(text(page, '#notice')).toBe('网络不太好，请稍后重试'));
  });

  it('an expired WeChat session: no upload of data nobody can decrypt; log in again and ask for another tap', async () => {
    const page = await openPhonePage('encrypted');
    const detail = await wechat.phoneButtonDetail('encrypted');
    // The session is gone by the time the callback asks (the emulator would revive it to encrypt).
    stack.emulator.world.expireSession(stack.appid, stack.userId);
    pressButton(page, detail);
    await vi.waitFor(() => expect(text(page, '#notice')).toBe('登录态已刷新，请再点一次获取手机号'));
    expect(phoneRequests()).toEqual([]);
    expect(paths().filter((p) => p === 'POST /api/login 200')).toHaveLength(2);

    pressButton(page, await wechat.phoneButtonDetail('encrypted'));
    await vi.waitFor(() => expect(text(page, '#phone')).toBe(`已绑定 ${stack.phoneNumber}`));
  });
});
