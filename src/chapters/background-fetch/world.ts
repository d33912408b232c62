/**
 * The background-fetch chapter's world: one phone whose WeChat client keeps
 * the two cache slots (`BackgroundFetchCache`, WeChat's rules), the WeChat
 * server (login codes and session_key, the shared `WeChatServer` model), and
 * a developer server that answers `GET /api/background-fetch/periodic` and `/pre` the way the
 * companion's route does: who asks is known only from the token the mini
 * program set (or from a code, exchanged like a login); without either it
 * answers public data. Ledgers of every request, read and delivery let the
 * view and the tests see what happened.
 */
import type { Scheduler } from '../../kit/engine/definition.ts';
import { DAY, VirtualClock } from '../../world/support/clock.ts';
import { SCENE_TIMELINE_SINGLE_PAGE } from '../../world/wechat/share.ts';
import { randomId, seededRandom, seedFrom, type RandomSource } from '../../world/support/random.ts';
import { silentWire, type Recorder } from '../../world/support/wire.ts';
import {
  BackgroundFetchCache,
  MAX_FETCHED_BYTES,
  type Entry,
  type FetchRequest,
  type Platform,
  type StoreResult,
} from '../../world/wechat/background-fetch.ts';
import { isWeChatError } from '../../world/wechat/errors.ts';
import { WeChatServer } from '../../world/wechat/wechat-server.ts';
import { DEMO_APP, DEMO_USER } from '../../world/simulated-world.ts';
import type { BackgroundFetchEvent, Entrance, PreDelivery, PreRead } from './machine.ts';

/** The companion page the card opens, with the item it shares. */
export const PAGE_PATH = 'pages/background-fetch/background-fetch';

/** Where each entrance lands: scene values from the official scene list (https://developers.weixin.qq.com/miniprogram/dev/reference/scene-list.html). */
export const ENTRANCES: Record<Entrance, Entry & { label: string }> = {
  card: { label: '聊天里的分享卡片', path: PAGE_PATH, query: 'item=42', scene: 1007 },
  recent: { label: '「最近使用」列表', path: 'pages/index/index', query: '', scene: 1001 },
  moments: { label: '朋友圈（单页模式）', path: PAGE_PATH, query: 'item=42', scene: SCENE_TIMELINE_SINGLE_PAGE },
};

/**
 * Simulation choices, not WeChat figures: how long the code package takes
 * to download, and how long the developer server takes to answer.
 */
export const PACKAGE_DOWNLOAD_MS = 1200;
export const FAST_ANSWER_MS = 300;
export const SLOW_ANSWER_MS = 3000;
/** What the reader's "返回 300 KB" fault sends: over the 256 KB WeChat caches. */
export const OVERSIZED_BYTES = 300 * 1024;
/** The fetch token's lifetime: the companion's choice (a week covers the periodic window). */
export const FETCH_TOKEN_LIFETIME_MS = 7 * DAY;

export type Reading = 'both' | 'getOnly' | 'listenOnly';

export interface WeChatBuild {
  platform: Platform;
  /** WeChat's own version: before 8.0.27 iOS's timeStamp had an unnamed 异常; the official demo treats it as seconds, and so does the model. */
  version: string;
}

export interface Settings {
  build: WeChatBuild;
  reading: Reading;
  setToken: boolean;
  slowServer: boolean;
  oversized: boolean;
}

export interface RequestRecord {
  request: FetchRequest;
  /** The lane that sent it: the WeChat client (periodic) or the WeChat server (pre-fetch). */
  from: 'client' | 'wechat';
  at: number;
  /** Whether the mini program was running when it was sent. */
  running: boolean;
  /** Whom the developer server recognised: an openid, or null for public data. */
  user: string | null;
  bytes: number;
  /** What the client did with the answer; null until it arrives. */
  stored: StoreResult | null;
}

export interface ReadRecord {
  at: number;
  pre: PreRead;
  platform: Platform;
  /** The listener was registered after this start's pre-fetch had already arrived. */
  listenerAfterCompletion: boolean;
  /** What the phone reported as the pre slot's timeStamp, and the true milliseconds. */
  reportedTimeStamp: number | null;
  trueTimeStamp: number | null;
  /** The scene of the entry this launch came from, and whether App.onLaunch read the periodic slot. */
  scene: number | null;
  periodicRead: boolean;
}

export interface PageData {
  slot: 'pre' | 'periodic';
  fetchedData: string;
  receivedAt: number;
  via: 'get' | 'listener';
}

export interface BackgroundFetchWorld {
  clock: VirtualClock;
  wire: Recorder;
  random: RandomSource;
  /** Lets scheduled events (a periodic tick) plan the next one. */
  scheduler: Scheduler<BackgroundFetchWorld, BackgroundFetchEvent>;
  wechat: WeChatServer;
  cache: BackgroundFetchCache;
  settings: Settings;
  /** The mini program's process is alive (in front or in the background). */
  running: boolean;
  entry: Entry | null;
  /** Bumped whenever the periodic schedule is replanned, so an outdated tick does nothing. */
  periodicGeneration: number;
  periodicPlanned: boolean;
  /** The developer server: its stored session_key and the fetch tokens it issued. */
  server: { sessionKey: string; fetchTokens: Map<string, { openid: string; expiresAt: number }>; rotations: number };
  requests: RequestRecord[];
  reads: ReadRecord[];
  deliveries: { at: number; delivery: PreDelivery }[];
  /** Every time the user opened the mini program (cold or hot), starting with the use just before the clock starts. */
  uses: number[];
  /** When setBackgroundFetchToken ran, each time. */
  tokenSets: number[];
  page: PageData | null;
  lastStart: 'cold' | 'hot' | null;
}

