import { describe, expect, it } from 'vitest';
import { HOUR, VirtualClock } from '../../src/world/support/clock.ts';
import { encryptWeChatData } from '../../src/world/support/crypto.ts';
import {
  createDeveloperServer,
  createMemorySessionStore,
  type WeChatApi,
} from '../../src/world/developer/developer-server.ts';
import { createAccessTokenProvider } from '../../src/world/developer/access-token.ts';
import { createLoginTokenIssuer } from '../../src/world/developer/login-token.ts';
import { seededRandom } from '../../src/world/support/random.ts';
import type { GetUserPhoneNumberResponse } from '../../src/world/wechat/phone-numbers.ts';
import { WeChatServer } from '../../src/world/wechat/wechat-server.ts';

const APP = { appid: 'wxapp0000000000001', secret: 'secret-1', name: 'Test' };
const SECRET = new TextEncoder().encode('a-test-secret-that-is-32-bytes-long!');
const PHONE = { phoneNumber: '13800000000', purePhoneNumber: '13800000000', countryCode: '86' };

function setup(overrides: { getUserPhoneNumber?: WeChatApi['getUserPhoneNumber'] } = {}) {
  const clock = new VirtualClock();
  const wechat = new WeChatServer({ clock, random: seededRandom(11) });
  wechat.registerApp(APP);
  wechat.registerUser({ id: 'u1', nickname: 'A', ...PHONE });
  const sessions = createMemorySessionStore();
  const tokenFetches: string[] = [];
  const accessTokens = createAccessTokenProvider({
    now: () => clock.now(),
    fetchToken: async () => {
      const response = wechat.stableToken({ grant_type: 'client_credential', appid: APP.appid, secret: APP.secret });
      tokenFetches.push('access_token' in response ? response.access_token : `errcode ${response.errcode}`);
      return response;
    },
  });
  const phoneCalls: { code: string; accessToken: string }[] = [];
  const server = createDeveloperServer({
    wechat: {
      code2Session: async (js_code) => wechat.jscode2session({ appid: APP.appid, secret: APP.secret, js_code, grant_type: 'authorization_code' }),
      getUserPhoneNumber:
        overrides.getUserPhoneNumber ??
        (async (code, accessToken) => {
          phoneCalls.push({ code, accessToken });
          return wechat.getuserphonenumber({ access_token: accessToken }, { code });
        }),
    },
    sessions,
    tokens: createLoginTokenIssuer({ secret: SECRET, clock, lifetimeSeconds: 2 * 60 * 60 }),
    now: () => clock.now(),
    appid: APP.appid,
    accessTokens,
  });
  async function login() {
    const response = await server.login({ code: wechat.issueLoginCode(APP.appid, 'u1') });
    return `Bearer ${(response.body as { token: string }).token}`;
  }
  const phoneCode = () => {
    const issued = wechat.issuePhoneCode(APP.appid, 'u1');
    if (!issued.ok) throw new Error('quota');
    return issued.code;
  };
  return { clock, wechat, sessions, server, login, phoneCode, tokenFetches, phoneCalls, accessTokens };
}

