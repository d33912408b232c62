/**
 * The 打开 App simulator: one phone with a native App, WeChat and the mini
 * program on it. The WeChat client's flag lives in the world
 * (`LaunchAppState`) and follows the shared scene rule; the machine only
 * hears what WeChat reports, so a model test can check the one against the
 * other.
 */
import type { SnapshotFrom } from 'xstate';
import { VirtualClock } from '../../world/support/clock.ts';
import { silentWire, type Recorder } from '../../world/support/wire.ts';
import {
  checkAppLaunch,
  ENTRANCES,
  ERAS,
  gateOf,
  INVALID_SCENE,
  LAUNCH_APP_DOC,
  LAUNCH_MINI_PROGRAM_DOC,
  LaunchAppState,
  MINIPROGRAM_TYPES,
  SCENE_FROM_APP,
  SCENE_NAMES,
  SDK_PRESETS,
  UNLISTED_APP_DAILY_LIMIT,
  type LaunchAppEra,
  type LaunchRefusal,
  type MiniProgramAccount,
  type NativeApp,
  type TapResult,
  type TicketChange,
} from '../../world/wechat/launch-app.ts';
import { launchAppMachine, type LaunchAppEffect, type LaunchAppEvent, type LaunchAppMachine } from './machine.ts';
import { choiceControl, effectTable, stateMeta, toggleControl, userControl } from '../../kit/engine/controls.ts';
import { defineSimulation, type Control, type EffectPlace, type Finding, type HolderRow, type WorldView } from '../../kit/engine/definition.ts';
import { MINIPROGRAM } from '../shared/code-files.ts';
import { LANES, USER_PHONE } from '../shared/lanes.ts';

/** What the page's button carries; the App reads it back as `extMsg`. */
export const APP_PARAMETER = 'lesson=42';
/** The page the App asks WeChat to open. */
export const LAUNCH_PATH = 'pages/launch-app/launch-app';

export const DEMO_NATIVE_APP: NativeApp = {
  appId: 'wxa0b1c2d3e4f5a6b7',
  name: '学习 App',
  certified: true,
  openPlatformId: 'open-lab',
  userName: 'gh_0a1b2c3d4e5f',
  inStore: true,
};

export const DEMO_MINI_PROGRAM: MiniProgramAccount = {
  appid: 'wx8a1b2c3d4e5f6a7b',
  userName: 'gh_0a1b2c3d4e5f',
  openPlatformId: 'open-lab',
};

/** The App's userName when the reader arms the wrong-原始ID fault: the mini program's appid, a common mix-up. */
const WRONG_USER_NAME = DEMO_MINI_PROGRAM.appid;

export interface AppLaunchRecord {
  ok: boolean;
  reason?: LaunchRefusal;
}

export interface TapRecord {
  /** The world's entry history length when the tap happened: the entries before it. */
  entries: number;
  result: TapResult;
}

export interface LaunchAppWorld {
  clock: VirtualClock;
  wire: Recorder;
  app: NativeApp;
  miniProgram: MiniProgramAccount;
  /** The WeChat client's side: the running mini program and its flag. */
  state: LaunchAppState;
  appLaunches: AppLaunchRecord[];
  taps: TapRecord[];
  /** What the App's OpenSDK callback read, in order. */
  appReceived: string[];
}

export function createLaunchAppWorld(): LaunchAppWorld {
  return {
    clock: new VirtualClock(),
    wire: silentWire,
    app: { ...DEMO_NATIVE_APP },
    miniProgram: { ...DEMO_MINI_PROGRAM },
    state: new LaunchAppState('2.17.3', 'current'),
    appLaunches: [],
    taps: [],
    appReceived: [],
  };
}

type Snapshot = SnapshotFrom<LaunchAppMachine>;

const CHANGE_WORDS: Record<TicketChange, string> = { grant: '发车票', keep: '保持原状', clear: '收走车票' };

