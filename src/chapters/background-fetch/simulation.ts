/**
 * The 周期性更新 vs 数据预拉取 simulator: one clock over ten days, five lanes.
 * The WeChat client fetches every 12 hours on its own, with only appid,
 * token and timestamp, and stops when the user has not used the mini program
 * for 7 days; a cold start makes the WeChat server fetch once, with the
 * page's path, query and scene, racing the code package. WeChat's rules are
 * `world/wechat/background-fetch.ts`; the developer server answers as the
 * companion's route does (`./world.ts`).
 */
import type { AnyMachineSnapshot, SnapshotFrom } from 'xstate';
import { choiceControl, clockControl, effectBuilder, flagControl, stateMeta, userControl } from '../../kit/engine/controls.ts';
import { defineSimulation, type Control, type Finding, type HolderRow, type WorldView } from '../../kit/engine/definition.ts';
import { DAY, HOUR, MINUTE, SIMULATION_EPOCH } from '../../world/support/clock.ts';
import {
  CHECK_SESSION_DOC,
  GET_FETCH_DATA_DOC,
  IOS_TIMESTAMP_FIXED_IN,
  MAX_FETCHED_BYTES,
  ON_FETCH_DATA_DOC,
  PERIODIC_DOC,
  PERIODIC_INTERVAL_MS,
  PRE_FETCH_DOC,
  RECENT_USE_WINDOW_MS,
  SET_FETCH_TOKEN_DOC,
  periodicEligible,
  periodicRequest,
  preFetchRequest,
  reportedTimeStamp,
  type CachedFetch,
  type FetchRequest,
  type FetchType,
} from '../../world/wechat/background-fetch.ts';
import { DEMO_APP, DEMO_USER } from '../../world/simulated-world.ts';
// 朋友圈单页模式 is the share chapter's rule; its 禁用能力列表 names 周期性更新.
import { SCENE_TIMELINE_SINGLE_PAGE, SHARE_TIMELINE_DOC } from '../../world/wechat/share.ts';
import { MINIPROGRAM, SERVER } from '../shared/code-files.ts';
import {
  backgroundFetchMachine,
  type BackgroundFetchEffect,
  type BackgroundFetchEvent,
  type BackgroundFetchMachine,
  type Entrance,
  type PreRead,
} from './machine.ts';
import {
  answerBody,
  identifyCaller,
  createBackgroundFetchWorld,
  ENTRANCES,
  FAST_ANSWER_MS,
  FETCH_TOKEN_LIFETIME_MS,
  issueFetchToken,
  PACKAGE_DOWNLOAD_MS,
  SLOW_ANSWER_MS,
  summarise,
  type BackgroundFetchWorld,
  type Caller,
  type Reading,
  type RequestRecord,
  type WeChatBuild,
} from './world.ts';
import { LANES, USER_PHONE } from '../shared/lanes.ts';

const ENDPOINT = '/api/background-fetch';

type Snapshot = SnapshotFrom<BackgroundFetchMachine>;

/** `第 2 天 21:00`: days since the clock started, Beijing time of day. */
export function dayTime(at: number): string {
  const day = Math.floor((at - SIMULATION_EPOCH) / DAY);
  const time = new Date(at + 8 * HOUR).toISOString().slice(11, 16);
  return `第 ${day} 天 ${time}`;
}

/** How old cached data is, in the words a page would show. */
export function ageOf(now: number, at: number): string {
  const age = now - at;
  if (age < MINUTE) return '刚刚';
  if (age < HOUR) return `${Math.floor(age / MINUTE)} 分钟前`;
  if (age < DAY) return `${Math.floor(age / HOUR)} 小时前`;
  return `${Math.floor(age / DAY)} 天 ${Math.floor((age % DAY) / HOUR)} 小时前`;
}

const queryOf = (request: FetchRequest) => {
  const { fetchType: _kind, ...fields } = request;
  return fields;
};

/** (Re)plan the client's next periodic fetch `after` ms from now; an earlier plan is dropped. */
function planPeriodic(world: BackgroundFetchWorld, after: number): void {
  world.periodicGeneration += 1;
  const generation = world.periodicGeneration;
  world.periodicPlanned = true;
  world.scheduler.schedule({
    after,
    lane: 'client',
    label: '微信客户端周期性拉取',
    run: ({ world: w, snapshot }) => (generation === w.periodicGeneration ? periodicTick(w, inUse(snapshot)) : undefined),
  });
}