describe('POST /api/phone/decrypt (old flow)', () => {
  it('decrypts with the stored session_key and returns only the three phone fields', async () => {
    const { server, wechat, login } = setup();
    const auth = await login();
    const detail = await wechat.encryptPhoneNumber(APP.appid, 'u1');
    const response = await server.phoneDecrypt(auth, detail);
    expect(response).toEqual({ status: 200, body: PHONE });
  });

  it('a rotated session_key makes decryption fail for real: 409 SESSION_KEY_MISMATCH, telling the client to re-login and ask again', async () => {
    const { server, wechat, login, sessions } = setup();
    const auth = await login();
    const detail = await wechat.encryptPhoneNumber(APP.appid, 'u1');
    // wx.login in the callback, and this time WeChat rotates.
    wechat.setNextRotation(APP.appid, 'u1', 'rotate');
    const relogin = await server.login({ code: wechat.issueLoginCode(APP.appid, 'u1') });
    const stored = [...(sessions.records.values())][0]!.sessionKey;
    const response = await server.phoneDecrypt(`Bearer ${(relogin.body as { token: string }).token}`, detail);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: { code: 'SESSION_KEY_MISMATCH' } });
    expect((response.body as { error: { message: string } }).error.message).toMatch(/重新登录.*再点一次/);
    expect(JSON.stringify(response.body)).not.toContain(stored);
    // Asking again after the re-login works: WeChat now encrypts with the key the server holds.
    const again = await server.phoneDecrypt(auth, await wechat.encryptPhoneNumber(APP.appid, 'u1'));
    expect(again).toEqual({ status: 200, body: PHONE });
  });

  it('rejects data encrypted for another app with WATERMARK_MISMATCH', async () => {
    const { server, wechat, login } = setup();
    const auth = await login();
    const sessionKey = wechat.currentSessionKey(APP.appid, 'u1')!;
    const forged = await encryptWeChatData({ appId: 'wxsomeoneelse00000', sessionKey, data: PHONE, timestamp: 1 });
    const response = await server.phoneDecrypt(auth, forged);
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'WATERMARK_MISMATCH' } } });
  });

  it.each([
    ['+ turned into a space in encryptedData', (d: { encryptedData: string; iv: string }) => ({ ...d, encryptedData: d.encryptedData.replace(/\+/g, ' ') || 'a b' }), 'BAD_ENCRYPTED_DATA'],
    ['truncated encryptedData', (d: { encryptedData: string; iv: string }) => ({ ...d, encryptedData: d.encryptedData.slice(0, 20) }), 'BAD_ENCRYPTED_DATA'],
    ['an iv of the wrong length', (d: { encryptedData: string; iv: string }) => ({ ...d, iv: 'AAAA' }), 'BAD_IV'],
  ])('%s → 400 %s', async (_name, mangle, code) => {
    const { server, wechat, login } = setup();
    const auth = await login();
    let detail = await wechat.encryptPhoneNumber(APP.appid, 'u1');
    // Make sure there is a + to lose, whatever the seeded bytes are.
    while (!detail.encryptedData.includes('+')) detail = await wechat.encryptPhoneNumber(APP.appid, 'u1');
    const response = await server.phoneDecrypt(auth, mangle(detail));
    expect(response).toMatchObject({ status: 400, body: { error: { code } } });
  });

  it('a malformed stored session_key is -41001 → 400 SESSION_KEY_INVALID, without echoing it', async () => {
    const { server, wechat, login, sessions } = setup();
    const auth = await login();
    const [record] = [...sessions.records.values()];
    await sessions.save({ ...record!, sessionKey: 'not-a-key' });
    const response = await server.phoneDecrypt(auth, await wechat.encryptPhoneNumber(APP.appid, 'u1'));
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'SESSION_KEY_INVALID' } } });
    expect(JSON.stringify(response.body)).not.toContain('not-a-key');
  });

  it.each([
    ['missing iv', { encryptedData: 'AAAA' }],
    ['an extra field', { encryptedData: 'AAAA', iv: 'AAAA', session_key: 'x' }],
    ['not an object', 'encryptedData=AAAA'],
    ['a number', { encryptedData: 1, iv: 'AAAA' }],
  ])('a malformed body (%s) is 400 BAD_REQUEST', async (_name, body) => {
    const { server, login } = setup();
    const response = await server.phoneDecrypt(await login(), body);
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
  });

  it('needs a login: no token 401, expired token 401', async () => {
    const { server, wechat, login, clock } = setup();
    const auth = await login();
    const detail = await wechat.encryptPhoneNumber(APP.appid, 'u1');
    expect(await server.phoneDecrypt(undefined, detail)).toMatchObject({ status: 401, body: { error: { code: 'TOKEN_MISSING' } } });
    clock.advance(3 * HOUR);
    expect(await server.phoneDecrypt(auth, detail)).toMatchObject({ status: 401, body: { error: { code: 'TOKEN_EXPIRED' } } });
  });
});

