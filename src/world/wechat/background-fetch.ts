/**
 * 周期性更新 and 数据预拉取 on WeChat's side: what the WeChat client sends
 * every 12 hours, what the WeChat server sends at a cold start, what the
 * client caches from the answer, and what `wx.getBackgroundFetchData` /
 * `wx.onBackgroundFetchData` give the mini program while a request is still
 * out. Each rule is a constant below with its official page.
 *
 * - 周期性更新: https://developers.weixin.qq.com/miniprogram/dev/framework/ability/background-fetch.html
 * - 数据预拉取: https://developers.weixin.qq.com/miniprogram/dev/framework/ability/pre-fetch.html
 * - the read APIs: https://developers.weixin.qq.com/miniprogram/dev/api/storage/background-fetch/wx.getBackgroundFetchData.html ,
 *   https://developers.weixin.qq.com/miniprogram/dev/api/storage/background-fetch/wx.onBackgroundFetchData.html
 *
 * Where the docs are silent (when the first periodic fetch happens, when a
 * failed one is retried, what an empty cache answers when nothing is in
 * flight), the choice is named here and the chapter says it is ours.
 */
import { DAY, HOUR } from '../support/clock.ts';
import { compareVersions } from './base-library.ts';

export const PERIODIC_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/ability/background-fetch.html';
export const PRE_FETCH_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/framework/ability/pre-fetch.html';
export const GET_FETCH_DATA_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api/storage/background-fetch/wx.getBackgroundFetchData.html';
export const ON_FETCH_DATA_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api/storage/background-fetch/wx.onBackgroundFetchData.html';
export const SET_FETCH_TOKEN_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api/storage/background-fetch/wx.setBackgroundFetchToken.html';
/** wx.checkSession names 数据预拉取 among the operations that may refresh session_key. */
export const CHECK_SESSION_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api/open-api/login/wx.checkSession.html';
export const PERIODIC_DEVTOOLS_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/devtools/periodic-data.html';
export const PRE_FETCH_DEVTOOLS_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/devtools/prefetch-data.html';

/** "每隔 12 小时（以上一次成功更新的时间为准）" (PERIODIC_DOC). */
export const PERIODIC_INTERVAL_MS = 12 * HOUR;
/** "生效条件：用户七天内使用过的小程序" (PERIODIC_DOC). */
export const RECENT_USE_WINDOW_MS = 7 * DAY;
/** The body "应为字符串，且大小应不超过 256KB"，否则将无法缓存数据 (both pages). */
export const MAX_FETCHED_BYTES = 256 * 1024;
/** setBackgroundFetchToken: "自定义的登录态。上限 1024 字符" (SET_FETCH_TOKEN_DOC). */
export const MAX_FETCH_TOKEN_LENGTH = 1024;
/** timeStamp: "客户端拿到缓存数据的时间戳 ms。(iOS 时间戳存在异常，8.0.27 修复)" (GET_FETCH_DATA_DOC); the official demo multiplies iOS values by 1000. */
export const IOS_TIMESTAMP_FIXED_IN = '8.0.27';

/** The query each kind of request carries (PERIODIC_DOC, PRE_FETCH_DOC): periodic knows nothing of the page. */
export const PERIODIC_QUERY_KEYS = ['appid', 'token', 'timestamp'] as const;
export const PRE_FETCH_QUERY_KEYS = ['appid', 'token', 'code', 'timestamp', 'path', 'query', 'scene', 'customMiniprogramVersion'] as const;

/** The two kinds, as wx.getBackgroundFetchData's fetchType names them; each has its own switch and address in the admin console. */
export const FETCH_TYPES = ['periodic', 'pre'] as const;
export type FetchType = (typeof FETCH_TYPES)[number];
export type Platform = 'android' | 'ios';

/** Where the user opened the mini program from: the pre-fetch request carries all three. */
export interface Entry {
  path: string;
  query: string;
  scene: number;
}

/** The credential WeChat attaches: the token the mini program set, else (pre-fetch only) a code WeChat generated. */
export type Credential = { token: string } | { code: string } | null;

export interface PeriodicRequest {
  fetchType: 'periodic';
  appid: string;
  token?: string;
  timestamp: number;
}

export interface PreFetchRequest extends Entry {
  fetchType: 'pre';
  appid: string;
  /** "参数中 token 和 code 只会存在一个" (PRE_FETCH_DOC). */
  token?: string;
  code?: string;
  timestamp: number;
}

export type FetchRequest = PeriodicRequest | PreFetchRequest;

export function periodicRequest(appid: string, token: string | null, now: number): PeriodicRequest {
  return { fetchType: 'periodic', appid, ...(token !== null ? { token } : {}), timestamp: now };
}

export function preFetchRequest(appid: string, credential: Credential, entry: Entry, now: number): PreFetchRequest {
  return { fetchType: 'pre', appid, ...(credential ?? {}), timestamp: now, path: entry.path, query: entry.query, scene: entry.scene };
}

/** The GET's query string, urlencoded as WeChat sends it. */
export function toQueryString(request: FetchRequest): string {
  const { fetchType: _kind, ...fields } = request;
  return new URLSearchParams(Object.entries(fields).map(([key, value]) => [key, String(value)])).toString();
}

