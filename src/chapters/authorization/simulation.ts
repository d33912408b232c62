/**
 * The 授权 simulator: the authorization machine bound to the simulated world.
 * WeChat's memory of each scope lives in the world (`AuthorizationCenter`),
 * so what the reader sees in the per-scope table is what WeChat would keep,
 * not what the mini program believes.
 */
import type { SnapshotFrom } from 'xstate';
import { MINUTE, SECOND } from '../../world/support/clock.ts';
import {
  AuthorizationCenter,
  AUTHORIZE_DOC,
  LIVE_SCOPES,
  type LiveScope,
  OPEN_SETTING_DOC,
  PRIVACY_RETRY_WINDOW_MS,
  SCOPE_INFO,
  type ScopedStep,
} from '../../world/wechat/authorization.ts';
import { createSimulatedWorld, type SimulatedWorld } from '../../world/simulated-world.ts';
import {
  authorizationMachine,
  type AuthorizationEffect,
  type AuthorizationEvent,
  type AuthorizationMachine,
  type FlowScope,
} from './machine.ts';
import { clockControl, codeChoice, effectTable, stateMeta, userControl } from '../../kit/engine/controls.ts';
import { defineSimulation, type Control, type Finding, type HolderRow, type StateMeta, type WorldView } from '../../kit/engine/definition.ts';
import { MINIPROGRAM } from '../shared/code-files.ts';
import { ONE_PHONE_STAGE } from '../shared/lanes.ts';
import { wxCallback } from '../shared/wx.ts';

export const DEFAULT_LOCATION_DESC = '你的位置信息将用于查找附近的学习小组';

export interface AuthorizationWorld extends SimulatedWorld {
  authorization: AuthorizationCenter;
}

type AuthorizationSnapshot = SnapshotFrom<AuthorizationMachine>;

/** The flow and the world name the same four scopes; this keeps them from drifting apart. */
const asLive = (scope: FlowScope): LiveScope => {
  if (!(LIVE_SCOPES as readonly string[]).includes(scope)) throw new Error(`${scope} is not simulated`);
  return scope;
};

const answerLabel = { granted: '已允许', denied: '已拒绝' } as const;

function currentCall(snapshot: AuthorizationSnapshot) {
  const call = snapshot.context.call;
  if (!call) throw new Error('no call in flight');
  return call;
}

const callLabel = (api: string, scope: FlowScope) => (api === 'authorize' ? `wx.authorize({ scope: '${scope}' })` : `wx.${api}()`);

/** Turn WeChat's verdict on a call into what crosses the wire and the event the machine waits for. */
function settle(
  world: AuthorizationWorld,
  snapshot: AuthorizationSnapshot,
  scope: FlowScope,
  step: ScopedStep,
  direct: boolean,
): AuthorizationEvent {
  switch (step.kind) {
    case 'privacy':
      world.wire.record({
        from: 'client',
        to: 'miniprogram',
        label: 'onNeedPrivacyAuthorization(resolve)',
        note: '用户还没同意隐私保护指引：接口先挂起，小程序弹出自己的隐私弹窗',
      });
      return { type: 'wx.privacyPromptShown' };
    case 'dialog':
      world.wire.record({
        from: 'client',
        to: 'client',
        label: `弹出授权框：${SCOPE_INFO[asLive(scope)].ask}`,
        note: '第一次询问这个 scope：微信自己的弹窗，小程序改不了它的样式',
      });
      return { type: 'wx.scopeDialogShown' };
    case 'done': {
      const notes: Record<string, string> = {
        denied: direct ? '这个 scope 已被拒绝过：不弹窗，直接进 fail' : '用户点了「拒绝」，微信会一直记住',
        privacy: '用户没有同意隐私保护指引，接口失败',
        privacyRecent: '距上次拒绝隐私弹窗不足 10 秒：不再弹窗，直接失败',
        notDeclared: 'app.json 缺少 permission["scope.userLocation"] 声明。真机和开发者工具的报错原文本站未能核实，这里只模拟失败本身',
      };
      wxCallback(world, step, step.ok ? (direct ? '已允许过：不弹窗，直接成功' : undefined) : notes[step.reason]);
      // Strategy B does not parse errMsg (its wording differs between iOS and Android); it asks getSetting.
      if (!step.ok && snapshot.context.strategy === 'onDemand' && snapshot.matches('asking')) {
        const { authSetting } = world.client.getSetting();
        world.wire.record({ from: 'miniprogram', to: 'client', label: 'wx.getSetting()', note: '失败后以记录为准，不解析 errMsg' });
        world.wire.record({ from: 'client', to: 'miniprogram', label: 'success', payload: { errMsg: 'getSetting:ok', authSetting } });
      }
      return step.ok
        ? { type: 'wx.callSucceeded', scope, errMsg: step.errMsg }
        : { type: 'wx.callFailed', scope, errMsg: step.errMsg, reason: step.reason };
    }
  }
}

