import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encryptWeChatData } from '../../src/world/support/crypto.ts';
import {
  APPID,
  NO_PHONE_LIMITS,
  SECRET,
  bearer,
  captureLog,
  mintCode,
  mintPhoneCode,
  registerUser,
  serverConfig,
  setNextRotation,
  startServer,
  tapOldPhoneButton,
  useEmulator,
  useTempDir,
  type RunningServer,
} from './helpers.ts';

const emulator = useEmulator();
let server: RunningServer;
const log = captureLog();
const dir = useTempDir();
const sessionKeysSeen = new Set<string>();
const otherBodies: string[] = [];

const CAROL_PHONE = '13512345678';
const DAVE_PHONE = '2025550123';

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** wx.login on the phone: WeChat may refresh session_key here, whether or not the code ever reaches the server. */
async function wxLogin(userId: string): Promise<string> {
  const code = await mintCode(emulator.url, userId);
  const key = emulator.world.currentSessionKey(APPID, userId);
  if (key) sessionKeysSeen.add(key);
  return code;
}

async function loginAs(userId: string, target = server): Promise<string> {
  const response = await target.login(await wxLogin(userId));
  expect(response.status).toBe(200);
  return response.json.token;
}

const decrypt = (token: string | undefined, body: unknown, target = server) =>
  target.request('/api/phone/decrypt', json(body, token ? bearer(token) : {}));
const byCode = (body: unknown, headers: Record<string, string> = {}, target = server) =>
  target.request('/api/phone/code', json(body, headers));

beforeAll(async () => {
  server = await startServer(
    // The limits have tests of their own (phone-code-guard.test.ts); here they only need to stay out of the way.
    serverConfig(emulator.url, `${dir.path}/companion.db`, { LOG_LEVEL: 'trace', ...NO_PHONE_LIMITS }),
    { logStream: log.stream },
  );
  await registerUser(emulator.url, 'carol', { phoneNumber: CAROL_PHONE });
  await registerUser(emulator.url, 'dave', { phoneNumber: DAVE_PHONE, countryCode: '1' });
});

afterAll(async () => {
  await server?.app.close();
});

