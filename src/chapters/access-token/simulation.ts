/**
 * The access_token simulator: two business servers, a shared store / 中控
 * and WeChat, no phone. WeChat's token rules are the shared WeChatServer
 * model (a /cgi-bin/token fetch leaves the previous token five minutes of
 * grace; stable_token hands everyone the same token); the thundering herd
 * really runs the companion's provider (single-flight, shared-store lock)
 * against the naive cache, and counts what reaches WeChat.
 */
import type { SnapshotFrom } from 'xstate';
import { clockControl, effectBuilder, flagControl, stateMeta, userControl } from '../../kit/engine/controls.ts';
import {
  defineSimulation,
  type Control,
  type EffectSpec,
  type Finding,
  type HolderRow,
  type Recorder,
  type Scheduler,
  type StateMeta,
  type WorldView,
} from '../../kit/engine/definition.ts';
import { HOUR, MINUTE } from '../../world/support/clock.ts';
import { createAccessTokenProvider, type CachedAccessToken, type SharedTokenStore, type TokenFetchResult } from '../../world/developer/access-token.ts';
import { createNaiveTokenCache } from '../../world/developer/token-cache.ts';
import { describeErrcode } from '../../world/wechat/errors.ts';
import type { AccessTokenResponse } from '../../world/wechat/access-token-issuer.ts';
import { SERVER } from '../shared/code-files.ts';
import {
  accessTokenMachine,
  STRATEGIES,
  usesStore,
  type AccessTokenEffect,
  type AccessTokenEvent,
  type AccessTokenMachine,
  type ServerId,
  type Strategy,
} from './machine.ts';
import {
  createTokenWorld,
  EXAMPLE_DAILY_TOKEN_QUOTA,
  fetchUpstream,
  HERD_CALLERS,
  HUB_REFRESH_EVERY_MS,
  issueOrder,
  REFRESH_AHEAD_MS,
  fixesOn,
  startFlight,
  tokenFetchesToday,
  writeStore,
  tokenName,
  type Endpoint,
  type Fetcher,
  type TokenWorld,
} from './world.ts';
import { ACCESS_TOKEN_DOC, QUOTA_DOC, STABLE_TOKEN_CALLS } from '../../world/wechat/access-token-issuer.ts';
import { LANES } from '../shared/lanes.ts';

const LANE: Record<ServerId, string> = { a: 'server-a', b: 'server-b' };
const SERVER_LABEL: Record<ServerId, string> = { a: '服务器 A', b: '服务器 B' };
const HUB = 'hub';
const WECHAT = LANES.wechat.id;

export const STRATEGY_LABEL: Record<Strategy, string> = {
  naive: '各自 GET /cgi-bin/token',
  shared: '共享存储（无锁）',
  locked: '共享存储 + 锁 + 双重检查',
  hub: '中控服务器',
  stable: '各自 stable_token',
};

export interface AccessTokenWorld extends TokenWorld {
  /** Lets scheduled events (the 中控's hourly refresh) plan the next one. */
  scheduler: Scheduler<AccessTokenWorld, AccessTokenEvent>;
  /** Bumped by every redeploy, so a refresh planned for an earlier 中控 does nothing. */
  deployment: number;
}

type Snapshot = SnapshotFrom<AccessTokenMachine>;

const clockText = (t: number) =>
  new Date(t + 8 * HOUR).toISOString().slice(11, 19);

const ENDPOINT_LABEL: Record<Endpoint, string> = { token: 'GET /cgi-bin/token', stable: 'POST /cgi-bin/stable_token' };

function endpointOf(strategy: Strategy): Endpoint {
  return strategy === 'stable' ? 'stable' : 'token';
}

/** What a server would use now: its own memory, or the shared store. */
function heldBy(world: AccessTokenWorld, server: ServerId): CachedAccessToken | null {
  return usesStore(world.strategy) ? world.store.entry : world.memory[server];
}

/** The server's own judgement from the expiry it was told: WeChat may think otherwise. */
function looksUsable(world: AccessTokenWorld, entry: CachedAccessToken | null): entry is CachedAccessToken {
  const margin = world.switches.refreshAhead ? REFRESH_AHEAD_MS : 0;
  return entry !== null && entry.expiresAt - world.clock.now() > margin;
}