/** The mini program is on screen (the machine's onScreen states), the user using it; otherwise the phone is in their pocket. */
const inUse = (snapshot: AnyMachineSnapshot) => snapshot.hasTag('onScreen');

/** The user used the mini program at `now`: what the client's 7-day rule counts from. */
function markUsed(world: BackgroundFetchWorld, now: number): void {
  world.cache.lastUsedAt = now;
  world.uses.push(now);
}

function periodicTick(world: BackgroundFetchWorld, using: boolean): BackgroundFetchEvent {
  const now = world.clock.now();
  // On screen now is used now, however long ago it was opened (the reader may move the clock days on meanwhile).
  if (using) markUsed(world, now);
  if (!periodicEligible(now, world.cache.lastUsedAt)) {
    world.periodicPlanned = false;
    world.wire.record({
      from: 'client',
      to: 'client',
      label: '不再周期性拉取',
      tone: 'error',
      note: `上次使用是${dayTime(world.cache.lastUsedAt)}，已超过 7 天：只有“用户七天内使用过的小程序”才会周期性更新`,
    });
    return { type: 'client.periodicStopped' };
  }
  const request = periodicRequest(DEMO_APP.appid, world.cache.token, now);
  world.wire.record({
    from: 'client',
    to: 'developer',
    label: `GET ${ENDPOINT}/periodic`,
    payload: queryOf(request),
    note: world.running ? '微信客户端发的，小程序在不在前台都一样' : '微信客户端发的：用户没有打开小程序',
  });
  const caller = identifyCaller(world, request);
  const answer = { user: caller.user, body: answerBody(world, request, caller.user) };
  const stored = world.cache.store('periodic', answer.body, null, now, now);
  world.requests.push({ request, from: 'client', at: now, running: world.running, user: answer.user, bytes: answer.body.length, stored });
  world.wire.record({
    from: 'developer',
    to: 'client',
    label: `200 · ${sizeWords(answer.body.length)}`,
    payload: answer.body.length > MAX_FETCHED_BYTES ? { 大小: sizeWords(answer.body.length) } : { body: answer.body },
    tone: stored === 'cached' ? 'normal' : 'error',
    note:
      stored === 'cached'
        ? `${callerWords(caller)}；存进 periodic 缓存`
        : '超过 256 KB：微信不缓存这次的数据（小程序会不会收到错误，文档没写）',
  });
  // "以上一次成功更新的时间为准"; after a failure the docs name no retry time, so this waits 12 hours too.
  planPeriodic(world, PERIODIC_INTERVAL_MS);
  return { type: 'client.periodicFetched', cached: stored === 'cached' };
}

/** Whom the developer server answered, and why it could not tell when it could not. */
function callerWords(caller: Caller): string {
  if (caller.user) return `凭 token 认出${DEMO_USER.nickname}`;
  // Every token the client holds is one the server issued: one it cannot use has expired.
  const why = caller.expired ? `token 已过期（有效 ${FETCH_TOKEN_LIFETIME_MS / DAY} 天）` : '没有 token';
  return `${why}：认不出是谁，只给公共数据`;
}

