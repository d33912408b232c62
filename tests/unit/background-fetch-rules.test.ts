/**
 * WeChat's background-fetch rules as the world enforces them, table by table:
 * what each request carries, what gets cached, what a read returns while a
 * request is out, the token limit, the iOS timestamp unit and the 7-day window.
 */
import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../src/world/support/clock.ts';
import {
  BackgroundFetchCache,
  FETCH_DATA_FAIL,
  isCacheable,
  MAX_FETCH_TOKEN_LENGTH,
  MAX_FETCHED_BYTES,
  PERIODIC_QUERY_KEYS,
  PRE_FETCH_QUERY_KEYS,
  periodicEligible,
  periodicRequest,
  preFetchRequest,
  reportedTimeStamp,
  toQueryString,
  type Platform,
} from '../../src/world/wechat/background-fetch.ts';

const APPID = 'wx8a1b2c3d4e5f6a7b';
const ENTRY = { path: 'pages/background-fetch/background-fetch', query: 'item=42', scene: 1007 };

describe('what each request carries', () => {
  it('periodic: appid, token and timestamp only, and no token before one is set', () => {
    expect(Object.keys(periodicRequest(APPID, 'tok', 5)).filter((k) => k !== 'fetchType')).toEqual(['appid', 'token', 'timestamp']);
    expect(periodicRequest(APPID, null, 5)).not.toHaveProperty('token');
    for (const key of Object.keys(periodicRequest(APPID, 'tok', 5))) expect([...PERIODIC_QUERY_KEYS, 'fetchType']).toContain(key);
  });

  it.each([
    ['a token', { token: 'tok' }, 'token'],
    ['a code when no token was set', { code: 'c0de' }, 'code'],
  ] as const)('pre-fetch with %s: path, query and scene, and exactly one credential', (_name, credential, key) => {
    const request = preFetchRequest(APPID, credential, ENTRY, 7);
    expect(request).toMatchObject({ appid: APPID, timestamp: 7, ...ENTRY, [key]: credential[key as keyof typeof credential] });
    expect(['token', 'code'].filter((k) => k in request)).toEqual([key]);
    for (const field of Object.keys(request)) expect([...PRE_FETCH_QUERY_KEYS, 'fetchType']).toContain(field);
  });

  it('urlencodes the query string as sent', () => {
    const query = toQueryString(preFetchRequest(APPID, { token: 'a+b/c' }, { ...ENTRY, query: 'item=42&from=card' }, 9));
    expect(query).toContain('token=a%2Bb%2Fc');
    expect(new URLSearchParams(query).get('query')).toBe('item=42&from=card');
    expect(query).not.toContain('fetchType');
  });
});

describe('what the client caches', () => {
  it.each([
    ['a short string', 'ok', true],
    ['exactly 256 KB', 'x'.repeat(MAX_FETCHED_BYTES), true],
    ['one byte over', 'x'.repeat(MAX_FETCHED_BYTES + 1), false],
    ['256 K characters of Chinese (768 KB in UTF-8)', '字'.repeat(MAX_FETCHED_BYTES / 3 + 1), false],
    ['Chinese just under the limit (3 bytes a character)', '字'.repeat(Math.floor(MAX_FETCHED_BYTES / 3)), true],
    ['ASCII and one 汉字, exactly 256 KB in UTF-8', `${'x'.repeat(MAX_FETCHED_BYTES - 3)}字`, true],
    ['ASCII and one 汉字, one byte over in UTF-8 though fewer characters', `${'x'.repeat(MAX_FETCHED_BYTES - 2)}字`, false],
    ['an object', { a: 1 }, false],
    ['a number', 42, false],
  ])('%s → %s', (_name, body, cacheable) => {
    expect(isCacheable(body)).toBe(cacheable);
  });

  it('keeps the old data when an answer cannot be cached, and never lets an older request overwrite a newer one', () => {
    const cache = new BackgroundFetchCache(0);
    expect(cache.store('pre', 'new', ENTRY, 20, 25)).toBe('cached');
    expect(cache.store('pre', 'x'.repeat(MAX_FETCHED_BYTES + 1), ENTRY, 30, 31)).toBe('notCacheable');
    expect(cache.store('pre', 'old', ENTRY, 10, 40)).toBe('older');
    expect(cache.slots.pre?.fetchedData).toBe('new');
    expect(cache.slots.periodic).toBeNull();
  });
});

describe('getBackgroundFetchData while a request is out', () => {
  function cacheWith(old: boolean, inFlight: boolean): BackgroundFetchCache {
    const cache = new BackgroundFetchCache(0);
    if (old) cache.store('pre', 'yesterday', ENTRY, 1, 2);
    if (inFlight) {
      cache.preSentAt = 100;
      cache.preInFlightSince = 100;
    }
    return cache;
  }

  it.each<[string, boolean, boolean, Platform, string]>([
    ['old data, request out: the old data, marked stale', true, true, 'android', 'stale'],
    ['old data, request out, iOS: the same', true, true, 'ios', 'stale'],
    ['nothing cached, request out, Android: fail', false, true, 'android', 'fail'],
    ['nothing cached, request out, iOS: success with empty data', false, true, 'ios', 'empty'],
    ['nothing cached, nothing out: fail (the docs are silent; our choice)', false, false, 'ios', 'fail'],
    ['data cached, nothing out: that data', true, false, 'android', 'data'],
  ])('%s', (_name, old, inFlight, platform, expected) => {
    const read = cacheWith(old, inFlight).read('pre', platform);
    const kind = !read.ok ? 'fail' : read.data === null ? 'empty' : read.stale ? 'stale' : 'data';
    expect(kind).toBe(expected);
    if (!read.ok) expect(read.errMsg).toBe(FETCH_DATA_FAIL);
  });
});

describe('setBackgroundFetchToken', () => {
  it.each([
    [1, true],
    [MAX_FETCH_TOKEN_LENGTH, true],
    [MAX_FETCH_TOKEN_LENGTH + 1, false],
    [0, false],
  ])('a token of %i characters: accepted %s', (length, ok) => {
    const cache = new BackgroundFetchCache(0);
    expect(cache.setToken('t'.repeat(length)).ok).toBe(ok);
    expect(cache.token).toBe(ok ? 't'.repeat(length) : null);
  });
});

describe('timeStamp and the 7-day window', () => {
  it.each<[Platform, string, number]>([
    ['android', '8.0.20', 1_700_000_000_123],
    ['ios', '8.0.26', 1_700_000_000],
    ['ios', '8.0.27', 1_700_000_000_123],
    ['ios', '8.0.50', 1_700_000_000_123],
  ])('%s WeChat %s reports %i', (platform, version, reported) => {
    expect(reportedTimeStamp(1_700_000_000_123, platform, version)).toBe(reported);
  });

  it.each([
    [12 * HOUR, true],
    [7 * DAY, true],
    [7 * DAY + 1, false],
    [7 * DAY + 12 * HOUR, false],
  ])('%i ms after the last use: eligible %s', (elapsed, eligible) => {
    expect(periodicEligible(1000 + elapsed, 1000)).toBe(eligible);
  });
});