function errcodeFor(world: AccessTokenWorld, token: string): number {
  const status = world.wechat.accessTokenStatus(token).state;
  if (status === 'valid' || status === 'grace') return 0;
  return status === 'expired' ? 42001 : 40001;
}

/** The wire arrows of an upstream fetch, plus notes WeChat's clock will deliver: the token's expiry and the grace it gave the previous one. */
function fetchWithNotes(
  world: AccessTokenWorld,
  record: Recorder['record'],
  by: Fetcher,
  lane: string,
  endpoint: Endpoint,
  replacing: string | null,
  forced = false,
): AccessTokenResponse {
  const before = new Set(world.names.keys());
  record({
    from: lane,
    to: WECHAT,
    label: forced ? 'POST /cgi-bin/stable_token（force_refresh）' : ENDPOINT_LABEL[endpoint],
    payload: { appid: 'wx8a1b…', secret: '（服务器环境变量）' },
    secrets: ['secret'],
  });
  const response = fetchUpstream(world, by, endpoint, replacing, forced);
  if (!('access_token' in response)) throw new Error(`WeChat refused the fetch: ${response.errcode}`);
  const token = response.access_token;
  const fresh = !before.has(token);
  record({
    from: WECHAT,
    to: lane,
    label: `access_token（${tokenName(world, token)}）`,
    payload: { access_token: token, expires_in: response.expires_in },
    secrets: ['access_token'],
    note: fresh ? `新签发，expires_in ${response.expires_in}` : `和上次是同一个 token，还剩 ${response.expires_in} 秒`,
  });
  if (fresh) planNotes(world, token, lane, response.expires_in * 1000);
  return response;
}

function planNotes(world: AccessTokenWorld, token: string, lane: string, lifetimeMs: number): void {
  const name = tokenName(world, token);
  world.scheduler.schedule({
    after: lifetimeMs,
    lane: WECHAT,
    label: `${name} 到期`,
    run: ({ world: w, record }) => {
      if (w.wechat.accessTokenStatus(token).state === 'expired') record({ from: WECHAT, to: lane, label: `${name} 到期，此后 42001` });
    },
  });
  // Whatever this fetch pushed into the grace window: it dies when the window ends.
  for (const other of world.names.keys()) {
    const status = world.wechat.accessTokenStatus(other);
    if (other === token || status.state !== 'grace' || status.until !== world.clock.now() + 5 * MINUTE) continue;
    const otherName = tokenName(world, other);
    world.scheduler.schedule({
      after: 5 * MINUTE,
      lane: WECHAT,
      label: `${otherName} 宽限期结束`,
      run: ({ record }) => record({ from: WECHAT, to: lane, label: `${otherName} 宽限期结束，此后 40001`, tone: 'error' }),
    });
  }
}

const effect = effectBuilder<AccessTokenWorld, AccessTokenMachine>();

function callApi(server: ServerId) {
  return effect(LANE[server], `${SERVER_LABEL[server]} 调用业务接口`, async (world, snapshot, { record }) => {
    const lane = LANE[server];
    const entry = heldBy(world, server);
    if (usesStore(world.strategy)) {
      record({ from: lane, to: HUB, label: '读 access_token' });
      if (entry) record({ from: HUB, to: lane, label: tokenName(world, entry.token), payload: { access_token: entry.token }, secrets: ['access_token'] });
    }
    const justFetched = world.justFetched[server];
    world.justFetched[server] = false;
    if (!entry || (!justFetched && !looksUsable(world, entry))) return { type: 'server.needsToken', server };
    const retry = snapshot.context.retried[server];
    record({
      from: lane,
      to: WECHAT,
      label: 'POST /cgi-bin/message/subscribe/send',
      payload: { access_token: entry.token },
      secrets: ['access_token'],
      note: `带着 ${tokenName(world, entry.token)}${retry ? '（重试）' : ''}`,
    });
    const errcode = errcodeFor(world, entry.token);
    world.calls.push({ by: server, strategy: world.strategy, fixesOn: fixesOn(world), token: entry.token, errcode, at: world.clock.now(), retry });
    if (errcode === 0) {
      world.rejectedWith[server] = null;
      record({ from: WECHAT, to: lane, label: 'errcode 0' });
      return { type: 'server.apiSucceeded', server };
    }
    record({ from: WECHAT, to: lane, label: `errcode ${errcode}`, tone: 'error', note: describeErrcode(errcode) });
    // Drop what WeChat refused, from wherever this server keeps it (a shared store only if it still holds this one).
    if (usesStore(world.strategy)) {
      if (world.store.entry?.token === entry.token) world.store.entry = null;
    } else if (world.memory[server]?.token === entry.token) world.memory[server] = null;
    world.rejectedWith[server] = entry.token;
    if (world.switches.retryOnce && !retry) return { type: 'server.tokenRejected', server, errcode };
    return { type: 'server.apiRejected', server, errcode };
  });
}