describe('POST /api/phone/decrypt (old button: encryptedData + iv)', () => {
  it('decrypts with the session_key stored at login and answers only the three phone fields', async () => {
    const token = await loginAs('carol');
    const response = await decrypt(token, await tapOldPhoneButton(emulator.url, 'carol'));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.json).toEqual({ phoneNumber: CAROL_PHONE, purePhoneNumber: CAROL_PHONE, countryCode: '86' });
  });

  it('keeps the country code apart for a number outside mainland China', async () => {
    const token = await loginAs('dave');
    const response = await decrypt(token, await tapOldPhoneButton(emulator.url, 'dave'));
    expect(response).toMatchObject({
      status: 200,
      json: { phoneNumber: `+1 ${DAVE_PHONE}`, purePhoneNumber: DAVE_PHONE, countryCode: '1' },
    });
  });

  it('needs a login token', async () => {
    const detail = await tapOldPhoneButton(emulator.url, 'carol');
    expect(await decrypt(undefined, detail)).toMatchObject({ status: 401, json: { error: { code: 'TOKEN_MISSING' } } });
    expect(await decrypt('a.b.c', detail)).toMatchObject({ status: 401, json: { error: { code: 'TOKEN_INVALID' } } });
  });

  it('fails with a re-login message after a wx.login rotated the key without telling the server, and recovers after re-login', async () => {
    const token = await loginAs('carol');
    expect((await decrypt(token, await tapOldPhoneButton(emulator.url, 'carol'))).status).toBe(200);

    // The pitfall: wx.login called again (say, inside the button's callback) refreshes session_key,
    // and the new code never reaches the server.
    await setNextRotation(emulator.url, 'carol', 'rotate');
    const unsentCode = await wxLogin('carol');
    const mismatch = await decrypt(token, await tapOldPhoneButton(emulator.url, 'carol'));
    expect(mismatch.status).toBe(409);
    expect(mismatch.json).toEqual({ error: { code: 'SESSION_KEY_MISMATCH', message: expect.stringContaining('请重新登录') } });
    expect(mismatch.json.error.message).toContain('再点一次按钮');

    // Recovery: log in with the current code, then ask the user to tap again.
    const fresh = await server.login(unsentCode);
    expect(fresh.status).toBe(200);
    const again = await decrypt(fresh.json.token, await tapOldPhoneButton(emulator.url, 'carol'));
    expect(again).toMatchObject({ status: 200, json: { purePhoneNumber: CAROL_PHONE } });
  });

  it('keeps working after a wx.login that WeChat chose not to rotate, which is why the bug looks intermittent', async () => {
    const token = await loginAs('carol');
    await setNextRotation(emulator.url, 'carol', 'keep');
    await wxLogin('carol');
    expect((await decrypt(token, await tapOldPhoneButton(emulator.url, 'carol'))).status).toBe(200);
  });

  it('refuses data sealed with the right key that holds no phone number, instead of answering an empty one', async () => {
    const token = await loginAs('carol');
    const sessionKey = emulator.world.currentSessionKey(APPID, 'carol')!;
    for (const data of [{ opengid: 'tGgroup' }, { phoneNumber: '' }, { phoneNumber: 13800138000 }]) {
      const sealed = await encryptWeChatData({ appId: APPID, sessionKey, data, timestamp: 1_700_000_000 });
      expect({ data, ...(await decrypt(token, sealed)) }).toMatchObject({ data, status: 400, json: { error: { code: 'NOT_PHONE_NUMBER' } } });
    }
  });

  it('answers malformed input with 400 in the envelope, and keeps serving', async () => {
    const token = await loginAs('carol');
    const detail = await tapOldPhoneButton(emulator.url, 'carol');
    const cases: Array<[unknown, string]> = [
      [{ encryptedData: detail.encryptedData }, 'BAD_REQUEST'],
      // Forwarding the whole e.detail instead of the two fields.
      [{ ...detail, errMsg: 'getPhoneNumber:ok' }, 'BAD_REQUEST'],
      [{ encryptedData: 42, iv: detail.iv }, 'BAD_REQUEST'],
      [{ ...detail, iv: '' }, 'BAD_REQUEST'],
      [{ ...detail, encryptedData: 'e'.repeat(9000) }, 'BAD_REQUEST'],
      ['{"encryptedData":', 'MALFORMED_JSON'],
      [{ ...detail, iv: 'short' }, 'BAD_IV'],
      [{ ...detail, encryptedData: '%%% not base64 %%%' }, 'BAD_ENCRYPTED_DATA'],
      // Three bytes short of a block: what a truncated or URL-mangled transfer looks like.
      [{ ...detail, encryptedData: detail.encryptedData.slice(0, -4) }, 'BAD_ENCRYPTED_DATA'],
    ];
    for (const [body, code] of cases) {
      const response = await decrypt(token, body);
      expect({ body, status: response.status, json: response.json }).toEqual({
        body,
        status: 400,
        json: { error: { code, message: expect.any(String) } },
      });
    }
    expect((await decrypt(token, detail)).status).toBe(200);
    expect((await server.request('/api/me', { headers: bearer(token) })).status).toBe(200);
  });
});