function rememberAnswer(world: AuthorizationWorld, scope: FlowScope, allowed: boolean) {
  world.wire.record({
    from: 'client',
    to: 'wechat',
    label: `（微信内部）记下 ${scope}：${allowed ? '允许' : '拒绝'}`,
    note: '授权关系记在微信后台，直到用户删除小程序',
  });
}

/** Every effect here is the WeChat client answering at once, so each is a plain function on the client's lane. */
const handlers: Record<AuthorizationEffect, (world: AuthorizationWorld, snapshot: AuthorizationSnapshot) => AuthorizationEvent> = {
  callGetSetting(world) {
    world.wire.record({ from: 'miniprogram', to: 'client', label: 'wx.getSetting()' });
    const result = world.client.getSetting();
    const asked = Object.keys(result.authSetting).length;
    world.wire.record({
      from: 'client',
      to: 'miniprogram',
      label: 'success',
      payload: { errMsg: result.errMsg, authSetting: result.authSetting },
      ...(asked < LIVE_SCOPES.length ? { note: '从没问过的 scope 不在 authSetting 里（不是 false）' } : {}),
    });
    return { type: 'wx.settingRead', authSetting: result.authSetting };
  },

  callScopedApi(world, snapshot) {
    const { api, scope } = currentCall(snapshot);
    world.wire.record({
      from: 'miniprogram',
      to: 'client',
      label: callLabel(api, scope),
      ...(api === 'authorize' ? {} : { note: `需要 ${scope}：和 wx.authorize 走同一套规则` }),
    });
    return settle(world, snapshot, scope, world.client.callScoped(api, asLive(scope)), true);
  },

  agreePrivacy(world, snapshot) {
    const { api, scope } = currentCall(snapshot);
    world.wire.record({
      from: 'miniprogram',
      to: 'client',
      label: "resolve({ buttonId, event: 'agree' })",
      note: '用户点了 open-type="agreePrivacyAuthorization" 的按钮',
    });
    world.wire.record({ from: 'client', to: 'wechat', label: '（微信内部）记下：已同意隐私保护指引' });
    return settle(world, snapshot, scope, world.client.answerPrivacy(api, asLive(scope), true), false);
  },

  refusePrivacy(world, snapshot) {
    const { api, scope } = currentCall(snapshot);
    world.wire.record({ from: 'miniprogram', to: 'client', label: "resolve({ event: 'disagree' })" });
    return settle(world, snapshot, scope, world.client.answerPrivacy(api, asLive(scope), false), false);
  },

  allowScope(world, snapshot) {
    const { api, scope } = currentCall(snapshot);
    rememberAnswer(world, scope, true);
    return settle(world, snapshot, scope, world.client.answerScopeDialog(api, asLive(scope), true), false);
  },

  denyScope(world, snapshot) {
    const { api, scope } = currentCall(snapshot);
    rememberAnswer(world, scope, false);
    return settle(world, snapshot, scope, world.client.answerScopeDialog(api, asLive(scope), false), false);
  },

  callOpenSetting(world, snapshot) {
    const fromTap = snapshot.context.openSettingFrom === 'tap';
    world.wire.record({
      from: 'miniprogram',
      to: 'client',
      label: fromTap ? '<button open-type="openSetting"> 被点击' : 'wx.openSetting()（在 onShow 里）',
      note: fromTap ? '用户的点击：允许打开设置页' : '没有用户点击：基础库 2.3.0 起不允许',
      ...(fromTap ? {} : { tone: 'error' as const }),
    });
    const result = world.client.openSetting({ fromTap });
    if (!result.ok) {
      world.wire.record({ from: 'client', to: 'miniprogram', label: 'fail', payload: { errMsg: result.errMsg }, tone: 'error' });
      return { type: 'wx.openSettingFailed', errMsg: result.errMsg };
    }
    world.wire.record({
      from: 'client',
      to: 'client',
      label: '打开小程序设置页',
      payload: result.rows,
      note: '只列出问过的 scope',
    });
    return { type: 'wx.settingsPageOpened', rows: result.rows };
  },

  flipSetting(world, snapshot) {
    const scope = snapshot.context.switching;
    const rows = snapshot.context.settingsRows;
    if (!scope || !rows) throw new Error('no switch chosen');
    const on = !rows[scope];
    const next = world.client.flipSetting(asLive(scope), on);
    world.wire.record({ from: 'client', to: 'wechat', label: `（微信内部）记下 ${scope}：${on ? '允许' : '拒绝'}`, note: '用户在设置页拨动开关' });
    return { type: 'wx.settingSwitched', rows: next };
  },

  returnFromSettings(world) {
    const result = world.client.returnFromSetting();
    world.wire.record({
      from: 'client',
      to: 'miniprogram',
      label: 'bindopensetting',
      payload: { errMsg: result.errMsg, authSetting: result.authSetting },
      note: '用户回到小程序：拿到新的 authSetting',
    });
    return { type: 'wx.settingsClosed', authSetting: result.authSetting };
  },

  deleteMiniProgram(world) {
    world.authorization.forget(world.client.appid, world.client.userId);
    world.wire.record({
      from: 'client',
      to: 'wechat',
      label: '（微信内部）用户删除了小程序',
      note: '这个用户对这个小程序的授权记录和隐私同意一并清除',
    });
    return { type: 'wx.authDataCleared' };
  },

  clearAuthData(world) {
    world.authorization.forget(world.client.appid, world.client.userId);
    world.wire.record({
      from: 'client',
      to: 'wechat',
      label: '（开发者工具）清除授权数据',
      note: '只用于调试：效果等同于删除小程序后重新打开',
    });
    return { type: 'wx.authDataCleared' };
  },
};