function requestToken(server: ServerId) {
  return effect(LANE[server], `${SERVER_LABEL[server]} 获取新 token`, async (world, _snapshot, { record }) => {
    const lane = LANE[server];
    const replacing = usesStore(world.strategy) ? world.store.last : (world.rejectedWith[server] ?? world.memory[server]?.token ?? null);
    if (usesStore(world.strategy)) {
      const entry = world.store.entry;
      if (looksUsable(world, entry)) {
        record({ from: lane, to: HUB, label: '读 access_token' });
        record({ from: HUB, to: lane, label: tokenName(world, entry.token), payload: { access_token: entry.token }, secrets: ['access_token'], note: '别人已经刷新好了' });
        world.justFetched[server] = true;
        return { type: 'server.tokenShared', server };
      }
      if (world.strategy !== 'shared') {
        const owner = world.store.lockOwner;
        if (owner !== null && owner !== server) {
          record({ from: lane, to: HUB, label: world.strategy === 'hub' ? '请求中控刷新' : 'SET lock NX', note: '锁被占用' });
          record({ from: HUB, to: lane, label: world.strategy === 'hub' ? '正在刷新，请稍等' : '加锁失败', note: '等它写回' });
          return { type: 'server.lockBusy', server };
        }
        // Under the 中控 it is the 中控 that refreshes, on this server's request.
        world.store.lockOwner = world.strategy === 'hub' ? 'hub' : server;
        record({
          from: lane,
          to: HUB,
          label: world.strategy === 'hub' ? '请求中控刷新（被动刷新接口）' : 'SET lock NX',
          note: '拿到锁后再读一次：仍然没有可用的 token',
        });
      }
    }
    const fetcherLane = world.strategy === 'hub' ? HUB : lane;
    const response = fetchWithNotes(world, record, world.strategy === 'hub' ? 'hub' : server, fetcherLane, endpointOf(world.strategy), replacing);
    startFlight(world, server, response, replacing);
    return { type: 'server.tokenRequested', server };
  });
}

function waitForLock(server: ServerId) {
  return effect(LANE[server], `${SERVER_LABEL[server]} 再看一眼共享存储`, async (world, _snapshot, { record }) => {
    const lane = LANE[server];
    const entry = world.store.entry;
    record({ from: lane, to: HUB, label: '读 access_token' });
    if (looksUsable(world, entry)) {
      record({ from: HUB, to: lane, label: tokenName(world, entry.token), payload: { access_token: entry.token }, secrets: ['access_token'], note: '持锁的一方已写回' });
      world.justFetched[server] = true;
      return { type: 'server.tokenShared', server };
    }
    const owner = world.store.lockOwner;
    if (owner !== null && owner !== server) {
      record({ from: HUB, to: lane, label: '还没有', note: '锁仍被占用' });
      return { type: 'server.lockBusy', server };
    }
    return { type: 'server.needsToken', server };
  });
}

