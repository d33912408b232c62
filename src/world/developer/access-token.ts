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
 *    looped on;
 *  - the shared store is a cache, not a dependency: while it fails, each
 *    process fetches for itself (still one fetch at a time). stable_token in
 *    normal mode hands every caller the same token and revokes none, so
 *    instances that fetch on their own do not break each other.
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
  /** Told once when the shared store starts failing (with the error) and once when it works again, not on every call. */
  onSharedStoreChange?: (change: { available: false; error: unknown } | { available: true }) => void;
}

/** A shared-store operation failed: the store, not WeChat, is the problem. */
class SharedStoreFailure extends Error {
  constructor(readonly error: unknown) {
    super('shared access_token store failed');
  }
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
  let sharedAvailable = true;

  function markShared(available: boolean, error?: unknown): void {
    if (available === sharedAvailable) return;
    sharedAvailable = available;
    options.onSharedStoreChange?.(available ? { available: true } : { available: false, error });
  }

  /** Runs one store operation, so that its failure cannot be mistaken for WeChat's. */
  async function guarded<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new SharedStoreFailure(error);
    }
  }

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

  // #region shared-lock
  async function refreshShared(store: SharedTokenStore): Promise<CachedAccessToken> {
    // Waiting happens in real time even when `now` is a test or simulation clock.
    const deadline = Date.now() + sharedWaitMs;
    const owner = globalThis.crypto.randomUUID();
    for (;;) {
      const current = await guarded(() => store.read());
      if (fresh(current)) return current;
      if (await guarded(() => store.lock(owner))) {
        try {
          // Another instance may have written the token between our read and our lock.
          const again = await guarded(() => store.read());
          if (fresh(again)) return again;
          const entry = await fetchUpstream();
          // The token is ours even if sharing it fails; the others will fetch their own.
          await store.write(entry).catch((error: unknown) => markShared(false, error));
          return entry;
        } finally {
          // The lock expires on its own if the store cannot be told.
          await store.unlock(owner).catch(() => undefined);
        }
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for another instance to fetch the access_token');
      await sleep(pollIntervalMs);
    }
  }
  // #endregion

  async function refresh(): Promise<string> {
    // A rejected token the store could not forget may still sit there: fetch past it this once.
    let bypassShared = false;
    if (pendingDrop) {
      const drop = pendingDrop;
      pendingDrop = null;
      const failure = await drop;
      if (failure) {
        markShared(false, failure);
        bypassShared = true;
      }
    }
    if (!shared || bypassShared) {
      cached = await fetchUpstream();
      return cached.token;
    }
    try {
      cached = await refreshShared(shared);
      markShared(true);
    } catch (error) {
      if (!(error instanceof SharedStoreFailure)) throw error;
      markShared(false, error.error);
      cached = await fetchUpstream();
    }
    return cached.token;
  }

  return {
    get cached() {
      return cached;
    },
    // #region single-flight
    async get() {
      if (fresh(cached) && !pendingDrop) return cached.token;
      inFlight ??= refresh().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
    // #endregion
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

// #region retry-once
/** Call a WeChat API with the current token; on 40001 / 42001 drop it, fetch a new one and retry exactly once. */
export async function withAccessToken<T>(provider: AccessTokenProvider, call: (token: string) => Promise<T>): Promise<T> {
  const token = await provider.get();
  const result = await call(token);
  if (!isWeChatError(result) || !REJECTED_TOKEN_ERRCODES.has(result.errcode)) return result;
  provider.invalidate(token);
  return call(await provider.get());
}
// #endregion