const user = userControl<AuthorizationEvent>;
const code = codeChoice<AuthorizationEvent>;

const advance = clockControl;

/** The four features of the demo page, one per live scope. */
export const FEATURES: readonly { id: string; scope: FlowScope; label: string; why: string }[] = [
  { id: 'record', scope: 'scope.record', label: '录音', why: '录下你的跟读，给出发音评分' },
  { id: 'locate', scope: 'scope.userLocation', label: '附近小组', why: '按你的位置找附近的学习小组' },
  { id: 'camera', scope: 'scope.camera', label: '拍题', why: '拍下题目，识别后给出解析' },
  { id: 'album', scope: 'scope.writePhotosAlbum', label: '保存海报', why: '把学习海报存到你的相册' },
];

export const authorizationControls: readonly Control<AuthorizationWorld, AuthorizationEvent>[] = [
  code('launch-upfront', '启动：策略 A（启动就全部申请）', { type: 'user.launched', strategy: 'upfront' }, 'onLaunch 里对每个没授权的 scope 调用 wx.authorize'),
  code('launch-ondemand', '启动：策略 B（用到时再申请）', { type: 'user.launched', strategy: 'onDemand' }, '启动时只读 wx.getSetting，什么都不申请'),
  ...FEATURES.map((f) =>
    user(f.id, `点「${f.label}」`, { type: 'user.tappedFeature', scope: f.scope }, `调用需要 ${f.scope} 的接口`),
  ),
  user('agree-privacy', '同意隐私保护指引', { type: 'user.agreedPrivacy' }, '点 open-type="agreePrivacyAuthorization" 的按钮'),
  user('refuse-privacy', '拒绝隐私保护指引', { type: 'user.refusedPrivacy' }, "点隐私弹窗里的「拒绝」，小程序随后调用 resolve({ event: 'disagree' })"),
  user('allow', '允许', { type: 'user.allowedScope' }, '在微信的授权框里点「允许」'),
  user('deny', '拒绝', { type: 'user.deniedScope' }, '在微信的授权框里点「拒绝」'),
  user('open-setting', '点「去设置」', { type: 'user.tappedOpenSetting' }, '点 open-type="openSetting" 的按钮（策略 B 在被拒绝后才显示）'),
  code('on-show', '回到前台（onShow 调 openSetting）', { type: 'app.shown' }, '错误做法：没有用户点击，在 onShow 里直接调用 wx.openSetting'),
  ...FEATURES.map((f) =>
    user(
      `switch-${f.id}`,
      `设置页：切换「${SCOPE_INFO[asLive(f.scope)].label}」`,
      { type: 'user.toggledSetting', scope: f.scope },
      `在微信的设置页拨动 ${f.scope} 的开关`,
    ),
  ),
  user('leave-settings', '从设置页返回', { type: 'user.leftSettings' }, '回到小程序，openSetting 带回新的 authSetting'),
  user('delete-app', '删除小程序', { type: 'user.deletedMiniProgram' }, '从「最近使用」里删除小程序：微信忘掉所有授权'),
  user('clear-auth', '开发者工具：清除授权数据', { type: 'user.clearedAuthData' }, '调试时的等价操作'),
  advance('plus-10s', `+${PRIVACY_RETRY_WINDOW_MS / SECOND} 秒`, PRIVACY_RETRY_WINDOW_MS, `拒绝隐私弹窗后的 ${PRIVACY_RETRY_WINDOW_MS / SECOND} 秒内，再调用隐私接口会直接失败（文档是就官方弹窗写的，模拟器对自定义弹窗也按这条演示）；过了 ${PRIVACY_RETRY_WINDOW_MS / SECOND} 秒再点，弹窗会重新出现`),
  advance('plus-1m', '+1 分钟', MINUTE, '授权记录不会随时间失效：同意或拒绝过的 scope 一直记在微信后台，直到用户删除小程序'),
  {
    kind: 'world',
    id: 'no-permission',
    actor: 'code',
    label: 'app.json 去掉 permission 声明',
    hint: '切换：app.json 里有没有 permission["scope.userLocation"]',
    apply: (world) => {
      world.client.appJson = { userLocationDesc: world.client.appJson.userLocationDesc === null ? DEFAULT_LOCATION_DESC : null };
    },
    active: (world) => world.client.appJson.userLocationDesc === null,
  },
];