function deliverResponse(server: ServerId) {
  return effect(LANE[server], `${SERVER_LABEL[server]} 的 token 响应到达`, async (world, _snapshot, { record }) => {
    const lane = LANE[server];
    const flight = world.flights[server];
    if (!flight || !('access_token' in flight.response)) throw new Error(`no response in flight for ${server}`);
    if (world.switches.slow[server] && !flight.waited) {
      flight.waited = true;
      return { type: 'server.stillInTransit', server };
    }
    const { access_token: token, expires_in: expiresIn } = flight.response;
    const entry = { token, expiresAt: world.clock.now() + expiresIn * 1000 };
    world.flights[server] = null;
    world.rejectedWith[server] = null;
    world.justFetched[server] = true;
    if (!usesStore(world.strategy)) {
      world.memory[server] = entry;
      return { type: 'server.tokenReceived', server };
    }
    const previous = world.store.entry;
    const overwrote = previous !== null && previous.token !== token && issueOrder(world, previous.token) > issueOrder(world, token);
    const writer = world.strategy === 'hub' ? HUB : lane;
    if (writer === lane) {
      record({
        from: lane,
        to: HUB,
        label: `SET access_token = ${tokenName(world, token)}`,
        payload: { access_token: token },
        secrets: ['access_token'],
        ...(overwrote
          ? { tone: 'danger' as const, note: `覆盖了更新的 ${tokenName(world, previous.token)}：${tokenName(world, token)} 已在宽限期里；宽限期一过，读共享存储的服务器再调用接口都会收到 40001` }
          : {}),
      });
    } else {
      record({ from: HUB, to: lane, label: tokenName(world, token), payload: { access_token: token }, secrets: ['access_token'], note: '中控写入共享存储后返回' });
    }
    if (overwrote) world.lateOverwrites.push({ stale: token, over: previous.token, at: world.clock.now() });
    writeStore(world, entry);
    if (world.store.lockOwner === (world.strategy === 'hub' ? 'hub' : server)) world.store.lockOwner = null;
    return { type: 'server.tokenReceived', server };
  });
}

/** The world's shared store as the provider's SharedTokenStore port, owned by server A for the herd. */
function storePort(world: AccessTokenWorld): SharedTokenStore {
  return {
    read: async () => world.store.entry,
    write: async (entry) => writeStore(world, entry),
    lock: async () => {
      if (world.store.lockOwner !== null) return false;
      world.store.lockOwner = 'a';
      return true;
    },
    unlock: async () => void (world.store.lockOwner === 'a' && (world.store.lockOwner = null)),
    drop: async (token) => void (world.store.entry?.token === token && (world.store.entry = null)),
  };
}

function hubRefresh(world: AccessTokenWorld, record: Recorder['record'], deployment: number): void {
  if (world.deployment !== deployment || world.strategy !== 'hub') return;
  const response = fetchWithNotes(world, record, 'hub', HUB, 'token', world.store.last);
  if ('access_token' in response) writeStore(world, { token: response.access_token, expiresAt: world.clock.now() + response.expires_in * 1000 });
  world.scheduler.schedule({
    after: HUB_REFRESH_EVERY_MS,
    lane: HUB,
    label: '中控定时刷新',
    run: ({ world: w, record: r }) => hubRefresh(w, r, deployment),
  });
}

