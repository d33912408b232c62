/**
 * The developer server's access_token cache (wechat-facts §5), platform-free
 * so the simulator and the companion run the same one. WeChat advises one
 * 中控 that fetches while everybody else reads, because fetching again can
 * revoke the previous token. So:
 *  - within a process, concurrent callers share one in-flight fetch;
 *  - with a shared store (the companion's Redis), instances share the cached
 *    token, and a lock lets one instance fetch while the others poll;
 *  - a token WeChat rejects (40001 / 42001) is dropped and fetched once
 *    more, and the call retried once: a second rejection is returned, never
 *    looped on.
 */
import { isWeChatError } from '../wechat/errors.ts';

export interface AccessTokenProvider {
  get(): Promise<string>;
  /** WeChat said this token is no longer good (40001 / 42001): the next get() must fetch a new one. */
  invalidate(token: string): void;
}

export interface CachedAccessToken {
  token: string;
  /** Milliseconds since the epoch, on the provider's clock. */
  expiresAt: number;
}

export type TokenFetchResult = { access_token: string; expires_in: number } | { errcode: number; errmsg: string };

/** Where several instances keep one token; the companion implements it on Redis. */
export interface SharedTokenStore {
  read(): Promise<CachedAccessToken | null>;
  write(entry: CachedAccessToken): Promise<void>;
  /** Take the refresh lock for `owner`; false while another instance holds it. */
  lock(owner: string): Promise<boolean>;
  unlock(owner: string): Promise<void>;
  /** Remove the shared token, but only if it is still this one. */
  drop(token: string): Promise<void>;
}

export interface AccessTokenProviderOptions {
  /** One upstream call, e.g. `POST /cgi-bin/stable_token` with force_refresh false. */
  fetchToken: () => Promise<TokenFetchResult>;
  now: () => number;
  /** Refresh this long before expiry; stable_token guarantees at least 5 minutes left, so that is the default. */
  refreshMarginMs?: number;
  shared?: SharedTokenStore;
  /** How long to wait for another instance's fetch before giving up (real time). */
  sharedWaitMs?: number;
  pollIntervalMs?: number;
}

export class AccessTokenError extends Error {
  constructor(readonly errcode: number) {
    super(`access_token refused: errcode ${errcode}`);
    this.name = 'AccessTokenError';
  }
}

const REJECTED_TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 42001]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createAccessTokenProvider(
  options: AccessTokenProviderOptions,
): AccessTokenProvider & { readonly cached: CachedAccessToken | null } {
  const { fetchToken, now, shared } = options;
  const refreshMarginMs = options.refreshMarginMs ?? 5 * 60 * 1000;
  const sharedWaitMs = options.sharedWaitMs ?? 20_000;
  const pollIntervalMs = options.pollIntervalMs ?? 25;

  let cached: CachedAccessToken | null = null;
  let inFlight: Promise<string> | null = null;
  /** A shared-store delete started by invalidate(); it settles to the error, if any, so it is never an unhandled rejection. */
  let pendingDrop: Promise<unknown> | null = null;

  const fresh = (entry: CachedAccessToken | null): entry is CachedAccessToken =>
    entry !== null && entry.expiresAt - now() > refreshMarginMs;

  async function fetchUpstream(): Promise<CachedAccessToken> {
    const result = await fetchToken();
    if (isWeChatError(result)) throw new AccessTokenError(result.errcode);
    const { access_token: token, expires_in: expiresIn } = result as { access_token: string; expires_in: number };
    return { token, expiresAt: now() + expiresIn * 1000 };
  }

  async function refreshShared(store: SharedTokenStore): Promise<CachedAccessToken> {
    // Waiting happens in real time even when `now` is a test or simulation clock.
    const deadline = Date.now() + sharedWaitMs;
    const owner = globalThis.crypto.randomUUID();
    for (;;) {
      const current = await store.read();
      if (fresh(current)) return current;
      if (await store.lock(owner)) {
        try {
          // Another instance may have written the token between our read and our lock.
          const again = await store.read();
          if (fresh(again)) return again;
          const entry = await fetchUpstream();
          await store.write(entry);
          return entry;
        } finally {
          await store.unlock(owner);
        }
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for another instance to fetch the access_token');
      await sleep(pollIntervalMs);
    }
  }

  async function refresh(): Promise<string> {
    if (pendingDrop) {
      const drop = pendingDrop;
      pendingDrop = null;
      const failure = await drop;
      if (failure) throw failure;
    }
    cached = shared ? await refreshShared(shared) : await fetchUpstream();
    return cached.token;
  }

  return {
    get cached() {
      return cached;
    },
    async get() {
      if (fresh(cached) && !pendingDrop) return cached.token;
      inFlight ??= refresh().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = null;
      if (shared) {
        pendingDrop = shared.drop(token).then(
          () => null,
          (error: unknown) => error,
        );
      }
    },
  };
}

/** Call a WeChat API with the current token; on 40001 / 42001 drop it, fetch a new one and retry exactly once. */
export async function withAccessToken<T>(provider: AccessTokenProvider, call: (token: string) => Promise<T>): Promise<T> {
  const token = await provider.get();
  const result = await call(token);
  if (!isWeChatError(result) || !REJECTED_TOKEN_ERRCODES.has(result.errcode)) return result;
  provider.invalidate(token);
  return call(await provider.get());
}