const effectDescriptions: Record<AuthorizationEffect, string> = {
  callGetSetting: '微信客户端处理 wx.getSetting()',
  callScopedApi: '微信客户端处理这次需要授权的调用',
  agreePrivacy: '微信记下隐私同意，继续处理刚才的调用',
  refusePrivacy: '微信处理「拒绝」',
  allowScope: '微信记下「允许」',
  denyScope: '微信记下「拒绝」',
  callOpenSetting: '微信客户端处理 wx.openSetting()',
  flipSetting: '微信记下开关的新状态',
  returnFromSettings: '回到小程序，返回新的 authSetting',
  deleteMiniProgram: '微信删除这个小程序的授权记录',
  clearAuthData: '开发者工具清除授权数据',
};

const INDEX_TS = `${MINIPROGRAM}/pages/authorization/authorization.ts`;
const INDEX_WXML = `${MINIPROGRAM}/pages/authorization/authorization.wxml`;
const PRIVACY_TS = `${MINIPROGRAM}/utils/privacy.ts`;
const ASK_ON_LAUNCH = `${MINIPROGRAM}/wrong/ask-on-launch.ts`;
const ON_SHOW = `${MINIPROGRAM}/wrong/open-setting-on-show.ts`;
const APP_JSON = `${MINIPROGRAM}/app.json`;

const askStepCode = (file: string, region: string): Record<string, StateMeta> => ({
  calling: stateMeta(file, region),
  privacyPrompt: stateMeta(INDEX_WXML, 'privacy-popup'),
  agreeingPrivacy: stateMeta(INDEX_TS, 'privacy'),
  refusingPrivacy: stateMeta(INDEX_TS, 'privacy'),
  scopeDialog: stateMeta(file, region),
  allowing: stateMeta(file, region),
  denying: stateMeta(file, region),
});

const within = (parent: string, steps: Record<string, StateMeta>) =>
  Object.fromEntries(Object.entries(steps).map(([state, meta]) => [`${parent}.${state}`, meta]));

const states: Record<string, StateMeta> = {
  closed: stateMeta(APP_JSON, 'permission'),
  launching: stateMeta(INDEX_TS, 'on-load', '启动中…'),
  ...within('askingAtLaunch', askStepCode(ASK_ON_LAUNCH, 'ask-all')),
  ...within('asking', askStepCode(INDEX_TS, 'use-feature')),
  ready: stateMeta(INDEX_WXML, 'explain'),
  'openingSetting.fromTap': stateMeta(INDEX_WXML, 'explain', '正在打开设置…'),
  'openingSetting.fromOnShow': stateMeta(ON_SHOW, 'on-show', '正在打开设置…'),
  'settingsPage.open': stateMeta(INDEX_TS, 'on-open-setting'),
  'settingsPage.switching': stateMeta(INDEX_TS, 'on-open-setting'),
  'settingsPage.returning': stateMeta(INDEX_TS, 'on-open-setting', '返回中…'),
  deletingMiniProgram: stateMeta(APP_JSON, 'permission', '正在删除…'),
  clearingAuthData: stateMeta(APP_JSON, 'permission', '正在清除…'),
};