const effects: Record<AccessTokenEffect, EffectSpec<AccessTokenWorld, AccessTokenMachine>> = {
  applyStrategy: effect(HUB, '按新方案重新部署', async (world, snapshot, { record }) => {
    world.strategy = snapshot.context.strategy;
    world.deployment += 1;
    world.memory = { a: null, b: null };
    world.store = { entry: null, lockOwner: null, last: null };
    world.flights = { a: null, b: null };
    world.rejectedWith = { a: null, b: null };
    world.justFetched = { a: false, b: false };
    world.deployedAt = { calls: world.calls.length, overwrites: world.lateOverwrites.length, herds: world.herds.length };
    record({ from: HUB, to: LANE.a, label: `部署：${STRATEGY_LABEL[world.strategy]}`, note: '两台服务器重启，内存缓存清空' });
    if (world.strategy === 'hub') hubRefresh(world, record, world.deployment);
    return { type: 'world.strategyApplied' };
  }),
  callApiA: callApi('a'),
  callApiB: callApi('b'),
  requestTokenA: requestToken('a'),
  requestTokenB: requestToken('b'),
  waitForLockA: waitForLock('a'),
  waitForLockB: waitForLock('b'),
  deliverResponseA: deliverResponse('a'),
  deliverResponseB: deliverResponse('b'),

  serveHerd: effect(LANE.a, `服务器 A 同时处理 ${HERD_CALLERS} 个请求`, async (world, _snapshot, { record }) => {
    const singleFlight = world.strategy === 'locked' || world.strategy === 'hub';
    const endpoint = endpointOf(world.strategy);
    const fetcher: Fetcher = world.strategy === 'hub' ? 'hub' : 'a';
    let fetches = 0;
    const fetchToken = async (): Promise<TokenFetchResult> => {
      // An answer takes a round trip: every caller that checks the cache before it lands sees it empty.
      await Promise.resolve();
      fetches += 1;
      return fetchUpstream(world, fetcher, endpoint, usesStore(world.strategy) ? world.store.last : null);
    };
    const now = () => world.clock.now();
    // A restarted process: its memory is empty, the shared store (if any) is not.
    world.memory.a = null;
    const cache = singleFlight
      ? createAccessTokenProvider({ fetchToken, now, shared: storePort(world) })
      : createNaiveTokenCache({ fetchToken, now });
    const before = new Set(world.names.keys());
    await Promise.all(Array.from({ length: HERD_CALLERS }, () => cache.get()));
    const final = cache.cached;
    if (!final) throw new Error('the herd ended without a token');
    if (usesStore(world.strategy)) writeStore(world, final);
    else world.memory.a = final;
    const issued = [...world.names.keys()].filter((token) => !before.has(token));
    const alive = issued.filter((token) => world.wechat.accessTokenStatus(token).state !== 'revoked');
    if (fetches > 0) {
      record({
        from: LANE.a,
        to: WECHAT,
        label: `${ENDPOINT_LABEL[endpoint]} × ${fetches}`,
        payload: { appid: 'wx8a1b…', secret: '（服务器环境变量）' },
        secrets: ['secret'],
        tone: fetches > 1 ? 'error' : 'normal',
        note: singleFlight ? '合并并发获取（single-flight）：只有第一个请求去取，其余等它' : '每个请求都看到缓存为空，各自去取',
      });
      record({
        from: WECHAT,
        to: LANE.a,
        label: `access_token × ${fetches}`,
        payload: { access_token: final.token },
        secrets: ['access_token'],
        note: `签发了 ${issued.length} 个不同的 token，此刻还能用的有 ${alive.length} 个`,
      });
      planNotes(world, final.token, LANE.a, final.expiresAt - world.clock.now());
    }
    world.herds.push({ strategy: world.strategy, singleFlight, callers: HERD_CALLERS, fetches });
    const bToken = world.memory.b?.token;
    const killedOthers = bToken !== undefined && world.wechat.accessTokenStatus(bToken).state === 'revoked';
    return { type: 'server.herdServed', callers: HERD_CALLERS, fetches, killedOthers };
  }),

  revokeToken: effect(HUB, '运维让泄露的 token 失效', async (world, _snapshot, { record }) => {
    if (world.strategy === 'stable') {
      fetchWithNotes(world, record, 'ops', HUB, 'stable', null, true);
    } else {
      // One fetch only moves the leaked token into its 5-minute grace; the second kills it.
      fetchWithNotes(world, record, 'ops', HUB, 'token', null);
      fetchWithNotes(world, record, 'ops', HUB, 'token', null);
    }
    world.invalidations.push(world.clock.now());
    return { type: 'wechat.tokenRevoked' };
  }),
};

const user = userControl<AccessTokenEvent>;

const strategyControls = STRATEGIES.map((strategy) =>
  user(`use-${strategy}`, STRATEGY_LABEL[strategy], { type: 'user.choseStrategy', strategy }, '换方案会重新部署：两台服务器的缓存清空'),
);

export const accessTokenControls: readonly Control<AccessTokenWorld, AccessTokenEvent>[] = [
  user('call-a', '服务器 A 调用接口', { type: 'user.called', server: 'a' }, '服务器 A 用它的 access_token 调一次业务接口（如发订阅消息）'),
  user('call-b', '服务器 B 调用接口', { type: 'user.called', server: 'b' }, '服务器 B 用它的 access_token 调一次业务接口'),
  user('herd', `${HERD_CALLERS} 个并发请求`, { type: 'user.startedHerd' }, `服务器 A 刚重启、内存缓存为空，同时来了 ${HERD_CALLERS} 个请求`),
  user('revoke', '泄露应急', { type: 'user.revokedToken' }, 'token 泄露了：运维让它尽快失效（按本章的模型，/cgi-bin/token 要连取两次；stable_token 用一次 force_refresh）'),
  ...strategyControls,
  flagControl('refresh-ahead', '提前 5 分钟刷新', '切换：离过期不到 5 分钟就当作过期，提前去取', (world: AccessTokenWorld) => world.switches, 'refreshAhead'),
  flagControl('retry-once', '40001/42001 时刷新并重试一次', '切换：被拒时丢掉 token、刷新一次、重试一次，第二次再被拒就报错，绝不循环', (world: AccessTokenWorld) => world.switches, 'retryOnce'),
  flagControl('slow-a', '服务器 A 网络慢', '切换：A 收到微信响应要多等一步', (world: AccessTokenWorld) => world.switches.slow, 'a'),
  flagControl('slow-b', '服务器 B 网络慢', '切换：B 收到微信响应要多等一步', (world: AccessTokenWorld) => world.switches.slow, 'b'),
  clockControl('plus-5m', '+5 分钟', 5 * MINUTE, '宽限期是 5 分钟'),
  clockControl('plus-1h', '+1 小时', HOUR, '「中控服务器」方案里，中控每小时主动刷新一次'),
  clockControl('plus-2h', '+2 小时', 2 * HOUR, 'access_token 的有效期目前是 7200 秒以内，以返回的 expires_in 为准'),
];