/** Whether WeChat caches an answer at all: a string of at most 256 KB (UTF-8). */
export function isCacheable(body: unknown): body is string {
  if (typeof body !== 'string') return false;
  // A UTF-16 unit is 1 to 3 UTF-8 bytes, so only lengths in between need encoding: replaying a
  // chapter's history re-checks every oversized answer, and encoding 300 KB each time was most of it.
  if (body.length > MAX_FETCHED_BYTES) return false;
  if (body.length * 3 <= MAX_FETCHED_BYTES) return true;
  return new TextEncoder().encode(body).byteLength <= MAX_FETCHED_BYTES;
}

/** What `timeStamp` reads as on this phone: seconds on iOS before WeChat 8.0.27, milliseconds otherwise. */
export function reportedTimeStamp(ms: number, platform: Platform, wechatVersion: string): number {
  return platform === 'ios' && compareVersions(wechatVersion, IOS_TIMESTAMP_FIXED_IN) < 0 ? Math.floor(ms / 1000) : ms;
}

/** Periodic fetches run only for mini programs the user used within the last seven days. */
export function periodicEligible(now: number, lastUsedAt: number): boolean {
  return now - lastUsedAt <= RECENT_USE_WINDOW_MS;
}

export interface CachedFetch {
  fetchedData: string;
  /** The entry a pre-fetch was made for; periodic data knows no page. */
  entry: Entry | null;
  /** When the client got it, in true milliseconds (what the phone reports may differ, see reportedTimeStamp). */
  receivedAt: number;
  /** When the request that brought it was sent: an older request never overwrites newer data. */
  requestedAt: number;
}

export type StoreResult = 'cached' | 'notCacheable' | 'older';

export type FetchRead =
  /** `stale`: pre data from an earlier start (this start's request is still out, or its answer was not cached). */
  | { ok: true; data: CachedFetch; stale: boolean }
  /** iOS, request in flight, nothing cached: success, but fetchedData is empty. */
  | { ok: true; data: null; stale: false }
  | { ok: false; errMsg: string };

/**
 * The documented text says only `fail`; the full errMsg is not published, so
 * this is ours, and the chapter does not quote it as WeChat's.
 */
export const FETCH_DATA_FAIL = 'getBackgroundFetchData:fail';

/**
 * The WeChat client's background-fetch state for one mini program on one
 * phone: the two cache slots, the token, the request in flight, the
 * listeners registered since this launch, and when the user last used it.
 */
export class BackgroundFetchCache {
  readonly slots: Record<FetchType, CachedFetch | null> = { periodic: null, pre: null };
  token: string | null = null;
  /** When the pre-fetch of this cold start was sent, until its answer arrives. */
  preInFlightSince: number | null = null;
  /** When the latest pre-fetch was sent: pre data from an earlier request is the previous start's. */
  preSentAt: number | null = null;
  /** Listeners registered with wx.onBackgroundFetchData in this run of the mini program. */
  listeners = 0;
  lastUsedAt: number;

  constructor(lastUsedAt: number) {
    this.lastUsedAt = lastUsedAt;
  }

  /**
   * wx.setBackgroundFetchToken: kept for the next request, whichever kind comes first. The docs give the
   * 1024-character limit but no failure text, and say nothing of an empty token (refused here as no token
   * at all): the errMsg is ours and says so.
   */
  setToken(token: string): { ok: true } | { ok: false; errMsg: string } {
    if (token.length === 0 || token.length > MAX_FETCH_TOKEN_LENGTH) {
      return { ok: false, errMsg: `setBackgroundFetchToken:fail token 不能为空，也不能超过 ${MAX_FETCH_TOKEN_LENGTH} 个字符（模拟器自拟，非官方原文）` };
    }
    this.token = token;
    return { ok: true };
  }

  /**
   * Store an answer. Nothing is cached unless it is a string ≤ 256 KB, and an
   * answer to an older request never replaces data from a newer one.
   */
  store(fetchType: FetchType, body: unknown, entry: Entry | null, requestedAt: number, now: number): StoreResult {
    if (!isCacheable(body)) return 'notCacheable';
    const current = this.slots[fetchType];
    if (current && current.requestedAt > requestedAt) return 'older';
    this.slots[fetchType] = { fetchedData: body, entry, receivedAt: now, requestedAt };
    return 'cached';
  }

  /**
   * wx.getBackgroundFetchData: "若当次请求未结束，会先返回本地的旧数据……如果本地没有旧数据，安卓上会返回fail……
   * iOS上会返回success但fetchedData为空" — it never waits for the request.
   */
  read(fetchType: FetchType, platform: Platform): FetchRead {
    const slot = this.slots[fetchType];
    const inFlight = fetchType === 'pre' && this.preInFlightSince !== null;
    if (slot) return { ok: true, data: slot, stale: fetchType === 'pre' && this.preSentAt !== null && slot.requestedAt < this.preSentAt };
    if (inFlight && platform === 'ios') return { ok: true, data: null, stale: false };
    return { ok: false, errMsg: FETCH_DATA_FAIL };
  }
}
