/**
 * The wx.* calls the flows need, as promises of plain results, and the one
 * place that knows about the offline emulator (see config.ts).
 */
import { config } from '../config';
import { callServer, type ApiResult } from './api';

export type CodeResult = { ok: true; code: string } | { ok: false; errMsg: string };

/** wx.login, or with the offline emulator a code it minted for its test user. */
export function getLoginCode(): Promise<CodeResult> {
  const emulator = config.emulator;
  if (emulator) return emulatorCode('/__dev/login-code', emulator);
  return new Promise((resolve) => {
    wx.login({
      success: (res) => resolve({ ok: true, code: res.code }),
      fail: (err) => resolve({ ok: false, errMsg: err.errMsg }),
    });
  });
}

/**
 * The code the new phone button handed out, or with the emulator one minted
 * for its test user: a code from the real button means nothing to the emulator.
 */
export function getPhoneCode(buttonCode: string | undefined): Promise<CodeResult> {
  const emulator = config.emulator;
  if (emulator) return emulatorCode('/__dev/phone-code', emulator);
  return Promise.resolve(buttonCode ? { ok: true, code: buttonCode } : { ok: false, errMsg: 'getPhoneNumber: 按钮没有返回 code（基础库 2.21.2 起才有）' });
}

export type EncryptedPhoneResult = { ok: true; encryptedData: string; iv: string } | { ok: false; errMsg: string };

/**
 * The old button's encryptedData and iv, or with the emulator a pair it
 * encrypted with the session_key it holds for its test user, as WeChat would.
 */
export async function getEncryptedPhone(detail: { encryptedData?: string; iv?: string }): Promise<EncryptedPhoneResult> {
  const emulator = config.emulator;
  if (!emulator) {
    return detail.encryptedData && detail.iv
      ? { ok: true, encryptedData: detail.encryptedData, iv: detail.iv }
      : { ok: false, errMsg: 'getPhoneNumber: 按钮没有返回 encryptedData 和 iv' };
  }
  const result = await callServer<{ encryptedData: string; iv: string }>({
    method: 'POST',
    path: '/__dev/phone-encrypted-data',
    baseUrl: emulator.baseUrl,
    body: { userId: emulator.userId },
  });
  return result.ok
    ? { ok: true, encryptedData: result.data.encryptedData, iv: result.data.iv }
    : { ok: false, errMsg: `模拟器 /__dev/phone-encrypted-data：${result.message}` };
}

async function emulatorCode(path: string, emulator: { baseUrl: string; userId: string }): Promise<CodeResult> {
  const result = await callServer<{ code: string }>({ method: 'POST', path, baseUrl: emulator.baseUrl, body: { userId: emulator.userId } });
  return result.ok ? { ok: true, code: result.data.code } : { ok: false, errMsg: `模拟器 ${path}：${result.message}` };
}

/** true while WeChat still holds the session_key of the last wx.login. */
export function checkSession(): Promise<boolean> {
  return new Promise((resolve) => {
    wx.checkSession({ success: () => resolve(true), fail: () => resolve(false) });
  });
}

/**
 * POST /api/login, then GET /api/me: the token is opaque to the mini
 * program, so it asks the server whom the token names.
 */
export async function exchangeCode(code: string): Promise<ApiResult<{ token: string; openid: string }>> {
  const login = await callServer<{ token: string; expiresIn: number }>({ method: 'POST', path: '/api/login', body: { code } });
  if (!login.ok) return login;
  const me = await callServer<{ openid: string }>({ method: 'GET', path: '/api/me', token: login.data.token });
  return me.ok ? { ok: true, status: login.status, data: { token: login.data.token, openid: me.data.openid } } : me;
}
