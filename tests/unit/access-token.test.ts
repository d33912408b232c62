import { describe, expect, it } from 'vitest';
import { AccessTokenError, createAccessTokenProvider, withAccessToken, type TokenFetchResult } from '../../src/world/developer/access-token.ts';
import { countingUpstream } from '../support/counting-upstream.ts';

const MINUTE = 60_000;

/** A stand-in for stable_token whose replies may be scripted in order, then `T<n>` for 7200 s. */
function fakeUpstream(answers: TokenFetchResult[] = []) {
  return countingUpstream(20, () => answers.shift());
}

function clockAt(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('access_token provider in one process', () => {
  it('serves 100 concurrent callers with exactly one upstream fetch', async () => {
    const upstream = fakeUpstream();
    const tokens = createAccessTokenProvider({ fetchToken: upstream.fetchToken, now: clockAt().now });
    const got = await Promise.all(Array.from({ length: 100 }, () => tokens.get()));
    expect(new Set(got)).toEqual(new Set(['T1']));
    expect(upstream.calls).toBe(1);
    await tokens.get();
    expect(upstream.calls).toBe(1);
  });

  it('refreshes once the token is within the refresh margin of expiry, not before', async () => {
    const upstream = fakeUpstream();
    const clock = clockAt();
    const tokens = createAccessTokenProvider({ fetchToken: upstream.fetchToken, now: clock.now, refreshMarginMs: 5 * MINUTE });
    expect(await tokens.get()).toBe('T1');
    clock.advance(7200_000 - 5 * MINUTE - 1000);
    expect(await tokens.get()).toBe('T1');
    clock.advance(2000);
    const refreshed = await Promise.all(Array.from({ length: 20 }, () => tokens.get()));
    expect(new Set(refreshed)).toEqual(new Set(['T2']));
    expect(upstream.calls).toBe(2);
  });

  it('reports a refusal as an AccessTokenError and tries again on the next call', async () => {
    const upstream = fakeUpstream([{ errcode: -1, errmsg: 'system error' }]);
    const tokens = createAccessTokenProvider({ fetchToken: upstream.fetchToken, now: clockAt().now });
    const failures = await Promise.allSettled([tokens.get(), tokens.get()]);
    expect(failures.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    expect((failures[0] as PromiseRejectedResult).reason).toBeInstanceOf(AccessTokenError);
    expect(upstream.calls).toBe(1);
    expect(await tokens.get()).toBe('T2');
  });

  it.each([40001, 42001])('on %i refreshes once and retries once', async (errcode) => {
    const upstream = fakeUpstream();
    const tokens = createAccessTokenProvider({ fetchToken: upstream.fetchToken, now: clockAt().now });
    const used: string[] = [];
    const result = await withAccessToken(tokens, async (token) => {
      used.push(token);
      return used.length === 1 ? { errcode, errmsg: 'rejected' } : { errcode: 0, errmsg: 'ok' };
    });
    expect(result).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(used).toEqual(['T1', 'T2']);
    expect(upstream.calls).toBe(2);
  });

  it('gives up after one retry when WeChat keeps rejecting the token', async () => {
    const upstream = fakeUpstream();
    const tokens = createAccessTokenProvider({ fetchToken: upstream.fetchToken, now: clockAt().now });
    let calls = 0;
    const result = await withAccessToken(tokens, async () => {
      calls += 1;
      return { errcode: 40001, errmsg: 'invalid credential' };
    });
    expect(result).toEqual({ errcode: 40001, errmsg: 'invalid credential' });
    expect(calls).toBe(2);
    expect(upstream.calls).toBe(2);
  });

  it('does not retry other errors', async () => {
    const upstream = fakeUpstream();
    const tokens = createAccessTokenProvider({ fetchToken: upstream.fetchToken, now: clockAt().now });
    let calls = 0;
    await withAccessToken(tokens, async () => {
      calls += 1;
      return { errcode: 40029, errmsg: 'invalid code' };
    });
    expect(calls).toBe(1);
    expect(upstream.calls).toBe(1);
  });
});
