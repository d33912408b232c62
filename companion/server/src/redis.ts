/**
 * The server's Redis connection. Redis is a cache here (the shared
 * access_token, shared rate-limit counters), never a dependency: commands
 * fail at once while it is down (no offline queue), every user of it falls
 * back to this process, and an outage is logged once when it starts and once
 * when it ends, instead of ioredis printing every reconnect attempt to stderr.
 */
import { once } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';

/** How long start-up waits for a first connection, so the first requests already share the cache. */
const FIRST_CONNECT_WAIT_MS = 2000;

export async function connectRedis(url: string, log: FastifyBaseLogger): Promise<Redis> {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Keep trying in the background, at most every 5 s, for as long as the server runs.
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  });
  let available = true;
  redis.on('error', (error: Error) => {
    if (!available) return;
    available = false;
    log.warn(
      { component: 'redis', reason: error.message },
      'Redis unavailable: rate limits and the access_token cache work per process until it returns',
    );
  });
  redis.on('ready', () => {
    if (available) return;
    available = true;
    log.info({ component: 'redis' }, 'Redis is back: rate limits and the access_token cache are shared again');
  });
  // Whichever comes first: connected, refused (once() rejects on 'error'; already logged), or still trying after the wait.
  await once(redis, 'ready', { signal: AbortSignal.timeout(FIRST_CONNECT_WAIT_MS) }).catch(() => undefined);
  return redis;
}

/** Quit politely if connected; a dead connection is just dropped (QUIT would never be answered). */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}
