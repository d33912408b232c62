/**
 * Rate limits for the routes that cost an upstream WeChat call.
 *
 * Counters live in Redis when REDIS_URL is set, so N instances allow N× less
 * than they would alone; while Redis is unreachable each instance counts for
 * itself (the same fixed one-minute window), rather than letting everything
 * through or refusing everything.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { apiError } from '../../../src/world/support/http.ts';

export const RATE_WINDOW_MS = 60_000;

// One fixed window per key: the first hit sets the expiry; a key somehow left without one gets it back.
const COUNT = `
local current = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}
`;

/** Bounds the in-process fallback's memory under a flood of distinct keys. */
const LOCAL_MAX_KEYS = 10_000;

type Incr = FastifyRateLimitStore['incr'];

/** In-process counters for while Redis is down; oldest keys go first when full. */
function localCounter() {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return (key: string, timeWindow: number): { current: number; ttl: number } => {
    const now = Date.now();
    let entry = windows.get(key);
    if (!entry || entry.resetAt <= now) {
      windows.delete(key);
      if (windows.size >= LOCAL_MAX_KEYS) windows.delete(windows.keys().next().value!);
      entry = { count: 0, resetAt: now + timeWindow };
      windows.set(key, entry);
    }
    entry.count += 1;
    return { current: entry.count, ttl: entry.resetAt - now };
  };
}

/** A @fastify/rate-limit store class on Redis that counts in-process while Redis fails. */
export function redisRateLimitStore(redis: Redis, prefix: string) {
  return class RedisWithFallbackStore implements FastifyRateLimitStore {
    readonly #prefix: string;
    readonly #local = localCounter();

    constructor(_options?: unknown, routePrefix = prefix) {
      this.#prefix = routePrefix;
    }

    incr(key: string, callback: Parameters<Incr>[1], timeWindow?: number): void {
      const window = timeWindow ?? RATE_WINDOW_MS;
      redis.eval(COUNT, 1, `${this.#prefix}${key}`, window).then(
        (result) => {
          const [current, ttl] = result as [number, number];
          callback(null, { current, ttl });
        },
        () => callback(null, this.#local(key, window)),
      );
    }

    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      // The plugin passes its merged options here, with the route under routeInfo (not what its typings say).
      const route = (routeOptions as { routeInfo?: { method?: string; url?: string } }).routeInfo;
      // Limiters made with createRateLimit have no route; their keys carry their own name instead.
      return new RedisWithFallbackStore(undefined, route?.url ? `${prefix}${route.method}${route.url}:` : prefix);
    }
  };
}

export const rateLimited = () => apiError(429, 'RATE_LIMITED', '请求太频繁，请稍后再试');

/**
 * A limiter to use as a preHandler, for a route that needs more than one
 * (the plugin runs only the first limiter it finds on a request). `name`
 * keeps each limiter's counters apart.
 */
export function limiter(app: FastifyInstance, name: string, max: number, key: (request: FastifyRequest) => string) {
  const check = app.createRateLimit({ max, timeWindow: RATE_WINDOW_MS, keyGenerator: (request) => `${name}:${key(request)}` });
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const result = await check(request);
    if (result.isAllowed || !result.isExceeded) return;
    return reply
      .code(429)
      .header('retry-after', String(result.ttlInSeconds))
      .send(rateLimited().body);
  };
}