const REFUSAL_NOTES: Record<LaunchRefusal, string> = {
  wrongUserName: 'userName 要填小程序的原始 ID（gh_ 开头），不是 AppID',
  otherAccount: '按页面旧版的规则：未认证的开放平台账号只能拉起同一账号下的小程序',
};

export const sceneLabel = (scene: number) => (SCENE_NAMES[scene] ? `${scene}（${SCENE_NAMES[scene]}）` : `${scene}`);

/** Why this entry did what it did, in the reader's words, from the rule's own table. */
export function changeReason(scene: number, change: TicketChange, state: LaunchAppState, cold: boolean): string {
  const gate = gateOf(scene, state.era);
  if (change === 'grant') return `${scene} 在这一版规则里发车票`;
  if (change === 'keep') return cold ? `${scene} 保持原状；但这是冷启动，原状就是“没有”` : `${scene} 保持上一次的状态`;
  if (gate?.since) return `${scene} 要基础库 ${gate.since} 及以上才保持状态，当前是 ${state.sdkVersion}：按其他场景处理，收走车票`;
  return `${scene} 不在保持名单里：收走车票`;
}

const handlers: Record<LaunchAppEffect, (world: LaunchAppWorld, snapshot: Snapshot) => LaunchAppEvent> = {
  requestLaunch(world) {
    world.wire.record({
      from: 'app',
      to: 'client',
      label: 'WXApi.sendReq(WXLaunchMiniProgram.Req)',
      payload: { userName: world.app.userName, path: LAUNCH_PATH, miniprogramType: 0 },
      note: `OpenSDK 请求微信打开小程序：userName 是原始 ID，miniprogramType 0 为${MINIPROGRAM_TYPES[0]}`,
    });
    const check = checkAppLaunch(world.app, world.miniProgram);
    world.appLaunches.push(check.ok ? { ok: true } : { ok: false, reason: check.reason });
    if (!check.ok) {
      world.wire.record({
        from: 'client',
        to: 'app',
        label: '没有打开小程序',
        tone: 'error',
        note: `${REFUSAL_NOTES[check.reason]}。App 这时收到的错误码官方没有列出，这里不编造`,
      });
      return { type: 'wechat.launchRefused', reason: check.reason };
    }
    world.wire.record({
      from: 'client',
      to: 'client',
      label: '切到微信，打开小程序',
      note: world.app.certified ? '已认证的开放平台账号：可以拉起任何合法的小程序' : '未认证账号，但小程序在同一开放平台账号下：可以拉起',
    });
    return { type: 'wechat.launchAccepted' };
  },

  routeScene(world, snapshot) {
    const scene = snapshot.context.pendingScene;
    if (scene === null) throw new Error('no scene to route');
    const entry = world.state.enterWith(scene, world.app);
    world.wire.record({
      from: 'client',
      to: 'client',
      label: `（微信内部）场景 ${scene}：${CHANGE_WORDS[entry.change]}`,
      payload: { scene, 基础库: world.state.sdkVersion, 车票: entry.ticket ? '有' : '没有' },
      tone: entry.change === 'clear' && snapshot.context.ticket ? 'error' : 'normal',
      note: changeReason(scene, entry.change, world.state, entry.cold),
    });
    world.wire.record({
      from: 'client',
      to: 'miniprogram',
      label: entry.cold ? 'App.onLaunch + onShow' : 'App.onShow',
      payload: world.state.enter,
      note: entry.cold ? '冷启动：getLaunchOptionsSync() 和 getEnterOptionsSync() 都是这次的参数' : '热启动：getEnterOptionsSync() 换成这次的参数',
    });
    return { type: 'wechat.sceneRouted', scene, change: entry.change };
  },

  closeMiniProgram(world) {
    world.state.close();
    world.wire.record({
      from: 'client',
      to: 'miniprogram',
      label: '（微信内部）结束小程序',
      note: '生命周期结束，车票一起作废；下次进入是冷启动',
    });
    return { type: 'wechat.miniProgramClosed' };
  },

  tapLaunchApp(world) {
    world.wire.record({
      from: 'miniprogram',
      to: 'client',
      label: `<button open-type="launchApp" app-parameter="${APP_PARAMETER}"> 被点击`,
    });
    const result = world.state.tap(APP_PARAMETER);
    world.taps.push({ entries: world.state.history.length, result });
    if (!result.ok) {
      world.wire.record({
        from: 'client',
        to: 'miniprogram',
        label: 'binderror',
        payload: { errMsg: result.errMsg },
        tone: 'error',
        note: '按钮一直都在，只是这次进入没有留下打开 App 的能力',
      });
      return { type: 'wechat.launchAppFailed', errMsg: result.errMsg };
    }
    world.wire.record({
      from: 'client',
      to: 'app',
      label: '跳回 App',
      payload: { appId: result.appId },
      note: '只能回到拉起小程序的那个 App',
    });
    return { type: 'wechat.appOpened', extMsg: result.extMsg };
  },

  deliverResp(world) {
    const last = world.taps.at(-1)?.result;
    if (!last?.ok) throw new Error('the App was opened without a successful tap');
    const callback = world.state.appCallback();
    world.appReceived.push(last.extMsg);
    world.wire.record({
      from: 'app',
      to: 'app',
      label: callback === 'onResp' ? 'onResp(WXLaunchMiniProgramResp)' : 'onReq(…)（最早的文档）',
      payload: { extMsg: last.extMsg },
      note:
        callback === 'onResp'
          ? 'app-parameter 到了 App：iOS 在 onResp: 里读 extMsg，Android 在 WXEntryActivity 的 onResp 里读'
          : '最早的文档让 App 在 onReq 里取参数，后来改成 onResp；照旧帖子写会收不到',
    });
    return { type: 'app.respReceived', extMsg: last.extMsg };
  },
};

