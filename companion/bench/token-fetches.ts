/**
 * `npm run bench:tokens`: how many times N concurrent callers with an empty
 * cache make the server fetch the access_token from WeChat (the emulator on
 * loopback, POST /cgi-bin/stable_token), for three designs:
 * - naive: check the cache, fetch on a miss (src/world/developer/token-cache.ts);
 * - single-flight: the companion's provider in one process (src/world/developer/access-token.ts);
 * - Redis-shared: the same provider in four instances sharing one Redis, callers spread over them.
 * Each fetch is counted where it leaves for the emulator.
 */
import { createAccessTokenProvider, type TokenFetchResult } from '../../src/world/developer/access-token.ts';
import { createNaiveTokenCache } from '../../src/world/developer/token-cache.ts';
import { createWeChatApi } from '../server/src/wechat-api.ts';
import { createRedisTokenStore } from '../server/src/redis-token-store.ts';
import { buildEmulator } from '../emulator/src/app.ts';
import { redisServerAvailable, startRedis, type RunningRedis } from '../tests/redis.ts';

const APPID = 'wxbenchtokens00000';
const SECRET = 'bench-secret-not-real-0123456789';
const CALLERS = [1, 10, 100, 1000];
const INSTANCES = 4;

const emulator = buildEmulator({ appid: APPID, secret: SECRET });
const baseUrl = await emulator.app.listen({ host: '127.0.0.1', port: 0 });
const api = createWeChatApi({ baseUrl, appid: APPID, secret: SECRET, timeoutMs: 10_000 });

function counted() {
  const counter = { fetches: 0 };
  const fetchToken = (): Promise<TokenFetchResult> => {
    counter.fetches += 1;
    return api.stableToken();
  };
  return { counter, fetchToken };
}

async function naive(callers: number): Promise<number> {
  const { counter, fetchToken } = counted();
  const cache = createNaiveTokenCache({ fetchToken, now: Date.now });
  await Promise.all(Array.from({ length: callers }, () => cache.get()));
  return counter.fetches;
}

async function singleFlight(callers: number): Promise<number> {
  const { counter, fetchToken } = counted();
  const provider = createAccessTokenProvider({ fetchToken, now: Date.now });
  await Promise.all(Array.from({ length: callers }, () => provider.get()));
  return counter.fetches;
}

let run = 0;
async function redisShared(redis: RunningRedis, callers: number): Promise<number> {
  const { counter, fetchToken } = counted();
  const key = `bench${++run}:access_token:${APPID}`;
  const providers = Array.from({ length: INSTANCES }, () =>
    createAccessTokenProvider({ fetchToken, now: Date.now, shared: createRedisTokenStore(redis.client(), { key }) }),
  );
  await Promise.all(Array.from({ length: callers }, (_, i) => providers[i % INSTANCES]!.get()));
  return counter.fetches;
}

const redis = redisServerAvailable() ? await startRedis() : null;
try {
  const rows: Record<string, string | number>[] = [];
  for (const callers of CALLERS) {
    rows.push({
      'concurrent callers': callers,
      naive: await naive(callers),
      'single-flight (1 process)': await singleFlight(callers),
      [`Redis-shared (${INSTANCES} instances)`]: redis ? await redisShared(redis, callers) : 'skipped: no redis-server',
    });
  }
  console.log('Upstream access_token fetches (POST /cgi-bin/stable_token to the emulator) for N callers with an empty cache:');
  console.table(rows);
} finally {
  await redis?.stop();
  await emulator.app.close();
}