/** Every file the code panel offers, in reading order. */
const codeFiles = [INDEX_WXML, INDEX_TS, PRIVACY_TS, APP_JSON, ASK_ON_LAUNCH, ON_SHOW] as const;

/** What WeChat remembers for one scope, in the reader's words. */
export function rememberedLabel(world: AuthorizationWorld, scope: LiveScope): string {
  const answer = world.authorization.answer(world.client.appid, world.client.userId, scope);
  return answer ? answerLabel[answer] : '从未询问';
}

function privacyLabel(world: AuthorizationWorld): string {
  const { state, lastRefusalAt } = world.authorization.privacy(world.client.appid, world.client.userId);
  if (state === 'agreed') return '已同意';
  if (lastRefusalAt === null) return '未同意';
  const ago = world.clock.now() - lastRefusalAt;
  return ago < PRIVACY_RETRY_WINDOW_MS ? `未同意（${ago / SECOND} 秒前拒绝过，10 秒内不再弹窗）` : '未同意（拒绝过，已超过 10 秒）';
}

function view(world: AuthorizationWorld, snapshot: AuthorizationSnapshot): WorldView {
  const { context } = snapshot;
  const holdings: HolderRow[] = [];
  holdings.push({ holder: 'miniprogram', item: 'authSetting（小程序最近一次读到的）', value: JSON.stringify(context.known) });
  holdings.push({
    holder: 'miniprogram',
    item: 'app.json permission',
    value: world.client.appJson.userLocationDesc === null ? '（缺少 scope.userLocation 声明）' : `scope.userLocation：${world.client.appJson.userLocationDesc}`,
  });
  for (const scope of LIVE_SCOPES) holdings.push({ holder: 'wechat', item: scope, value: rememberedLabel(world, scope) });
  holdings.push({ holder: 'wechat', item: '隐私保护指引', value: privacyLabel(world) });

  const findings: Finding[] = [];
  const denied = LIVE_SCOPES.filter((scope) => world.authorization.answer(world.client.appid, world.client.userId, scope) === 'denied');
  if (context.strategy === 'upfront' && denied.length > 0) {
    findings.push({
      level: 'warning',
      title: '策略 A 走进了死胡同',
      detail: `${denied.join('、')} 已被拒绝。之后每次启动，wx.authorize 都会直接失败，不会再弹窗；页面上也没有引导用户去设置页的入口，这些功能对这位用户就此失效，除非他自己找到设置页，或者删除小程序。`,
      href: AUTHORIZE_DOC,
    });
  }
  if (context.lastError?.includes('TAP gesture')) {
    findings.push({
      level: 'danger',
      title: '没有用户点击，openSetting 打不开设置页',
      detail: '从基础库 2.3.0 起，只有用户点击之后才能跳转设置页：用 <button open-type="openSetting">，或在 bindtap 的回调里调用 wx.openSetting。',
      href: OPEN_SETTING_DOC,
    });
  }
  if (world.client.appJson.userLocationDesc === null) {
    findings.push({
      level: 'warning',
      title: 'app.json 缺少位置用途说明',
      detail: '申请 scope.userLocation 必须先在 app.json 的 permission 字段里写明用途，否则定位接口会直接失败。',
      href: AUTHORIZE_DOC,
    });
  }
  return { holdings, findings };
}

export function createAuthorizationWorld(): AuthorizationWorld {
  const world = createSimulatedWorld('authorization') as AuthorizationWorld;
  world.authorization = new AuthorizationCenter({ clock: world.clock });
  world.client.attachAuthorization(world.authorization);
  world.client.appJson = { userLocationDesc: DEFAULT_LOCATION_DESC };
  return world;
}

const effects = effectTable(handlers, (name) => ({ lane: 'client', busy: effectDescriptions[name] }));

export const authorizationSimulation = defineSimulation<AuthorizationMachine, AuthorizationWorld>({
  flow: 'authorization',
  title: '授权',
  machine: authorizationMachine,
  ...ONE_PHONE_STAGE,
  effects,
  createWorld: createAuthorizationWorld,
  controls: authorizationControls,
  view,
  states,
  codeFiles,
});