const sizeWords = (bytes: number) => (bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} 字节`);

/** What a read looks like on this phone: the data as the page would use it, with timeStamp as the phone reports it. */
function readPayload(slot: CachedFetch, build: WeChatBuild) {
  return {
    fetchedData: summarise(slot.fetchedData),
    timeStamp: reportedTimeStamp(slot.receivedAt, build.platform, build.version),
    ...(slot.entry ? { path: slot.entry.path, query: slot.entry.query, scene: slot.entry.scene } : {}),
  };
}

const READ_WORDS: Record<PreRead, string> = {
  fresh: '这次冷启动的新数据',
  stale: '旧数据：之前打开时拉到的',
  failed: 'fail：请求没结束，本地也没有旧数据（Android）',
  empty: 'success，但 fetchedData 为空（iOS）',
  notCalled: '没有调用 getBackgroundFetchData',
};

const effect = effectBuilder<BackgroundFetchWorld, BackgroundFetchMachine>();

const effects: Record<BackgroundFetchEffect, ReturnType<typeof effect>> = {
  sendPreFetch: effect('wechat', '微信服务器向开发者服务器预拉取', async (world, snapshot) => {
    const now = world.clock.now();
    const entrance = snapshot.context.entrance ?? 'recent';
    const entry = ENTRANCES[entrance];
    world.entry = { path: entry.path, query: entry.query, scene: entry.scene };
    world.running = true;
    world.cache.listeners = 0;
    markUsed(world, now);
    world.page = null;
    world.lastStart = 'cold';
    if (!world.periodicPlanned) planPeriodic(world, PERIODIC_INTERVAL_MS);
    // "未设置 TOKEN 时由微信侧预生成" a code; token and code are never both there.
    const token = world.cache.token;
    const credential = token !== null ? { token } : { code: world.wechat.issueLoginCode(DEMO_APP.appid, DEMO_USER.id) };
    const request = preFetchRequest(DEMO_APP.appid, credential, world.entry, now);
    world.wire.record({
      from: 'wechat',
      to: 'developer',
      label: `GET ${ENDPOINT}/pre`,
      payload: queryOf(request),
      note:
        (token !== null ? '冷启动：微信服务器带着页面的 path、query、scene 来拉' : '还没设置过 token：微信服务器生成一个 code 带上') +
        (world.entry?.scene === SCENE_TIMELINE_SINGLE_PAGE ? '。单页模式下会不会预拉取，文档没写，模拟器照常发' : ''),
    });
    world.cache.preSentAt = now;
    const answer = identifyCaller(world, request);
    if (request.code !== undefined) {
      world.wire.record({
        from: 'developer',
        to: 'wechat',
        label: 'GET /sns/jscode2session',
        payload: { appid: DEMO_APP.appid, secret: '（服务器环境变量）', js_code: request.code, grant_type: 'authorization_code' },
        secrets: ['secret'],
        note: '像登录一样用 code 换 openid 和 session_key',
      });
      world.wire.record({
        from: 'wechat',
        to: 'developer',
        label: 'openid + session_key',
        payload: { openid: answer.user, session_key: world.server.sessionKey },
        secrets: ['session_key'],
        tone: answer.rotated ? 'error' : 'normal',
        note: answer.rotated ? 'session_key 换了一把：登录时存的那把作废' : 'session_key 没变',
      });
    }
    const record: RequestRecord = { request, from: 'wechat', at: now, running: true, user: answer.user, bytes: 0, stored: null };
    world.requests.push(record);
    world.cache.preInFlightSince = now;
    const slow = world.settings.slowServer;
    world.scheduler.schedule({
      after: slow ? SLOW_ANSWER_MS : FAST_ANSWER_MS,
      lane: 'developer',
      label: '开发者服务器回应预拉取',
      run: ({ world: w }) => {
        const arrived = w.clock.now();
        const body = answerBody(w, request, answer.user);
        record.bytes = body.length;
        // A newer cold start's request is the one in flight now; this answer only fills the slot if nothing newer did.
        if (w.cache.preInFlightSince === record.at) w.cache.preInFlightSince = null;
        const stored = w.cache.store('pre', body, { path: request.path, query: request.query, scene: request.scene }, record.at, arrived);
        record.stored = stored;
        w.wire.record({
          from: 'developer',
          to: 'wechat',
          label: `200 · ${sizeWords(body.length)}`,
          payload: body.length > MAX_FETCHED_BYTES ? { 大小: sizeWords(body.length) } : { body },
          note: slow ? `用了 ${SLOW_ANSWER_MS / 1000} 秒` : `用了 ${FAST_ANSWER_MS} 毫秒`,
        });
        w.wire.record({
          from: 'wechat',
          to: 'client',
          label: stored === 'cached' ? '预拉取数据存进 pre 缓存' : '没有缓存',
          tone: stored === 'cached' ? 'normal' : 'error',
          note: stored === 'cached' ? '整个响应体原样缓存' : stored === 'older' ? '缓存里已有更新的数据' : '超过 256 KB：不缓存（小程序会不会收到错误，文档没写）',
        });
        if (stored !== 'cached') {
          w.deliveries.push({ at: arrived, delivery: 'notCached' });
          return { type: 'client.preFetchArrived', delivery: 'notCached' };
        }
        if (w.running && w.cache.listeners > 0) {
          const slot = w.cache.slots.pre!;
          w.page = { slot: 'pre', fetchedData: slot.fetchedData, receivedAt: slot.receivedAt, via: 'listener' };
          w.wire.record({
            from: 'client',
            to: 'miniprogram',
            label: 'onBackgroundFetchData 回调',
            payload: { fetchType: 'pre', ...readPayload(slot, w.settings.build) },
            note: '页面换上新数据',
          });
          w.deliveries.push({ at: arrived, delivery: 'listener' });
          return { type: 'client.preFetchArrived', delivery: 'listener' };
        }
        w.deliveries.push({ at: arrived, delivery: 'unheard' });
        return { type: 'client.preFetchArrived', delivery: 'unheard' };
      },
    });
    return { type: 'wechat.preFetchSent', slow };
  }),

  downloadPackage: effect('client', '微信客户端下载代码包', async (world, _snapshot, { record, schedule }) => {
    record({ from: 'client', to: 'client', label: '下载代码包', note: `和预拉取同时进行；模拟器里下载要 ${PACKAGE_DOWNLOAD_MS / 1000} 秒` });
    schedule({
      after: PACKAGE_DOWNLOAD_MS,
      lane: 'client',
      label: '代码包下载完成',
      run: ({ record: note }) => {
        note({ from: 'client', to: 'miniprogram', label: 'App.onLaunch', payload: { ...(world.entry ?? {}) } });
        return { type: 'client.packageLoaded' };
      },
    });
  }),

  runOnLaunch: effect('miniprogram', 'App.onLaunch 读缓存', async (world) => {
    const { cache, settings } = world;
    const now = world.clock.now();
    const listening = settings.reading !== 'getOnly';
    const inFlight = cache.preInFlightSince !== null;
    if (listening) {
      cache.listeners += 1;
      world.wire.record({
        from: 'miniprogram',
        to: 'client',
        label: 'wx.onBackgroundFetchData(listener)',
        note: inFlight ? '请求还没结束：数据到了会通知' : '这次的请求已经结束：“如果监听时请求已经完成，则事件不会触发”',
        tone: inFlight ? 'normal' : 'error',
      });
    }
    let pre: PreRead = 'notCalled';
    let reported: number | null = null;
    let trueStamp: number | null = null;
    if (settings.reading !== 'listenOnly') {
      world.wire.record({ from: 'miniprogram', to: 'client', label: "wx.getBackgroundFetchData({ fetchType: 'pre' })" });
      const read = cache.read('pre', settings.build.platform);
      if (!read.ok) pre = 'failed';
      else if (read.data === null) pre = 'empty';
      else {
        pre = read.stale ? 'stale' : 'fresh';
        reported = reportedTimeStamp(read.data.receivedAt, settings.build.platform, settings.build.version);
        trueStamp = read.data.receivedAt;
        world.page = { slot: 'pre', fetchedData: read.data.fetchedData, receivedAt: read.data.receivedAt, via: 'get' };
      }
      world.wire.record({
        from: 'client',
        to: 'miniprogram',
        label: read.ok ? 'success' : 'fail',
        payload: read.ok ? (read.data ? readPayload(read.data, settings.build) : { fetchedData: '' }) : { errMsg: read.errMsg },
        tone: pre === 'fresh' ? 'normal' : 'error',
        note: READ_WORDS[pre],
      });
    }
    const scene = world.entry?.scene;
    // 单页模式：周期性更新被禁用，也没有登录态（SHARE_TIMELINE_DOC）
    const singlePage = scene === SCENE_TIMELINE_SINGLE_PAGE;
    if (singlePage) {
      world.wire.record({ from: 'miniprogram', to: 'miniprogram', label: '跳过 periodic', note: '朋友圈单页模式禁用周期性更新：不依赖它' });
    } else {
      world.wire.record({ from: 'miniprogram', to: 'client', label: "wx.getBackgroundFetchData({ fetchType: 'periodic' })" });
      const periodic = cache.read('periodic', settings.build.platform);
      world.wire.record({
        from: 'client',
        to: 'miniprogram',
        label: periodic.ok ? 'success' : 'fail',
        payload: periodic.ok && periodic.data ? readPayload(periodic.data, settings.build) : periodic.ok ? { fetchedData: '' } : { errMsg: periodic.errMsg },
        note: periodic.ok && periodic.data ? `periodic 缓存，${ageOf(now, periodic.data.receivedAt)}拉到的` : 'periodic 缓存是空的',
      });
      if (world.page === null && periodic.ok && periodic.data) {
        world.page = { slot: 'periodic', fetchedData: periodic.data.fetchedData, receivedAt: periodic.data.receivedAt, via: 'get' };
      }
    }
    const listenerAfterCompletion = listening && !inFlight;
    world.reads.push({ at: now, pre, platform: settings.build.platform, listenerAfterCompletion, reportedTimeStamp: reported, trueTimeStamp: trueStamp, scene: scene ?? null, periodicRead: !singlePage });
    if (settings.setToken && singlePage) {
      world.wire.record({ from: 'miniprogram', to: 'miniprogram', label: '不登录，不设 token', note: '单页模式没有登录态，wx.login 不可用：换不到专用 token' });
    } else if (settings.setToken) {
      world.wire.record({ from: 'miniprogram', to: 'developer', label: `POST ${ENDPOINT}/token`, payload: { Authorization: 'Bearer <登录态>' }, note: '登录之后换一个专用的 token' });
      const token = issueFetchToken(world);
      world.wire.record({ from: 'developer', to: 'miniprogram', label: '200', payload: { token } });
      const set = cache.setToken(token);
      if (set.ok) world.tokenSets.push(now);
      world.wire.record({ from: 'miniprogram', to: 'client', label: 'wx.setBackgroundFetchToken({ token })', note: '跟着下一次请求走，这一次的预拉取已经发出去了' });
    }
    return { type: 'mp.launchRead', pre, listening };
  }),

  showAgain: effect('client', '热启动：小程序回到前台', async (world) => {
    markUsed(world, world.clock.now());
    world.lastStart = 'hot';
    if (!world.periodicPlanned) planPeriodic(world, PERIODIC_INTERVAL_MS);
    world.wire.record({ from: 'client', to: 'miniprogram', label: 'App.onShow', note: '热启动：没有预拉取，也没有新的 onLaunch' });
    return { type: 'mp.shown' };
  }),

  endProcess: effect('client', '微信结束小程序', async (world) => {
    world.running = false;
    world.cache.listeners = 0;
    world.wire.record({ from: 'client', to: 'miniprogram', label: '（微信内部）结束小程序', note: '下次打开是冷启动' });
    return { type: 'client.processEnded' };
  }),
};

const user = userControl<BackgroundFetchEvent>;

export const openControl = (entrance: Entrance) => `open-${entrance}`;

const READING_LABELS: Record<Reading, { id: string; label: string; hint: string }> = {
  both: { id: 'read-both', label: 'getBackgroundFetchData + onBackgroundFetchData', hint: '先注册监听，再读一次，按 timeStamp 取新的（官方只说“建议和 wx.onBackgroundFetchData 配合使用”）' },
  getOnly: { id: 'read-get-only', label: '只调 getBackgroundFetchData', hint: '只读一次，不注册监听：请求没结束时只能拿到旧数据、fail 或空数据' },
  listenOnly: { id: 'read-listen-only', label: '只注册 onBackgroundFetchData', hint: '只注册监听，不读：请求已经结束时，监听永远不会触发' },
};

export const readingControl = (reading: Reading) => READING_LABELS[reading].id;

export const BUILDS: Record<string, { label: string; build: WeChatBuild }> = {
  'phone-android': { label: 'Android', build: { platform: 'android', version: '8.0.50' } },
  'phone-ios-old': { label: `iOS · 微信 8.0.26`, build: { platform: 'ios', version: '8.0.26' } },
  'phone-ios': { label: `iOS · 微信 ${IOS_TIMESTAMP_FIXED_IN}+`, build: { platform: 'ios', version: '8.0.50' } },
};

const choice = choiceControl<BackgroundFetchWorld>;

export const backgroundFetchControls: readonly Control<BackgroundFetchWorld, BackgroundFetchEvent>[] = [
  ...(Object.keys(ENTRANCES) as Entrance[]).map((entrance) => {
    const { label, path, query, scene } = ENTRANCES[entrance];
    return user(openControl(entrance), `从${label}打开`, { type: 'user.opened', entrance }, `冷启动，场景值 ${scene}，path=${path}${query ? `，query=${query}` : ''}`);
  }),
  user('leave', '回到微信', { type: 'user.leftMiniProgram' }, '小程序进入后台，手机放回口袋'),
  user('return', '回到小程序（热启动）', { type: 'user.returned' }, '从后台切回前台：不会预拉取'),
  user('close', '结束小程序', { type: 'user.closedMiniProgram' }, '小程序被销毁（在后台停留太久，或被系统回收）：下次打开是冷启动'),
  ...(Object.keys(READING_LABELS) as Reading[]).map((reading) =>
    choice(readingControl(reading), READING_LABELS[reading].label, `App.onLaunch 里：${READING_LABELS[reading].hint}`, (world) => void (world.settings.reading = reading), (world) => world.settings.reading === reading, 'code'),
  ),
  {
    ...flagControl('set-token', '登录后 setBackgroundFetchToken', 'onLaunch 里向服务器换一个专用 token 交给微信；不设置时，预拉取带 code', (world: BackgroundFetchWorld) => world.settings, 'setToken'),
    actor: 'code',
  },
  ...Object.entries(BUILDS).map(([id, { label, build }]) =>
    choice(id, label, build.platform === 'ios' ? `iPhone，微信 ${build.version}` : 'Android 手机', (world) => void (world.settings.build = build), (world) => world.settings.build === build),
  ),
  flagControl('slow-server', `开发者服务器变慢（${SLOW_ANSWER_MS / 1000} 秒）`, `下一次预拉取要 ${SLOW_ANSWER_MS / 1000} 秒才回应，代码包先下载完`, (world: BackgroundFetchWorld) => world.settings, 'slowServer'),
  flagControl('oversized', '服务器返回 300 KB', '超过 256 KB 的响应微信不缓存', (world: BackgroundFetchWorld) => world.settings, 'oversized'),
  clockControl('plus-12h', `+${PERIODIC_INTERVAL_MS / HOUR} 小时`, PERIODIC_INTERVAL_MS, '周期性更新的间隔：从上一次成功拉取算起'),
  clockControl('plus-1d', '+1 天', DAY, `过一天：周期性更新按 ${PERIODIC_INTERVAL_MS / HOUR} 小时的间隔拉取`),
  clockControl('plus-3d', '+3 天', 3 * DAY, '手机一直在口袋里：看微信客户端自己发请求'),
  clockControl('plus-7d', '+7 天', 7 * DAY, '7 天不用小程序：周期性更新停下'),
];

const APP_TS = `${MINIPROGRAM}/app.ts`;
const PAGE_TS = `${MINIPROGRAM}/pages/background-fetch/background-fetch.ts`;
const READER_TS = `${MINIPROGRAM}/utils/background-fetch.ts`;
const ROUTE_TS = `${SERVER}/routes/background-fetch.ts`;

const states = {
  closed: stateMeta(ROUTE_TS, 'answer'),
  'coldStart.downloading': stateMeta(ROUTE_TS, 'identify', '正在加载小程序…'),
  'coldStart.launching': stateMeta(READER_TS, 'read-both', '正在启动…'),
  showing: stateMeta(PAGE_TS, 'show-slots'),
  background: stateMeta(ROUTE_TS, 'answer'),
  hotStart: stateMeta(APP_TS, 'background-fetch', '正在回到小程序…'),
  closing: stateMeta(APP_TS, 'background-fetch', '正在结束小程序…'),
};

const codeFiles = [APP_TS, READER_TS, PAGE_TS, ROUTE_TS] as const;

function slotRow(world: BackgroundFetchWorld, fetchType: FetchType): HolderRow {
  const slot = world.cache.slots[fetchType];
  const now = world.clock.now();
  return {
    holder: 'client',
    item: `${fetchType} 缓存`,
    value: slot
      ? `${summarise(slot.fetchedData)} · timeStamp ${reportedTimeStamp(slot.receivedAt, world.settings.build.platform, world.settings.build.version)} · ${ageOf(now, slot.receivedAt)}`
      : '空',
  };
}

function view(world: BackgroundFetchWorld, snapshot: Snapshot): WorldView {
  const now = world.clock.now();
  const periodic = world.requests.filter((r) => r.request.fetchType === 'periodic');
  const pre = world.requests.filter((r) => r.request.fetchType === 'pre');
  const last = world.requests.at(-1);
  const windowEnds = world.cache.lastUsedAt + RECENT_USE_WINDOW_MS;
  const holdings: HolderRow[] = [
    { holder: 'user', item: '手机', value: inUse(snapshot) ? '正在用小程序' : '在口袋里' },
    slotRow(world, 'periodic'),
    slotRow(world, 'pre'),
    { holder: 'client', item: 'BackgroundFetchToken', value: world.cache.token ? `${world.cache.token.slice(0, 12)}…` : '未设置' },
    { holder: 'client', item: '上次使用', value: dayTime(world.cache.lastUsedAt) },
    { holder: 'client', item: '周期性更新', value: world.periodicPlanned ? `每 12 小时一次；${dayTime(windowEnds)} 前再不打开就停止` : '已停止（7 天没用）' },
    { holder: 'developer', item: '收到的请求', value: `周期性 ${periodic.length} 次 · 预拉取 ${pre.length} 次` },
    {
      holder: 'developer',
      item: '最近一次',
      value: last ? `${last.from === 'client' ? '微信客户端' : '微信服务器'} · ${dayTime(last.at)} · ${Object.keys(queryOf(last.request)).join('、')}` : '（还没有）',
    },
    { holder: 'developer', item: 'session_key', value: world.server.rotations > 0 ? `被 code 刷新过 ${world.server.rotations} 次` : '登录时存的那把', secret: true },
    {
      holder: 'miniprogram',
      item: '页面用的数据',
      value: world.page ? `${world.page.slot} 缓存 · ${summarise(world.page.fetchedData)} · ${ageOf(now, world.page.receivedAt)}拉到` : '（没有缓存可用）',
    },
    { holder: 'miniprogram', item: '数据从哪来', value: world.page ? (world.page.via === 'listener' ? 'onBackgroundFetchData' : 'getBackgroundFetchData') : '—' },
  ];
  const read = world.reads.at(-1);
  if (read) holdings.push({ holder: 'miniprogram', item: "读 'pre' 的结果", value: READ_WORDS[read.pre] });

  const findings: Finding[] = [];
  const delivery = world.deliveries.at(-1);
  const running = snapshot.context.coldStarts > 0 && !snapshot.matches('closed');
  if (running && read && delivery && delivery.at > read.at && delivery.delivery === 'unheard') {
    findings.push({
      level: 'danger',
      title: '新数据到了，页面看不到',
      detail: 'getBackgroundFetchData 不会等请求结束；没有注册 wx.onBackgroundFetchData，这次预拉取到的数据只能等下次冷启动才读得到。',
      href: GET_FETCH_DATA_DOC,
    });
  }
  if (running && read?.listenerAfterCompletion && read.pre === 'notCalled') {
    findings.push({
      level: 'danger',
      title: '监听注册晚了，永远不会触发',
      detail: '请求在 onLaunch 之前就结束了，“如果监听时请求已经完成，则事件不会触发”。只监听不读，页面什么也拿不到：监听和 getBackgroundFetchData 要一起用。',
      href: ON_FETCH_DATA_DOC,
    });
  }
  if (running && read && (read.pre === 'failed' || read.pre === 'empty')) {
    findings.push({
      level: 'warning',
      title: read.pre === 'failed' ? 'Android：fail' : 'iOS：success，但 fetchedData 为空',
      detail: '请求还没结束，本地也没有旧数据。页面要能处理“没有数据”，别直接解构 fetchedData；新数据要靠 onBackgroundFetchData。',
      href: GET_FETCH_DATA_DOC,
    });
  }
  if (running && read?.pre === 'stale') {
    findings.push({
      level: 'warning',
      title: '先拿到的是旧数据',
      detail: '请求还没结束，getBackgroundFetchData 先返回上一次冷启动拉到的数据。看 timeStamp 判断新旧，再等 onBackgroundFetchData。',
      href: GET_FETCH_DATA_DOC,
    });
  }
  if (read?.reportedTimeStamp !== null && read?.reportedTimeStamp !== undefined && read.reportedTimeStamp !== read.trueTimeStamp) {
    findings.push({
      level: 'warning',
      title: `iOS 微信 ${IOS_TIMESTAMP_FIXED_IN} 以前，timeStamp 有异常`,
      detail: `文档写的是毫秒，并注明“iOS 时间戳存在异常，${IOS_TIMESTAMP_FIXED_IN} 修复”，没说异常是什么。官方示例在 iPhone 上把它乘以 1000，看来当时给的是秒。模拟器让这些版本也报秒：如果仍按毫秒计算，数据看上去就像是 1970 年拉到的。`,
      href: GET_FETCH_DATA_DOC,
    });
  }
  if (world.server.rotations > 0) {
    findings.push({
      level: 'warning',
      title: '用 code 预拉取，刷新了 session_key',
      detail: '没设置 token 时预拉取带 code；服务器拿它换登录态，微信可能发一把新的 session_key，登录时存的那把随即失效。服务器要像登录时一样存下新的 session_key，详见小程序登录一章「wx.checkSession 与 session_key 轮换」一节。',
      href: CHECK_SESSION_DOC,
    });
  }
  if (world.requests.some((r) => r.stored === 'notCacheable')) {
    findings.push({
      level: 'danger',
      title: '响应超过 256 KB，没有缓存',
      detail: '响应体必须是不超过 256 KB 的字符串，否则“无法缓存数据”。小程序这边会不会收到错误，文档没写。',
      href: PERIODIC_DOC,
    });
  }
  if (!world.periodicPlanned) {
    findings.push({
      level: 'warning',
      title: '7 天没用，周期性更新停了',
      detail: '只有用户七天内使用过的小程序才会周期性更新。打开一次，微信客户端就会重新开始。',
      href: PERIODIC_DOC,
    });
  }
  if (running && world.entry?.scene === SCENE_TIMELINE_SINGLE_PAGE) {
    findings.push({
      level: 'warning',
      title: '朋友圈单页模式（1154）禁用周期性更新',
      detail: '单页模式的禁用能力列表里有周期性更新：这时别指望 periodic 缓存。页面也没有登录态，wx.login 不可用，设不了专用 token。',
      href: SHARE_TIMELINE_DOC,
    });
  }
  const pending = world.requests.filter((r) => r.request.fetchType === 'pre' && r.stored === null);
  if (world.tokenSets.length > 0 && pending.length === 0 && world.requests.at(-1)?.request.token === undefined && snapshot.matches('showing')) {
    findings.push({
      level: 'warning',
      title: 'token 跟着下一次请求走',
      detail: 'setBackgroundFetchToken 之前发出的请求不会带它；下一次周期性更新或冷启动的预拉取才带上。',
      href: SET_FETCH_TOKEN_DOC,
    });
  }
  if (snapshot.matches('showing') && world.lastStart === 'hot') {
    findings.push({
      level: 'warning',
      title: '热启动：没有预拉取',
      detail: '数据预拉取只在冷启动时发生。从后台切回来，页面用的还是之前的数据，要新数据得自己请求。',
      href: PRE_FETCH_DOC,
    });
  }
  return { holdings, findings };
}

export const backgroundFetchSimulation = defineSimulation<BackgroundFetchMachine, BackgroundFetchWorld>({
  flow: 'background-fetch',
  title: '周期性更新 vs 数据预拉取',
  machine: backgroundFetchMachine,
  lanes: [
    LANES.user,
    LANES.client,
    LANES.wechat,
    LANES.developer,
    LANES.miniprogram,
  ],
  phones: [USER_PHONE],
  timeScale: 'days',
  effects,
  createWorld: (scheduler) => {
    const world = createBackgroundFetchWorld(scheduler);
    planPeriodic(world, PERIODIC_INTERVAL_MS);
    return world;
  },
  controls: backgroundFetchControls,
  view,
  states,
  codeFiles,
});