const EFFECT_BUSY: Record<LaunchAppEffect, EffectPlace> = {
  requestLaunch: { lane: 'client', busy: '微信处理 App 的拉起请求' },
  routeScene: { lane: 'client', busy: '微信按场景值重算打开 App 的能力' },
  closeMiniProgram: { lane: 'client', busy: '微信结束小程序' },
  tapLaunchApp: { lane: 'client', busy: '微信处理「打开 App」按钮' },
  deliverResp: { lane: 'app', busy: 'App 的 OpenSDK 回调读出 extMsg' },
};

const effects = effectTable(handlers, (name) => EFFECT_BUSY[name]);

const user = userControl<LaunchAppEvent>;

/** Control id of an entrance: `enter-1089`. */
export const entranceControl = (scene: number) => `enter-${scene}`;
/** Control id of a base-library preset: `sdk-2-17-3`. */
export const sdkControl = (version: string) => `sdk-${version.replace(/\./g, '-')}`;

const ERA_LABELS: Record<LaunchAppEra, string> = {
  current: '当前文档',
  legacy: '较早的文档（1036 也发车票）',
  earliest: '最早的文档（只有 1036，onReq）',
};

const choice = choiceControl<LaunchAppWorld>;

export const launchAppControls: readonly Control<LaunchAppWorld, LaunchAppEvent>[] = [
  user('launch-from-app', 'App 拉起小程序', { type: 'user.launchedFromApp' }, 'App 调用 OpenSDK 的 WXLaunchMiniProgram：场景值 1069'),
  user('tap-launch-app', '点「打开 App」', { type: 'user.tappedLaunchApp' }, `点 <button open-type="launchApp" app-parameter="${APP_PARAMETER}">`),
  user('to-background', '小程序切到后台', { type: 'user.wentToBackground' }, '回到微信的聊天列表，小程序留在后台'),
  user('to-wechat', '从 App 切到微信', { type: 'user.switchedToWeChat' }, '手机回到微信：接下来从哪里进入小程序，决定它能不能打开 App'),
  user('to-app', '从微信切回 App', { type: 'user.switchedToApp' }, '回到 App：可以再从 App 打开小程序'),
  ...ENTRANCES.map((scene) =>
    user(entranceControl(scene), `从 ${sceneLabel(scene)}进入`, { type: 'user.enteredFrom', scene }, `以场景值 ${scene} 打开小程序（冷启动或切回前台）`),
  ),
  user('close-mp', '结束小程序', { type: 'user.closedMiniProgram' }, '小程序被销毁（在后台停留太久，或被系统回收）：下次进入是冷启动'),
  ...SDK_PRESETS.map((version) =>
    choice(
      sdkControl(version),
      `基础库 ${version}`,
      `把手机上的基础库换成 ${version}`,
      (world) => void (world.state.sdkVersion = version),
      (world) => world.state.sdkVersion === version,
    ),
  ),
  ...(Object.keys(ERA_LABELS) as LaunchAppEra[]).map((era) =>
    choice(`era-${era}`, ERA_LABELS[era], '按这一版文档的规则发放和保持车票', (world) => void (world.state.era = era), (world) => world.state.era === era),
  ),
  toggleControl<LaunchAppWorld>(
    'uncertified',
    '开放平台账号未认证，小程序在别的账号下',
    '页面旧版的规则（新版已删）：未认证的开放平台账号只能拉起同一账号下的小程序',
    (world) => !world.app.certified,
    (world, on) => {
      world.app.certified = !on;
      world.miniProgram.openPlatformId = on ? 'open-other' : DEMO_MINI_PROGRAM.openPlatformId;
    },
  ),
  toggleControl<LaunchAppWorld>(
    'wrong-username',
    'userName 填成了 AppID',
    'WXLaunchMiniProgram.Req 的 userName 必须是原始 ID（gh_…）',
    (world) => world.app.userName !== DEMO_MINI_PROGRAM.userName,
    (world, on) => void (world.app.userName = on ? WRONG_USER_NAME : DEMO_MINI_PROGRAM.userName),
  ),
  toggleControl<LaunchAppWorld>(
    'unlisted',
    'App 还没上架应用商店',
    `未上架的 App 每天最多拉起小程序 ${UNLISTED_APP_DAILY_LIMIT} 次`,
    (world) => !world.app.inStore,
    (world, on) => void (world.app.inStore = !on),
  ),
];