describe('POST /api/phone/code (new flow)', () => {
  it('trades the code for the phone number with an access_token, without any login', async () => {
    const { server, phoneCode, tokenFetches, phoneCalls } = setup();
    const response = await server.phoneCode(undefined, { code: phoneCode() });
    expect(response).toEqual({ status: 200, body: PHONE });
    expect(tokenFetches).toHaveLength(1);
    expect(phoneCalls[0]!.accessToken).toBe(tokenFetches[0]);
  });

  it('reuses the cached access_token across requests', async () => {
    const { server, phoneCode, tokenFetches } = setup();
    await server.phoneCode(undefined, { code: phoneCode() });
    await server.phoneCode(undefined, { code: phoneCode() });
    expect(tokenFetches).toHaveLength(1);
  });

  it('a reused or expired code is 400 PHONE_CODE_INVALID', async () => {
    const { server, phoneCode, clock } = setup();
    const code = phoneCode();
    await server.phoneCode(undefined, { code });
    expect(await server.phoneCode(undefined, { code })).toMatchObject({ status: 400, body: { error: { code: 'PHONE_CODE_INVALID' } } });
    const late = phoneCode();
    clock.advance(6 * 60 * 1000);
    expect(await server.phoneCode(undefined, { code: late })).toMatchObject({ status: 400, body: { error: { code: 'PHONE_CODE_INVALID' } } });
  });

  it('a token replaced elsewhere (40001) is refreshed once and the call retried', async () => {
    const { server, wechat, phoneCode, tokenFetches, phoneCalls } = setup();
    await server.phoneCode(undefined, { code: phoneCode() });
    wechat.stableToken({ grant_type: 'client_credential', appid: APP.appid, secret: APP.secret, force_refresh: true });
    const response = await server.phoneCode(undefined, { code: phoneCode() });
    expect(response.status).toBe(200);
    expect(tokenFetches).toHaveLength(2);
    expect(phoneCalls).toHaveLength(3);
  });

  it('retries only once: a token that keeps failing ends in a 502 with the errcode', async () => {
    let calls = 0;
    const { server, phoneCode } = setup({
      getUserPhoneNumber: async () => {
        calls++;
        return { errcode: 42001, errmsg: 'access_token expired' } as GetUserPhoneNumberResponse;
      },
    });
    const response = await server.phoneCode(undefined, { code: phoneCode() });
    expect(calls).toBe(2);
    expect(response).toMatchObject({ status: 502, body: { error: { code: 'WECHAT_42001' } } });
  });

  it('an unreachable WeChat is 502 WECHAT_UNREACHABLE', async () => {
    const { server, phoneCode } = setup({
      getUserPhoneNumber: async () => {
        throw new Error('ECONNRESET');
      },
    });
    expect(await server.phoneCode(undefined, { code: phoneCode() })).toMatchObject({ status: 502, body: { error: { code: 'WECHAT_UNREACHABLE' } } });
  });

  it('a login state, when sent, must be valid; the body is strict', async () => {
    const { server, phoneCode, login } = setup();
    expect(await server.phoneCode('Bearer a.b.c', { code: phoneCode() })).toMatchObject({ status: 401 });
    expect(await server.phoneCode(await login(), { code: phoneCode() })).toMatchObject({ status: 200 });
    expect(await server.phoneCode(undefined, { code: phoneCode(), extra: 1 })).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    expect(await server.phoneCode(undefined, {})).toMatchObject({ status: 400 });
  });

  it('never returns session_key or access_token', async () => {
    const { server, phoneCode, accessTokens, login, sessions } = setup();
    await login();
    const response = await server.phoneCode(undefined, { code: phoneCode() });
    const text = JSON.stringify(response);
    expect(text).not.toContain(accessTokens.cached!.token);
    expect(text).not.toContain([...sessions.records.values()][0]!.sessionKey);
  });
});