describe('POST /api/phone/code (new button: one-time code)', () => {
  it('exchanges the code through getuserphonenumber for a logged-in user', async () => {
    const carol = await loginAs('carol');
    const response = await byCode({ code: await mintPhoneCode(emulator.url, 'carol') }, bearer(carol));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.json).toEqual({ phoneNumber: CAROL_PHONE, purePhoneNumber: CAROL_PHONE, countryCode: '86' });

    const dave = await loginAs('dave');
    const loggedIn = await byCode({ code: await mintPhoneCode(emulator.url, 'dave') }, bearer(dave));
    // WeChat sends countryCode as a number here; the client still gets the old flow's string.
    expect(loggedIn).toMatchObject({ status: 200, json: { phoneNumber: `+1 ${DAVE_PHONE}`, purePhoneNumber: DAVE_PHONE, countryCode: '1' } });
  });

  it('refuses a reused or forged code, and a missing or invalid login token without spending the code', async () => {
    const token = await loginAs('carol');
    const code = await mintPhoneCode(emulator.url, 'carol');
    expect((await byCode({ code }, bearer(token))).status).toBe(200);
    expect(await byCode({ code }, bearer(token))).toMatchObject({ status: 400, json: { error: { code: 'PHONE_CODE_INVALID' } } });
    expect(await byCode({ code: 'never-issued-0123456789' }, bearer(token))).toMatchObject({
      status: 400,
      json: { error: { code: 'PHONE_CODE_INVALID' } },
    });
    const unused = await mintPhoneCode(emulator.url, 'carol');
    expect(await byCode({ code: unused }, { authorization: 'Bearer a.b.c' })).toMatchObject({ status: 401 });
    expect(await byCode({ code: unused })).toMatchObject({ status: 401, json: { error: { code: 'TOKEN_MISSING' } } });
    // The rejected requests did not spend the code.
    expect((await byCode({ code: unused }, bearer(token))).status).toBe(200);
  });

  it('answers malformed bodies with 400 and keeps serving', async () => {
    const token = await loginAs('carol');
    for (const body of [{}, { code: '' }, { code: 7 }, { code: 'x', openid: 'o' }, '[]', 'nope']) {
      const response = await byCode(body, bearer(token));
      expect({ body, status: response.status, code: response.json?.error?.code }).toMatchObject({ body, status: 400 });
    }
    expect((await byCode({ code: await mintPhoneCode(emulator.url, 'carol') }, bearer(token))).status).toBe(200);
  });

  it('fetches the access_token once for 100 concurrent calls', async () => {
    // A server of its own, so no earlier test has warmed its access_token cache; limits raised for the burst.
    const cold = await startServer(
      serverConfig(emulator.url, `${dir.path}/cold.db`, { LOG_LEVEL: 'trace', ...NO_PHONE_LIMITS }),
      { logStream: log.stream },
    );
    const token = await loginAs('carol', cold);
    const stableToken = vi.spyOn(emulator.world, 'stableToken');
    const tokenApi = vi.spyOn(emulator.world, 'token');
    const getuserphonenumber = vi.spyOn(emulator.world, 'getuserphonenumber');
    try {
      const codes = await Promise.all(Array.from({ length: 100 }, () => mintPhoneCode(emulator.url, 'carol')));
      const responses = await Promise.all(codes.map((code) => byCode({ code }, bearer(token), cold)));
      expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));
      expect(new Set(responses.map((r) => r.json.purePhoneNumber))).toEqual(new Set([CAROL_PHONE]));
      expect(stableToken).toHaveBeenCalledTimes(1);
      expect(tokenApi).not.toHaveBeenCalled();
      expect(getuserphonenumber).toHaveBeenCalledTimes(100);
      expect(new Set(getuserphonenumber.mock.calls.map(([query]) => query.access_token)).size).toBe(1);
    } finally {
      vi.restoreAllMocks();
      otherBodies.push(...cold.bodies);
      await cold.app.close();
    }
  });
});

describe('secrets and personal data', () => {
  it('never puts session_key or the AppSecret in a response body or a log line, nor the phone number in a log line', () => {
    // carol's first key, her rotated one, and dave's.
    expect(sessionKeysSeen.size).toBe(3);
    const phoneLines = log.lines.filter((line) => line.includes('/api/phone/'));
    expect(phoneLines.some((line) => line.includes('/api/phone/decrypt'))).toBe(true);
    expect(phoneLines.some((line) => line.includes('/api/phone/code'))).toBe(true);
    for (const text of [...server.bodies, ...otherBodies, ...log.lines]) {
      expect(text).not.toContain(SECRET);
      // The mismatch message names session_key on purpose; what must never appear is a field carrying one, or a key itself.
      expect(text).not.toMatch(/"session_?key"\s*:/i);
      for (const key of sessionKeysSeen) expect(text).not.toContain(key);
    }
    for (const line of log.lines) {
      expect(line).not.toContain(CAROL_PHONE);
      expect(line).not.toContain(DAVE_PHONE);
    }
  });
});
