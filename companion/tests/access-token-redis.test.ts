import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAccessTokenProvider, withAccessToken } from '../../src/world/developer/access-token.ts';
import { countingUpstream } from '../../tests/support/counting-upstream.ts';
import { createRedisTokenStore } from '../server/src/redis-token-store.ts';
import { APPID, bearer, mintCode, mintPhoneCode, registerUser, startEmulator, startServer, tempDir, serverConfig, postPhoneCode, twoInstancesOnOneRedis } from './helpers.ts';
import { REDIS_SERVER, redisServerAvailable, startRedis, type RunningRedis } from './redis.ts';

const available = redisServerAvailable();
if (!available) console.warn(`SKIPPED: the Redis access_token tests need ${REDIS_SERVER} on PATH (apt-get install redis-server).`);

/** One fake stable_token shared by every instance: what they have in common is WeChat, so it counts for all of them. */
const sharedUpstream = (delayMs = 100) => countingUpstream(delayMs);

describe.skipIf(!available)('access_token shared through Redis', () => {
  let redis: RunningRedis;
  let run = 0;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** Two instances: separate processes in production, so separate Redis connections and separate memory here. */
  function twoInstances(upstream: ReturnType<typeof sharedUpstream>, options: { lockTtlMs?: number } = {}) {
    run += 1;
    const make = () =>
      createAccessTokenProvider({
        fetchToken: upstream.fetchToken,
        now: Date.now,
        shared: createRedisTokenStore(redis.client(), { key: `test${run}:access_token:${APPID}`, ...options }),
      });
    return [make(), make()] as const;
  }

  it('makes one upstream fetch for 100 concurrent callers on each of two instances', async () => {
    const upstream = sharedUpstream();
    const [a, b] = twoInstances(upstream);
    const got = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).get()));
    expect(new Set(got)).toEqual(new Set(['T1']));
    expect(upstream.calls).toBe(1);
  });

  it('lets a new instance read the cached token without fetching', async () => {
    const upstream = sharedUpstream(5);
    const [a, b] = twoInstances(upstream);
    await a.get();
    expect(await b.get()).toBe('T1');
    expect(upstream.calls).toBe(1);
  });

  it('drops a rejected token for everyone, and a late instance picks up the replacement without fetching again', async () => {
    const upstream = sharedUpstream(5);
    const [a, b] = twoInstances(upstream);
    await Promise.all([a.get(), b.get()]);
    const revoked = new Set(['T1']);
    const callWeChat = async (token: string) => (revoked.has(token) ? { errcode: 40001, errmsg: 'invalid credential' } : { errcode: 0, errmsg: 'ok' });

    expect(await withAccessToken(a, callWeChat)).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(upstream.calls).toBe(2);
    // b still holds T1 in memory: it is rejected once, and the retry finds T2 in Redis.
    expect(await withAccessToken(b, callWeChat)).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(await b.get()).toBe('T2');
    expect(upstream.calls).toBe(2);
  });

  it('waits for a lock holder that died, then fetches once the lock expires', async () => {
    const upstream = sharedUpstream(5);
    const [a] = twoInstances(upstream, { lockTtlMs: 400 });
    const client = redis.client();
    await client.set(`test${run}:access_token:${APPID}:lock`, 'a-crashed-instance', 'PX', 300);
    const started = Date.now();
    expect(await a.get()).toBe('T1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(upstream.calls).toBe(1);
  });
});

describe.skipIf(!available)('the server with REDIS_URL', () => {
  it('starts, serves and closes its Redis connection cleanly', async () => {
    const redis = await startRedis();
    const emulator = await startEmulator();
    const dir = tempDir();
    try {
      await registerUser(emulator.url, 'gina');
      const server = await startServer(
        serverConfig(emulator.url, `${dir.path}/c.db`, { REDIS_URL: redis.url }),
      );
      const { token } = (await server.login(await mintCode(emulator.url, 'gina'))).json;
      expect((await server.request('/api/me', { headers: bearer(token) })).status).toBe(200);
      await server.app.close();
    } finally {
      await emulator.app.close();
      await redis.stop();
      dir.remove();
    }
  });

  it('two server instances on one Redis fetch the access_token once for 100 concurrent phone-code calls', async () => {
    const redis = await startRedis();
    const emulator = await startEmulator();
    const dir = tempDir();
    const stableToken = vi.spyOn(emulator.world, 'stableToken');
    const token = vi.spyOn(emulator.world, 'token');
    try {
      await registerUser(emulator.url, 'hana', { phoneNumber: '13700001111' });
      // Separate processes in production: separate apps, databases and Redis connections here, one Redis between them.
      const instances = await twoInstancesOnOneRedis(emulator.url, redis.url, dir.path);
      // Each instance has its own session database here, so hana logs in to both.
      const tokens = await Promise.all(instances.map(async (instance) => (await instance.login(await mintCode(emulator.url, 'hana'))).json.token));
      const codes = await Promise.all(Array.from({ length: 100 }, () => mintPhoneCode(emulator.url, 'hana')));
      const responses = await Promise.all(codes.map((code, i) => postPhoneCode(instances[i % 2]!, tokens[i % 2], code)));
      expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));
      expect(stableToken).toHaveBeenCalledTimes(1);
      expect(token).not.toHaveBeenCalled();
      await Promise.all(instances.map((instance) => instance.app.close()));
    } finally {
      vi.restoreAllMocks();
      await emulator.app.close();
      await redis.stop();
      dir.remove();
    }
  });
});
