/**
 * 周期性更新 vs 数据预拉取: utils/background-fetch.ts (what App.onLaunch
 * runs) and pages/background-fetch. The fake WeChat below keeps the two
 * cache slots and plays the documented race: while this start's request is
 * out, getBackgroundFetchData answers the old data, or fails on Android, or
 * succeeds empty on iOS, and the listener gets the fresh data when it lands.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mp, openPage, startMiniProgram, text, unloadPages } from './harness.ts';

type FetchType = 'periodic' | 'pre';
interface Cached {
  fetchedData: string;
  timeStamp: number;
  path: string;
  query: string;
  scene: number;
}
type Listener = (res: Cached & { fetchType: FetchType }) => void;

const PAGE = 'pages/background-fetch/background-fetch';
const NOW = Date.UTC(2026, 10, 23, 1, 0, 0);

function createFetchWeChat({ platform, scene = 1007, inFlight = false }: { platform: 'android' | 'ios'; scene?: number; inFlight?: boolean }) {
  const calls: string[] = [];
  const slots: Record<FetchType, Cached | null> = { periodic: null, pre: null };
  const listeners: Listener[] = [];
  let requestOut = inFlight;
  const wx = {
    getLaunchOptionsSync: () => ({ scene, path: PAGE, query: { item: '42' } }),
    onBackgroundFetchData: (listener: Listener) => {
      calls.push('onBackgroundFetchData');
      listeners.push(listener);
    },
    getBackgroundFetchData: ({ fetchType, success, fail }: { fetchType: FetchType; success(res: Cached): void; fail(err: { errMsg: string }): void }) => {
      calls.push(`getBackgroundFetchData ${fetchType}`);
      const slot = slots[fetchType];
      if (slot) return success(structuredClone(slot));
      if (fetchType === 'pre' && requestOut && platform === 'ios') return success({ fetchedData: '', timeStamp: 0, path: '', query: '', scene: 0 });
      return fail({ errMsg: 'getBackgroundFetchData:fail' });
    },
  };
  return {
    wx,
    calls,
    slots,
    /** This start's pre-fetch answer lands: WeChat caches it and tells whoever is listening. */
    arrive(fetchedData: string, timeStamp: number) {
      requestOut = false;
      slots.pre = { fetchedData, timeStamp, path: PAGE, query: 'item=42', scene };
      for (const listener of listeners) listener({ fetchType: 'pre', ...structuredClone(slots.pre) });
    },
  };
}

function launch(options: Parameters<typeof createFetchWeChat>[0], prepare?: (wechat: ReturnType<typeof createFetchWeChat>) => void) {
  const wechat = createFetchWeChat(options);
  prepare?.(wechat);
  startMiniProgram(wechat.wx, { serverUrl: 'http://127.0.0.1:1', emulator: null });
  mp<{ startBackgroundFetch(): void }>('utils/background-fetch').startBackgroundFetch();
  return { wechat, page: openPage(PAGE, { item: '42' }) };
}

beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  unloadPages();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('reading the background-fetch cache in App.onLaunch', () => {
  it('listens first, then reads both slots', () => {
    const { wechat } = launch({ platform: 'android' });
    expect(wechat.calls).toEqual(['onBackgroundFetchData', 'getBackgroundFetchData pre', 'getBackgroundFetchData periodic']);
  });

  it('shows the old data while the request is out, then the fresh data the listener hands over', () => {
    const { wechat, page } = launch({ platform: 'android', inFlight: true }, (w) => {
      w.slots.pre = { fetchedData: '{"item":"41"}', timeStamp: NOW - 3 * 3600_000, path: PAGE, query: 'item=41', scene: 1007 };
    });
    expect(text(page, '#data-pre')).toBe('{"item":"41"}');
    expect(text(page, '#slot-pre')).toContain('3 小时前');
    wechat.arrive('{"item":"42"}', NOW);
    expect(text(page, '#data-pre')).toBe('{"item":"42"}');
    expect(text(page, '#slot-pre')).toContain('onBackgroundFetchData');
    expect(text(page, '#slot-pre')).toContain('pages/background-fetch/background-fetch?item=42（场景值 1007）');
  });

  it.each(['android', 'ios'] as const)('%s, nothing cached and the request out: the page shows no data and does not crash, then the listener fills it', (platform) => {
    const { wechat, page } = launch({ platform, inFlight: true });
    expect(text(page, '#slot-pre')).toBe('还没有缓存');
    wechat.arrive('{"item":"42"}', NOW);
    expect(text(page, '#data-pre')).toBe('{"item":"42"}');
  });

  it('reads an iOS timeStamp in seconds (WeChat before 8.0.27) as the same moment', () => {
    const { page } = launch({ platform: 'ios' }, (w) => {
      w.slots.periodic = { fetchedData: 'digest', timeStamp: Math.floor((NOW - 2 * 3600_000) / 1000), path: '', query: '', scene: 0 };
    });
    expect(text(page, '#slot-periodic')).toContain('2 小时前');
    expect(mp<{ toMilliseconds(t: number): number }>('utils/background-fetch').toMilliseconds(1_700_000_000)).toBe(1_700_000_000_000);
  });

  it('does not read the periodic slot in single-page mode (1154)', () => {
    const { wechat } = launch({ platform: 'android', scene: 1154 });
    expect(wechat.calls).toEqual(['onBackgroundFetchData', 'getBackgroundFetchData pre']);
  });

  it('never lets an older answer replace newer data', () => {
    const { wechat, page } = launch({ platform: 'android', inFlight: true }, (w) => {
      w.slots.pre = { fetchedData: 'today', timeStamp: NOW, path: PAGE, query: 'item=42', scene: 1007 };
    });
    wechat.arrive('yesterday', NOW - 86_400_000);
    expect(text(page, '#data-pre')).toBe('today');
  });
});