function login(world: Pick<BackgroundFetchWorld, 'wechat'>): string {
  const code = world.wechat.issueLoginCode(DEMO_APP.appid, DEMO_USER.id);
  const session = world.wechat.jscode2session({ appid: DEMO_APP.appid, secret: DEMO_APP.secret, js_code: code, grant_type: 'authorization_code' });
  if (isWeChatError(session)) throw new Error(`the demo login failed: ${session.errcode}`);
  return session.session_key;
}

/** The user installed the mini program, logged in and used it just before the clock starts. */
export function createBackgroundFetchWorld(scheduler: Scheduler<BackgroundFetchWorld, BackgroundFetchEvent>): BackgroundFetchWorld {
  const clock = new VirtualClock();
  const random = seededRandom(seedFrom('background-fetch'));
  const wechat = new WeChatServer({ clock, random });
  wechat.registerApp({ ...DEMO_APP, openPlatformId: 'open-lab' });
  wechat.registerUser({ ...DEMO_USER });
  const world: BackgroundFetchWorld = {
    clock,
    wire: silentWire,
    random,
    scheduler,
    wechat,
    cache: new BackgroundFetchCache(clock.now()),
    settings: { build: { platform: 'android', version: '8.0.50' }, reading: 'both', setToken: true, slowServer: false, oversized: false },
    running: false,
    entry: null,
    periodicGeneration: 0,
    periodicPlanned: false,
    server: { sessionKey: login({ wechat }), fetchTokens: new Map(), rotations: 0 },
    requests: [],
    reads: [],
    deliveries: [],
    uses: [clock.now()],
    tokenSets: [],
    page: null,
    lastStart: null,
  };
  return world;
}

/** `POST /api/background-fetch/token`: a signed, expiring value of its own, never the login token or session_key. */
export function issueFetchToken(world: BackgroundFetchWorld): string {
  const token = `bft.${randomId(world.random, 24)}`;
  const openid = world.wechat.openid(DEMO_APP.appid, DEMO_USER.id);
  world.server.fetchTokens.set(token, { openid, expiresAt: world.clock.now() + FETCH_TOKEN_LIFETIME_MS });
  return token;
}

export interface Caller {
  /** The openid the developer server recognised, or null: then it answers public data. */
  user: string | null;
  /** The code was exchanged and WeChat answered with a session_key other than the stored one. */
  rotated: boolean;
  /** The token is the server's own, but past its lifetime: why it is nobody. */
  expired: boolean;
}

/**
 * The developer server's `GET /api/background-fetch/periodic` and `/pre`, first half, as the
 * companion route does it: recognise the user by the fetch token, or by
 * exchanging the code like a login (and keeping the new session_key as a
 * login would). A forged or expired token is nobody.
 */
export function identifyCaller(world: BackgroundFetchWorld, request: FetchRequest): Caller {
  if (request.token !== undefined) {
    const known = world.server.fetchTokens.get(request.token);
    const expired = known !== undefined && known.expiresAt <= world.clock.now();
    return { user: known && !expired ? known.openid : null, rotated: false, expired };
  }
  if (request.fetchType !== 'pre' || request.code === undefined) return { user: null, rotated: false, expired: false };
  const session = world.wechat.jscode2session({ appid: DEMO_APP.appid, secret: DEMO_APP.secret, js_code: request.code, grant_type: 'authorization_code' });
  if (isWeChatError(session)) return { user: null, rotated: false, expired: false };
  const rotated = session.session_key !== world.server.sessionKey;
  world.server.sessionKey = session.session_key;
  if (rotated) world.server.rotations += 1;
  return { user: session.openid, rotated, expired: false };
}

/**
 * Second half: the body, built when the server answers. The caller's own
 * data for the page (pre-fetch) or a digest (periodic); public data for
 * nobody, because WeChat caches whatever comes back.
 */
export function answerBody(world: BackgroundFetchWorld, request: FetchRequest, user: string | null): string {
  const generatedAt = world.clock.now();
  const who = user ? DEMO_USER.nickname : '访客';
  const data =
    request.fetchType === 'periodic'
      ? { kind: 'periodic', for: who, digest: user ? '你关注的 3 门课有更新' : '今日热门课程', generatedAt }
      : { kind: 'pre', for: who, path: request.path, query: request.query, item: new URLSearchParams(request.query).get('item'), generatedAt };
  const json = JSON.stringify(data);
  return world.settings.oversized ? json.padEnd(OVERSIZED_BYTES, ' ') : json;
}

/** A one-line summary of cached data for the panels: who it is for and what, never the whole body. */
export function summarise(fetchedData: string): string {
  if (fetchedData.length > MAX_FETCHED_BYTES) return `${Math.round(fetchedData.length / 1024)} KB`;
  try {
    const data = JSON.parse(fetchedData) as { kind?: string; for?: string; digest?: string; item?: string | null };
    if (data.kind === 'periodic') return `给${data.for}：${data.digest}`;
    if (data.kind === 'pre') return data.item ? `给${data.for}：第 ${data.item} 号课程` : `给${data.for}：首页`;
  } catch {
    // Not ours: show its size instead.
  }
  return `${fetchedData.length} 字节`;
}