const PAGE_TS = `${MINIPROGRAM}/pages/launch-app/launch-app.ts`;
const PAGE_WXML = `${MINIPROGRAM}/pages/launch-app/launch-app.wxml`;
const RULE_TS = `${MINIPROGRAM}/utils/launch-app-rule.ts`;

const states = {
  'app.idle': stateMeta(PAGE_WXML, 'launch-button'),
  'app.requesting': stateMeta(PAGE_TS, 'enter-options', '正在打开小程序…'),
  'app.receiving': stateMeta(PAGE_WXML, 'launch-button', '正在回到 App…'),
  wechat: stateMeta(RULE_TS, 'ticket-change'),
  closing: stateMeta(PAGE_TS, 'track-entries', '正在结束小程序…'),
  entering: stateMeta(PAGE_TS, 'track-entries', '正在进入小程序…'),
  miniProgram: stateMeta(PAGE_WXML, 'launch-button'),
  tapping: stateMeta(PAGE_TS, 'launch-app-error', '正在打开 App…'),
};

const codeFiles = [PAGE_WXML, PAGE_TS, RULE_TS] as const;

function view(world: LaunchAppWorld, snapshot: Snapshot): WorldView {
  const { state, app } = world;
  const enter = state.enter;
  const holdings: HolderRow[] = [
    { holder: 'client', item: '「打开 App」车票', value: state.ticket ? `有（回到 ${app.name}）` : '没有' },
    { holder: 'client', item: '小程序', value: state.running ? (snapshot.matches('wechat') ? '在后台运行' : '在前台') : '未运行' },
    { holder: 'client', item: '基础库', value: state.sdkVersion },
    { holder: 'client', item: '规则版本', value: ERA_LABELS[state.era] },
    { holder: 'miniprogram', item: 'getEnterOptionsSync().scene', value: enter ? sceneLabel(enter.scene) : '（未运行）' },
    { holder: 'miniprogram', item: 'referrerInfo.appId', value: enter ? (enter.referrerInfo.appId ?? '（无）') : '（未运行）' },
    { holder: 'miniprogram', item: 'getLaunchOptionsSync().scene', value: state.launch ? sceneLabel(state.launch.scene) : '（未运行）' },
    { holder: 'miniprogram', item: 'app-parameter', value: APP_PARAMETER },
    { holder: 'app', item: '开放平台账号', value: app.certified ? '已认证' : '未认证（小程序在别的账号下）' },
    { holder: 'app', item: 'Req.userName', value: app.userName },
    { holder: 'app', item: '收到的 extMsg', value: world.appReceived.at(-1) ?? '（还没有）' },
  ];
  if (!app.inStore) {
    const launches = world.appLaunches.filter((launch) => launch.ok).length;
    holdings.push({ holder: 'app', item: '今天拉起小程序', value: `${launches} / ${UNLISTED_APP_DAILY_LIMIT} 次` });
  }

  const findings: Finding[] = [];
  const last = state.history.at(-1);
  const hadTicket = state.history.length > 1 && state.history.at(-2)!.ticket;
  if (last && last.change === 'clear' && hadTicket) {
    findings.push({
      level: 'warning',
      title: `从 ${sceneLabel(last.scene)}进入，车票被收走了`,
      detail: `${changeReason(last.scene, last.change, state, last.cold)}。页面上的按钮不会变，用户点了只会触发 binderror：${INVALID_SCENE}。`,
      href: LAUNCH_APP_DOC,
    });
  }
  if (snapshot.context.lastError === INVALID_SCENE) {
    findings.push({
      level: 'danger',
      title: 'binderror：invalid scene',
      detail: '这时的小程序不具备打开 App 的能力。要么这次是从不保持能力的入口进来的，要么小程序从没被 App 拉起过（1069）。给用户一个替代出口，比如提示「请回到 App 继续」。',
      href: LAUNCH_APP_DOC,
    });
  }
  if (snapshot.context.refusal) {
    findings.push({
      level: 'danger',
      title: 'App 没能拉起小程序',
      detail: `${REFUSAL_NOTES[snapshot.context.refusal]}。没有 1069 这一次进入，小程序也就拿不到回 App 的车票。`,
      href: LAUNCH_MINI_PROGRAM_DOC,
    });
  }
  if (!app.inStore) {
    findings.push({
      level: 'warning',
      title: `未上架的 App 每天最多拉起 ${UNLISTED_APP_DAILY_LIMIT} 次`,
      detail: '这是开放平台对测试阶段 App 的限制；超出之后 App 看到什么错误，官方没有写明，模拟器也不模拟。',
      href: LAUNCH_MINI_PROGRAM_DOC,
    });
  }
  if (state.era !== 'current') {
    findings.push({
      level: 'warning',
      title: '这是旧文档的规则',
      detail: `当前文档只有 ${SCENE_FROM_APP} 发放能力，App 在 onResp 里读 extMsg。网上的旧回答按旧规则写，照做会踩坑。`,
      href: ERAS[state.era].source,
    });
  }
  return { holdings, findings };
}

export const launchAppSimulation = defineSimulation<LaunchAppMachine, LaunchAppWorld>({
  flow: 'launch-app',
  title: '打开 App',
  machine: launchAppMachine,
  lanes: [
    { id: 'app', label: '原生 App', trust: 'device' },
    LANES.client,
    LANES.miniprogram,
  ],
  phones: [USER_PHONE],
  timeScale: 'clock',
  effects,
  createWorld: createLaunchAppWorld,
  controls: launchAppControls,
  view,
  states,
  codeFiles,
});
