/**
 * Defect 1 of issue 18: every /api/phone/code request is a getuserphonenumber
 * call (billed on success, counted against the AppID's quota either way), so
 * it needs a login, a per-user and a per-client limit, and the caller's
 * openid, so that WeChat refuses a code issued to someone else.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { APPID, bearer, mintCode, mintPhoneCode, serverConfig, startServer, useEmulator, useTempDir, type RunningServer } from './helpers.ts';

const emulator = useEmulator({ ann: { phoneNumber: '13600000001' }, ben: { phoneNumber: '13600000002' } });
const dir = useTempDir();
const servers: RunningServer[] = [];
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.app.close()));
});

async function serverWith(limits: { perUser: number; perClient: number }): Promise<RunningServer> {
  const server = await startServer(
    serverConfig(emulator.url, `${dir.path}/${servers.length}.db`, {
      PHONE_RATE_LIMIT_PER_USER_PER_MINUTE: String(limits.perUser),
      PHONE_RATE_LIMIT_PER_CLIENT_PER_MINUTE: String(limits.perClient),
    }),
  );
  servers.push(server);
  return server;
}

const loginAs = async (server: RunningServer, userId: string): Promise<string> => (await server.login(await mintCode(emulator.url, userId))).json.token;

const byCode = (server: RunningServer, code: string, headers: Record<string, string> = {}) =>
  server.request('/api/phone/code', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ code }),
  });

describe('POST /api/phone/code spends WeChat calls only for logged-in users, within limits', () => {
  it('answers 200 anonymous requests with made-up codes with 401, without one upstream call', async () => {
    const server = await serverWith({ perUser: 5, perClient: 1000 });
    const upstream = vi.spyOn(emulator.world, 'getuserphonenumber');
    const stableToken = vi.spyOn(emulator.world, 'stableToken');
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => byCode(server, `made-up-code-${i}`)));
    expect(new Set(responses.map((r) => `${r.status} ${r.json.error.code}`))).toEqual(new Set(['401 TOKEN_MISSING']));
    expect(upstream).not.toHaveBeenCalled();
    expect(stableToken).not.toHaveBeenCalled();
  });

  it('limits each user, with 429 RATE_LIMITED and Retry-After, before WeChat is asked', async () => {
    const server = await serverWith({ perUser: 3, perClient: 1000 });
    const token = await loginAs(server, 'ann');
    const upstream = vi.spyOn(emulator.world, 'getuserphonenumber');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await byCode(server, `guess-${i}`, bearer(token))).status);
    expect(statuses).toEqual([400, 400, 400]);
    const limited = await byCode(server, await mintPhoneCode(emulator.url, 'ann'), bearer(token));
    expect(limited).toMatchObject({ status: 429, json: { error: { code: 'RATE_LIMITED', message: expect.any(String) } } });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(upstream).toHaveBeenCalledTimes(3);
    // Another user is not held back by ann's budget.
    const ben = await loginAs(server, 'ben');
    expect((await byCode(server, await mintPhoneCode(emulator.url, 'ben'), bearer(ben))).status).toBe(200);
  });

  it('limits each client address across users, counting the requests a login check refuses too', async () => {
    const server = await serverWith({ perUser: 1000, perClient: 4 });
    const ann = await loginAs(server, 'ann');
    const ben = await loginAs(server, 'ben');
    const statuses = [
      (await byCode(server, await mintPhoneCode(emulator.url, 'ann'), bearer(ann))).status,
      (await byCode(server, 'made-up')).status,
      (await byCode(server, await mintPhoneCode(emulator.url, 'ben'), bearer(ben))).status,
      (await byCode(server, await mintPhoneCode(emulator.url, 'ben'), bearer(ben))).status,
      (await byCode(server, await mintPhoneCode(emulator.url, 'ann'), bearer(ann))).status,
    ];
    expect(statuses).toEqual([200, 401, 200, 200, 429]);
  });

  it("sends the caller's openid, so a code taken from another user's device is refused and stays usable by its owner", async () => {
    const server = await serverWith({ perUser: 10, perClient: 1000 });
    const ann = await loginAs(server, 'ann');
    const ben = await loginAs(server, 'ben');
    const upstream = vi.spyOn(emulator.world, 'getuserphonenumber');
    const bensCode = await mintPhoneCode(emulator.url, 'ben');

    expect(await byCode(server, bensCode, bearer(ann))).toMatchObject({ status: 400, json: { error: { code: 'PHONE_CODE_INVALID' } } });
    expect(upstream.mock.calls[0]?.[1]).toEqual({ code: bensCode, openid: emulator.world.openid(APPID, 'ann') });

    expect(await byCode(server, bensCode, bearer(ben))).toMatchObject({ status: 200, json: { purePhoneNumber: '13600000002' } });
    expect(upstream.mock.calls[1]?.[1]).toEqual({ code: bensCode, openid: emulator.world.openid(APPID, 'ben') });
  });
});