const PROVIDER = 'src/world/developer/access-token.ts';
const NAIVE = 'src/world/developer/token-cache.ts';

const states: Record<string, StateMeta> = {
  idle: stateMeta(`${SERVER}/wechat-api.ts`, 'stable-token'),
  configuring: stateMeta(`${SERVER}/app.ts`, 'access-token-provider', '重新部署…'),
  callingA: stateMeta(PROVIDER, 'retry-once', '服务器 A 调用接口…'),
  callingB: stateMeta(PROVIDER, 'retry-once', '服务器 B 调用接口…'),
  fetchingA: stateMeta(PROVIDER, 'single-flight', '服务器 A 取 token…'),
  fetchingB: stateMeta(PROVIDER, 'single-flight', '服务器 B 取 token…'),
  waitingLockA: stateMeta(PROVIDER, 'shared-lock', '服务器 A 等别人刷新…'),
  waitingLockB: stateMeta(PROVIDER, 'shared-lock', '服务器 B 等别人刷新…'),
  inTransitA: stateMeta(NAIVE, 'naive', '服务器 A 等微信响应…'),
  inTransitB: stateMeta(NAIVE, 'naive', '服务器 B 等微信响应…'),
  callSucceeded: stateMeta(PROVIDER, 'retry-once'),
  callFailed: stateMeta(PROVIDER, 'retry-once'),
  herd: stateMeta(NAIVE, 'naive', `${HERD_CALLERS} 个请求…`),
  herdServed: stateMeta(PROVIDER, 'single-flight'),
  revoking: stateMeta(`${SERVER}/wechat-api.ts`, 'stable-token', '让旧 token 失效…'),
  revoked: stateMeta(PROVIDER, 'retry-once'),
};

const codeFiles = [PROVIDER, NAIVE, `${SERVER}/wechat-api.ts`, `${SERVER}/redis-token-store.ts`, `${SERVER}/app.ts`] as const;

function describeHeld(world: AccessTokenWorld, entry: CachedAccessToken | null): string {
  if (!entry) return '（空）';
  const status = world.wechat.accessTokenStatus(entry.token);
  const verdict =
    status.state === 'grace' ? `微信：宽限期至 ${clockText(status.until)}` : status.state === 'valid' ? '微信：有效' : status.state === 'expired' ? '微信：已过期' : '微信：已失效';
  return `${tokenName(world, entry.token)} · 本地记录的到期时间 ${clockText(entry.expiresAt)} · ${verdict}`;
}

