/**
 * The access_token cache everybody writes first, kept to show what the real
 * provider (./access-token.ts) fixes: it checks the cache, and on a miss
 * fetches. Nothing stops a hundred callers that miss at the same moment from
 * fetching a hundred times, and with `/cgi-bin/token` each of those fetches
 * replaces the token the previous one returned. The chapter's thundering-herd
 * button and the companion's fetch benchmark run this and the provider side
 * by side; nothing in production uses it.
 */
import { isWeChatError } from '../wechat/errors.ts';
import { AccessTokenError, type CachedAccessToken, type TokenFetchResult } from './access-token.ts';

export interface NaiveTokenCacheOptions {
  fetchToken: () => Promise<TokenFetchResult>;
  now: () => number;
}

export function createNaiveTokenCache(options: NaiveTokenCacheOptions): { get(): Promise<string>; readonly cached: CachedAccessToken | null } {
  let cached: CachedAccessToken | null = null;
  return {
    get cached() {
      return cached;
    },
    // #region naive
    async get() {
      if (cached && cached.expiresAt > options.now()) return cached.token;
      // Every caller that gets here before the first answer lands fetches again.
      const result = await options.fetchToken();
      if (isWeChatError(result)) throw new AccessTokenError(result.errcode);
      const { access_token: token, expires_in: expiresIn } = result as { access_token: string; expires_in: number };
      // Last answer wins, even if it is the oldest token.
      cached = { token, expiresAt: options.now() + expiresIn * 1000 };
      return token;
    },
    // #endregion
  };
}
