/**
 * The naive cache the chapter and the fetch benchmark compare the provider
 * with: N callers that miss together fetch N times, the last answer wins,
 * and a WeChat error is an AccessTokenError like the provider's.
 */
import { describe, expect, it } from 'vitest';
import { AccessTokenError, createAccessTokenProvider, type TokenFetchResult } from '../../src/world/developer/access-token.ts';
import { createNaiveTokenCache } from '../../src/world/developer/token-cache.ts';
import { countingUpstream } from '../support/counting-upstream.ts';

function upstream(answers?: (n: number) => TokenFetchResult) {
  return countingUpstream(5, answers);
}

describe('naive token cache vs the provider', () => {
  it.each([1, 10, 100])('%i callers with an empty cache: naive fetches that many times, the provider once', async (callers) => {
    const naive = upstream();
    const cache = createNaiveTokenCache({ fetchToken: naive.fetchToken, now: Date.now });
    await Promise.all(Array.from({ length: callers }, () => cache.get()));
    expect(naive.calls).toBe(callers);
    expect(cache.cached?.token).toBe(`T${callers}`);

    const shared = upstream();
    const provider = createAccessTokenProvider({ fetchToken: shared.fetchToken, now: Date.now });
    await Promise.all(Array.from({ length: callers }, () => provider.get()));
    expect(shared.calls).toBe(1);
  });

  it('serves from the cache until the token expires, then fetches again', async () => {
    let now = 0;
    const source = upstream();
    const cache = createNaiveTokenCache({ fetchToken: source.fetchToken, now: () => now });
    expect(await cache.get()).toBe('T1');
    now += 7199_000;
    expect(await cache.get()).toBe('T1');
    now += 1000;
    expect(await cache.get()).toBe('T2');
  });

  it('turns a WeChat error into an AccessTokenError and caches nothing', async () => {
    const source = upstream(() => ({ errcode: 40013, errmsg: 'invalid appid' }));
    const cache = createNaiveTokenCache({ fetchToken: source.fetchToken, now: Date.now });
    await expect(cache.get()).rejects.toEqual(new AccessTokenError(40013));
    expect(cache.cached).toBeNull();
  });
});
