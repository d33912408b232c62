/**
 * The access_token cache shared by several server instances, on Redis: the
 * `SharedTokenStore` port of src/world/developer/access-token.ts, which holds the
 * caching, locking and retry rules themselves.
 *
 * Format: hash `<key>` { token, expiresAt (ms) } expiring at expiresAt;
 * lock `<key>:lock` = a random owner id with a TTL, so a crashed holder
 * cannot block the others for longer than that.
 */
import type { Redis } from 'ioredis';
import type { SharedTokenStore } from '../../../src/world/developer/access-token.ts';

export interface RedisTokenStoreOptions {
  /** e.g. `companion:access_token:<appid>`: one cache per mini program. */
  key: string;
  lockTtlMs?: number;
}

// Compare-and-delete, so a slow instance never removes a lock or a token that is no longer its own.
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const DROP_TOKEN = `if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export function createRedisTokenStore(redis: Redis, { key, lockTtlMs = 10_000 }: RedisTokenStoreOptions): SharedTokenStore {
  const lockKey = `${key}:lock`;
  return {
    async read() {
      const [token, expiresAt] = await redis.hmget(key, 'token', 'expiresAt');
      return token && expiresAt ? { token, expiresAt: Number(expiresAt) } : null;
    },
    async write(entry) {
      await redis.multi().hset(key, { token: entry.token, expiresAt: String(entry.expiresAt) }).pexpireat(key, entry.expiresAt).exec();
    },
    async lock(owner) {
      return (await redis.set(lockKey, owner, 'PX', lockTtlMs, 'NX')) === 'OK';
    },
    async unlock(owner) {
      await redis.eval(RELEASE_LOCK, 1, lockKey, owner);
    },
    async drop(token) {
      await redis.eval(DROP_TOKEN, 1, key, token);
    },
  };
}
