/**
 * The access_token diagnostic (`GET /__admin/upstream-stats`) and what it is
 * for: proving that two server instances on one Redis, whose token WeChat has
 * just invalidated, refresh it once between them for 50 concurrent calls,
 * and retry each call once, not in a loop.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../server/src/app.ts';
import { APPID, SECRET, mintCode, mintPhoneCode, registerUser, startEmulator, tempDir, serverConfig, postPhoneCode, twoInstancesOnOneRedis } from './helpers.ts';
import { REDIS_SERVER, redisServerAvailable, startRedis } from './redis.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function diagnosticsApp(enabled: boolean) {
  const dir = tempDir();
  const app = await buildApp(serverConfig('http://127.0.0.1:9', `${dir.path}/c.db`, { ADMIN_DIAGNOSTICS: String(enabled) }));
  cleanups.push(() => dir.remove(), () => app.close());
  return app;
}

describe('GET /__admin/upstream-stats', () => {
  it('does not exist unless ADMIN_DIAGNOSTICS is true', async () => {
    const app = await diagnosticsApp(false);
    const reply = await app.inject({ method: 'GET', url: '/__admin/upstream-stats' });
    expect(reply.statusCode).toBe(404);
  });

  it('answers a loopback request with the counts, and nothing else', async () => {
    const app = await diagnosticsApp(true);
    const reply = await app.inject({ method: 'GET', url: '/__admin/upstream-stats', remoteAddress: '127.0.0.1' });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.json()).toEqual({ since: expect.any(String), accessTokenFetches: 0, rejectedAccessTokens: 0 });
    expect((await app.inject({ method: 'POST', url: '/__admin/upstream-stats', remoteAddress: '::1' })).statusCode).toBe(405);
  });

  it.each([
    ['another machine', { remoteAddress: '10.0.0.7' }],
    ['another machine, over IPv6', { remoteAddress: '2001:db8::1' }],
    ['a local proxy relaying somebody', { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9' } }],
    ['a local proxy with Forwarded', { remoteAddress: '127.0.0.1', headers: { forwarded: 'for=203.0.113.9' } }],
  ])('looks like any unknown path to %s', async (_who, request) => {
    const app = await diagnosticsApp(true);
    for (const method of ['GET', 'POST'] as const) {
      const reply = await app.inject({ method, url: '/__admin/upstream-stats', ...request });
      expect(reply.statusCode).toBe(404);
      expect(reply.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });
});

const redisAvailable = redisServerAvailable();
if (!redisAvailable) console.warn(`SKIPPED: the two-instance refresh test needs ${REDIS_SERVER} on PATH (apt-get install redis-server).`);

describe.skipIf(!redisAvailable)('two instances on one Redis after WeChat invalidated the token', () => {
  it('refresh once between them for 50 concurrent calls, and retry each call once', async () => {
    const redis = await startRedis();
    const emulator = await startEmulator();
    const dir = tempDir();
    cleanups.push(() => redis.stop(), () => emulator.app.close(), () => dir.remove());
    await registerUser(emulator.url, 'iris', { phoneNumber: '13600002222' });
    const instances = await twoInstancesOnOneRedis(emulator.url, redis.url, dir.path, { ADMIN_DIAGNOSTICS: 'true' });
    cleanups.push(() => Promise.all(instances.map((instance) => instance.app.close())).then(() => undefined));
    const stats = async () => Promise.all(instances.map(async (instance) => (await instance.request('/__admin/upstream-stats')).json));
    const total = async (key: 'accessTokenFetches' | 'rejectedAccessTokens') => (await stats()).reduce((sum, s) => sum + s[key], 0);
    const sessions = await Promise.all(instances.map(async (instance) => (await instance.login(await mintCode(emulator.url, 'iris'))).json.token as string));
    const phoneCall = async (i: number) => postPhoneCode(instances[i % 2]!, sessions[i % 2]!, await mintPhoneCode(emulator.url, 'iris'));

    // Both instances warm up: one fetch between them, the other reads it from Redis.
    expect((await Promise.all([0, 1].map(phoneCall))).map((r) => r.status)).toEqual([200, 200]);
    expect(await total('accessTokenFetches')).toBe(1);

    // WeChat invalidates the token: somebody force-refreshes it (after a leak, say).
    const current = await fetch(`${emulator.url}/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credential', appid: APPID, secret: SECRET, force_refresh: true }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);

    const spy = vi.spyOn(emulator.world, 'getuserphonenumber');
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => phoneCall(i)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    // Exactly one refresh between the two instances…
    expect(await total('accessTokenFetches')).toBe(2);
    // …and at most one retry per call: each call is tried with the old token at most once, then with the new one.
    const attempts = spy.mock.calls.map(([query]) => query.access_token);
    expect(attempts.length).toBeLessThanOrEqual(100);
    expect(attempts.filter((token) => token === current.access_token)).toHaveLength(50);
    expect(await total('rejectedAccessTokens')).toBe(attempts.length - 50);
  });
});