function view(world: AccessTokenWorld, snapshot: Snapshot): WorldView {
  const holdings: HolderRow[] = [];
  if (!usesStore(world.strategy)) {
    for (const server of ['a', 'b'] as const) {
      holdings.push({ holder: LANE[server], item: 'access_token（内存）', value: describeHeld(world, world.memory[server]), secret: true });
    }
  }
  holdings.push({ holder: HUB, item: '方案', value: STRATEGY_LABEL[world.strategy] });
  if (usesStore(world.strategy)) {
    holdings.push({ holder: HUB, item: 'access_token（共享）', value: describeHeld(world, world.store.entry), secret: true });
    if (world.strategy !== 'shared') {
      const owner = world.store.lockOwner;
      holdings.push({ holder: HUB, item: '刷新锁', value: owner ? `持有者：${fetcherLabel({ by: owner })}` : '空闲' });
    }
  }
  // WeChat's side: the last few tokens and what WeChat thinks of each: the timeline, newest last.
  for (const token of [...world.names.keys()].slice(-5)) {
    const status = world.wechat.accessTokenStatus(token);
    const text =
      status.state === 'grace'
        ? `宽限期，${clockText(status.until)} 后 40001`
        : status.state === 'valid'
          ? '当前有效'
          : status.state === 'expired'
            ? '已过期（42001）'
            : '已失效（40001）';
    holdings.push({ holder: WECHAT, item: tokenName(world, token), value: text });
  }
  holdings.push({ holder: WECHAT, item: '今日 /cgi-bin/token 调用', value: `${tokenFetchesToday(world)} / ${EXAMPLE_DAILY_TOKEN_QUOTA}（示例值）` });
  const { succeeded, failed } = snapshot.context;
  holdings.push({ holder: WECHAT, item: '业务调用', value: `成功 ${succeeded}，失败 ${failed}` });

  const findings: Finding[] = [];
  const lastRejected = world.calls.slice(world.deployedAt.calls).reverse().find((call) => call.errcode !== 0);
  if (lastRejected) {
    const killer = killerOf(world, lastRejected.token);
    findings.push({
      level: 'danger',
      title: `${SERVER_LABEL[lastRejected.by]} 的 ${tokenName(world, lastRejected.token)} 被拒：errcode ${lastRejected.errcode}`,
      detail:
        lastRejected.errcode === 42001
          ? '到期了。提前刷新（还剩 5 分钟就换）能避免这一次失败。'
          : killer
            ? `它是被另一次获取挤掉的（获取方：${fetcherLabel(killer)}）。官方文档说“重复获取将导致上次获取的 access_token 失效”，只保证新老 token 在 5 分钟内都可用；模拟器让旧 token 在 5 分钟后失效。`
            : '它已被作废。',
      href: ACCESS_TOKEN_DOC,
    });
  }
  const overwrite = world.lateOverwrites.slice(world.deployedAt.overwrites).at(-1);
  if (overwrite) {
    findings.push({
      level: 'danger',
      title: `迟到的响应：${tokenName(world, overwrite.stale)} 覆盖了更新的 ${tokenName(world, overwrite.over)}`,
      detail: '先发出的请求后返回，把一个已在宽限期里的 token 写进了共享存储。加锁让同一时刻只有一方去取，就不会有两个响应互相覆盖。',
      href: ACCESS_TOKEN_DOC,
    });
  }
  const herd = world.herds.slice(world.deployedAt.herds).at(-1);
  if (herd && herd.fetches > 1) {
    findings.push({
      level: 'warning',
      title: `${herd.callers} 个请求 → ${herd.fetches} 次获取`,
      detail:
        herd.strategy === 'stable'
          ? `每次获取都计入频率限制：stable_token 是 ${STABLE_TOKEN_CALLS.perMinute / 10_000} 万次/分钟、${STABLE_TOKEN_CALLS.perDay / 10_000} 万次/天。`
          : `每次获取都消耗每日额度。小程序调用 /cgi-bin/token 的每日额度，我们没有找到官方数字（这里的 ${EXAMPLE_DAILY_TOKEN_QUOTA} 是示例值），真实数字用 /cgi-bin/openapi/quota/get 查询。`,
      href: QUOTA_DOC,
    });
  }
  return { holdings, findings };
}

/** The fetch that started this token's end: the first /cgi-bin/token fetch after it (grace, then 40001). */
function killerOf(world: AccessTokenWorld, token: string) {
  const issued = world.fetches.findIndex((fetch) => fetch.token === token);
  if (issued < 0 || world.fetches[issued]!.endpoint !== 'token') return undefined;
  return world.fetches.slice(issued + 1).filter((fetch) => fetch.endpoint === 'token')[0];
}

function fetcherLabel(fetch: { by: Fetcher }): string {
  return fetch.by === 'hub' ? '中控' : fetch.by === 'ops' ? '运维' : SERVER_LABEL[fetch.by];
}

export const accessTokenSimulation = defineSimulation<AccessTokenMachine, AccessTokenWorld>({
  flow: 'access-token',
  title: 'access_token',
  machine: accessTokenMachine,
  lanes: [
    { id: LANE.a, label: '服务器 A', trust: 'developer' },
    { id: LANE.b, label: '服务器 B', trust: 'developer' },
    { id: HUB, label: '共享存储 / 中控', trust: 'developer' },
    LANES.wechat,
  ],
  phones: [],
  timeScale: 'clock',
  effects,
  createWorld: (scheduler) => Object.assign(createTokenWorld(), { scheduler, deployment: 0 }),
  controls: accessTokenControls,
  view,
  states,
  codeFiles,
});
