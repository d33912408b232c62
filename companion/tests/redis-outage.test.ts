/**
 * Defect 3 of issue 18: Redis is a cache. While it is down, /api/phone/code
 * and /api/login keep working on per-process fallbacks (one stable_token
 * fetch per process), the outage is logged once per component, not once per
 * reconnect, ioredis prints nothing raw, and sharing resumes when Redis
 * returns. Also: with Redis, the rate limits hold across instances.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APPID, NO_PHONE_LIMITS, bearer, captureLog, manualClock, mintCode, mintPhoneCode, serverConfig, startServer, useEmulator, useTempDir, type RunningServer } from './helpers.ts';
import { REDIS_SERVER, redisServerAvailable, startRedis } from './redis.ts';

const available = redisServerAvailable();
if (!available) console.warn(`SKIPPED: the Redis outage tests need ${REDIS_SERVER} on PATH (apt-get install redis-server).`);

const emulator = useEmulator({ kai: { phoneNumber: '13900000009' } });
const dir = useTempDir();
afterEach(() => {
  vi.restoreAllMocks();
});
const phoneCall = async (server: RunningServer, token: string) =>
  server.request('/api/phone/code', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body: JSON.stringify({ code: await mintPhoneCode(emulator.url, 'kai') }),
  });

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!available)('the server while Redis is down', () => {
  it('keeps serving on per-process fallbacks, warns once per component, prints no raw ioredis noise, and shares again when Redis returns', async () => {
    let redis = await startRedis();
    const log = captureLog();
    const clock = manualClock();
    const stderr = vi.spyOn(process.stderr, 'write');
    const consoleError = vi.spyOn(console, 'error');
    const server = await startServer(
      serverConfig(emulator.url, `${dir.path}/outage.db`, {
        REDIS_URL: redis.url,
        TOKEN_TTL_SECONDS: String(24 * 3600),
        LOG_LEVEL: 'info',
        ...NO_PHONE_LIMITS,
      }),
      { logStream: log.stream, clock },
    );
    const stableToken = vi.spyOn(emulator.world, 'stableToken');
    try {
      const token = (await server.login(await mintCode(emulator.url, 'kai'))).json.token;
      await redis.stop();

      // A cold access_token cache, Redis gone: 20 concurrent calls, one fetch, all answered.
      const responses = await Promise.all(Array.from({ length: 20 }, () => phoneCall(server, token)));
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(stableToken).toHaveBeenCalledTimes(1);
      // The login limit counts in-process meanwhile, so logins work too.
      expect((await server.login(await mintCode(emulator.url, 'kai'))).status).toBe(200);

      // Several reconnect attempts later, still one warning each.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const warnings = () => log.lines.map((line) => JSON.parse(line)).filter((line) => line.level === 40 && line.component);
      expect(warnings().map((line) => line.component).sort()).toEqual(['access_token', 'redis']);
      expect(warnings().every((line) => typeof line.reason === 'string')).toBe(true);

      redis = await startRedis(redis.port);
      await until(() => log.lines.some((line) => line.includes('Redis is back')), 8000);
      // Past the token's refresh margin: the next call refreshes, through Redis again.
      clock.advance(2 * 3600 * 1000);
      expect((await phoneCall(server, token)).status).toBe(200);
      expect(log.lines.some((line) => line.includes('access_token cache shared through Redis again'))).toBe(true);
      expect(await redis.client().hget(`companion:access_token:${APPID}`, 'token')).toEqual(expect.any(String));

      const noise = [...stderr.mock.calls, ...consoleError.mock.calls].map((call) => String(call[0]));
      expect(noise.filter((text) => /ioredis|Unhandled error event/i.test(text))).toEqual([]);
    } finally {
      await server.app.close();
      await redis.stop();
    }
  });
});

describe.skipIf(!available)('rate limits with REDIS_URL', () => {
  it('hold across instances: one user gets the per-user budget once, and one client the login budget once, not once per instance', async () => {
    const redis = await startRedis();
    const instances: RunningServer[] = [];
    try {
      for (const name of ['a', 'b']) {
        instances.push(
          await startServer(
            serverConfig(emulator.url, `${dir.path}/limits-${name}.db`, {
              REDIS_URL: redis.url,
              PHONE_RATE_LIMIT_PER_USER_PER_MINUTE: '3',
              PHONE_RATE_LIMIT_PER_CLIENT_PER_MINUTE: '100',
              LOGIN_RATE_LIMIT_PER_MINUTE: '4',
            }),
          ),
        );
      }
      const tokens = await Promise.all(instances.map(async (instance) => (await instance.login(await mintCode(emulator.url, 'kai'))).json.token));
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await phoneCall(instances[i % 2]!, tokens[i % 2])).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      // The login limit too: two logins above spent 2 of this client's 4.
      const logins: number[] = [];
      for (let i = 0; i < 3; i++) logins.push((await instances[i % 2]!.login(`made-up-${i}-0123456789`)).status);
      expect(logins).toEqual([401, 401, 429]);
    } finally {
      await Promise.all(instances.map((instance) => instance.app.close()));
      await redis.stop();
    }
  });
});
