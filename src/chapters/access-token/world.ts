/**
 * The access_token chapter's world: WeChat's token registry (the shared
 * WeChatServer model), two business servers' memory caches, one shared store
 * with a lock, the responses still on the network, and a ledger of every
 * fetch and every API call, from which the view and the tests read what
 * happened. Nothing here decides WeChat's rules; they are WeChatServer's.
 */
import { HOUR, MINUTE, VirtualClock } from '../../world/support/clock.ts';
import { seededRandom, seedFrom } from '../../world/support/random.ts';
import { silentWire, type Recorder } from '../../world/support/wire.ts';
import type { AccessTokenResponse } from '../../world/wechat/access-token-issuer.ts';
import { WeChatServer } from '../../world/wechat/wechat-server.ts';
import type { CachedAccessToken } from '../../world/developer/access-token.ts';
import { DEMO_APP } from '../../world/simulated-world.ts';
import type { ServerId, Strategy } from './machine.ts';

/** "建议1小时": how often the 中控 refreshes on its own (https://developers.weixin.qq.com/doc/oplatform/developers/dev/AccessToken.html). */
export const HUB_REFRESH_EVERY_MS = HOUR;
/**
 * 示例值, not an official figure: the 公众号 table lists 2000 a day for getAccessToken
 * (https://developers.weixin.qq.com/doc/service/en/Message_Management/API_Call_Limits.html); for mini
 * programs the real number is what `POST /cgi-bin/openapi/quota/get` answers
 * (https://developers.weixin.qq.com/doc/service/api/apimanage/api_getapiquota, which applies to mini programs too).
 */
export const EXAMPLE_DAILY_TOKEN_QUOTA = 2000;
/** How far ahead of expiry a server refreshes when 提前刷新 is on: stable_token guarantees at least this much left. */
export const REFRESH_AHEAD_MS = 5 * MINUTE;
export const HERD_CALLERS = 100;

export type Fetcher = ServerId | 'hub' | 'ops';
export type Endpoint = 'token' | 'stable';

export interface FetchRecord {
  by: Fetcher;
  strategy: Strategy;
  endpoint: Endpoint;
  token: string;
  at: number;
  /**
   * The token generation this fetch replaces: the shared store's last token under a shared design,
   * else the token the server was refused with or found expired; null for the very first.
   */
  replacing: string | null;
  forced?: boolean;
}

export interface CallRecord {
  by: ServerId;
  strategy: Strategy;
  /** Every fix on: a design with one refresher or stable_token, refresh ahead, retry once. */
  fixesOn: boolean;
  token: string;
  errcode: number;
  at: number;
  /** The second attempt of retry-once. */
  retry: boolean;
}

interface Flight {
  response: AccessTokenResponse;
  replacing: string | null;
  waited: boolean;
}

export interface TokenWorld {
  clock: VirtualClock;
  wire: Recorder;
  wechat: WeChatServer;
  /** The design actually deployed (the machine's context holds what the reader chose). */
  strategy: Strategy;
  switches: { refreshAhead: boolean; retryOnce: boolean; slow: Record<ServerId, boolean> };
  memory: Record<ServerId, CachedAccessToken | null>;
  /** `last`: the latest token ever written, which a refresh replaces even after the entry was dropped. */
  store: { entry: CachedAccessToken | null; lockOwner: Fetcher | null; last: string | null };
  flights: Record<ServerId, Flight | null>;
  /** The token a server's current call was rejected with, until its refresh lands. */
  rejectedWith: Record<ServerId, string | null>;
  /**
   * A token a server just fetched or read for the call in progress: that call uses it whatever its
   * expiry says, as the provider does (stable_token may answer with exactly the 300 s a refresh-ahead
   * margin rejects, and re-fetching would only get the same token back).
   */
  justFetched: Record<ServerId, boolean>;
  fetches: FetchRecord[];
  calls: CallRecord[];
  /** When someone outside the servers invalidated the token on purpose (the leak drill). */
  invalidations: number[];
  /** Times a response landed in the shared store on top of a newer token. */
  lateOverwrites: { stale: string; over: string; at: number }[];
  herds: { strategy: Strategy; singleFlight: boolean; callers: number; fetches: number }[];
  /** Ledger lengths when the current design was deployed: the findings speak of this design only. */
  deployedAt: { calls: number; overwrites: number; herds: number };
  /** Short names for tokens in the order WeChat issued them: T1, T2… for /cgi-bin/token, S1… for stable_token. */
  names: Map<string, string>;
}

export function createTokenWorld(): TokenWorld {
  const clock = new VirtualClock();
  const wechat = new WeChatServer({ clock, random: seededRandom(seedFrom('access-token')) });
  wechat.registerApp({ ...DEMO_APP });
  return {
    clock,
    wire: silentWire,
    wechat,
    strategy: 'naive',
    switches: { refreshAhead: false, retryOnce: false, slow: { a: false, b: false } },
    memory: { a: null, b: null },
    store: { entry: null, lockOwner: null, last: null },
    flights: { a: null, b: null },
    rejectedWith: { a: null, b: null },
    justFetched: { a: false, b: false },
    fetches: [],
    calls: [],
    invalidations: [],
    lateOverwrites: [],
    herds: [],
    deployedAt: { calls: 0, overwrites: 0, herds: 0 },
    names: new Map(),
  };
}

export function tokenName(world: TokenWorld, token: string | null | undefined): string {
  if (!token) return '（无）';
  return world.names.get(token) ?? '（未知）';
}

/** Issue order, for telling an older token from a newer one. */
export function issueOrder(world: TokenWorld, token: string): number {
  return [...world.names.keys()].indexOf(token);
}

/** One upstream call to WeChat, named and logged; the caller records the arrows. */
export function fetchUpstream(world: TokenWorld, by: Fetcher, endpoint: Endpoint, replacing: string | null, forced = false): AccessTokenResponse {
  const credentials = { grant_type: 'client_credential', appid: DEMO_APP.appid, secret: DEMO_APP.secret };
  const response = endpoint === 'token' ? world.wechat.token(credentials) : world.wechat.stableToken({ ...credentials, force_refresh: forced });
  if ('access_token' in response) {
    if (!world.names.has(response.access_token)) {
      const prefix = endpoint === 'token' ? 'T' : 'S';
      const count = [...world.names.values()].filter((name) => name.startsWith(prefix)).length;
      world.names.set(response.access_token, `${prefix}${count + 1}`);
    }
    world.fetches.push({ by, strategy: world.strategy, endpoint, token: response.access_token, at: world.clock.now(), replacing, ...(forced ? { forced } : {}) });
  }
  return response;
}

/** Upstream fetches of /cgi-bin/token since the start of the (Beijing) day, for the quota row. */
export function tokenFetchesToday(world: TokenWorld): number {
  const beijingDay = (t: number) => Math.floor((t + 8 * HOUR) / (24 * HOUR));
  const today = beijingDay(world.clock.now());
  return world.fetches.filter((f) => f.endpoint === 'token' && beijingDay(f.at) === today).length;
}

/** Write the shared store: the only way it changes, so `last` always names the generation in use. */
export function writeStore(world: TokenWorld, entry: CachedAccessToken): void {
  world.store.entry = entry;
  world.store.last = entry.token;
}

export function fixesOn(world: TokenWorld): boolean {
  return world.strategy !== 'naive' && world.strategy !== 'shared' && world.switches.refreshAhead && world.switches.retryOnce;
}

export function startFlight(world: TokenWorld, server: ServerId, response: AccessTokenResponse, replacing: string | null): void {
  world.flights[server] = { response, replacing, waited: false };
}
