/**
 * Model-based test of 授权: the machine is the model, the simulated world is
 * the system under test. Generated paths take every transition; before each
 * world step the test arranges WeChat's memory (scope answers, privacy
 * consent, the app.json declaration) so that the world must produce the
 * event the model expects, then checks that it does. A shadow of that
 * memory, kept by the test from the arrangements and the modelled answers
 * alone, is compared with WeChat's at the end of every path.
 */
import { expect } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import {
  FLOW_SCOPES,
  type AuthorizationEvent,
  type AuthorizationMachine,
  type AuthSettingView,
} from '../../src/chapters/authorization/machine.ts';
import { Simulation, stateToString, STEP_CONTROL_ID } from '../../src/kit/engine/engine.ts';
import { authorizationSimulation, type AuthorizationWorld } from '../../src/chapters/authorization/simulation.ts';
import type { LiveScope } from '../../src/world/wechat/authorization.ts';
import { describeChapterModel, press } from '../support/chapter-model.ts';

type Snapshot = SnapshotFrom<AuthorizationMachine>;
type Sim = Simulation<AuthorizationMachine, AuthorizationWorld>;

/** Two features and three switches are enough to take every transition; the other scopes behave the same. */
const modelledControls = new Set([
  'launch-upfront',
  'launch-ondemand',
  'record',
  'locate',
  'agree-privacy',
  'refuse-privacy',
  'allow',
  'deny',
  'open-setting',
  'on-show',
  'switch-record',
  'switch-locate',
  'switch-camera',
  'leave-settings',
  'delete-app',
  'clear-auth',
]);


const ALL_GRANTED: AuthSettingView = Object.fromEntries(FLOW_SCOPES.map((s) => [s, true]));
const SETTINGS_ROWS: AuthSettingView = { 'scope.record': false, 'scope.userLocation': true };

/** What the world may answer while a call is pending, for the scope being called. */
function callOutcomes(snapshot: Snapshot, afterPrivacy: boolean): AuthorizationEvent[] {
  const scope = snapshot.context.call?.scope;
  if (!scope) return [];
  const outcomes: AuthorizationEvent[] = [
    { type: 'wx.scopeDialogShown' },
    { type: 'wx.callSucceeded', scope, errMsg: '' },
    { type: 'wx.callFailed', scope, errMsg: '', reason: 'denied' },
  ];
  if (!afterPrivacy) {
    outcomes.push({ type: 'wx.privacyPromptShown' }, { type: 'wx.callFailed', scope, errMsg: '', reason: 'privacyRecent' });
  }
  if (scope === 'scope.userLocation') outcomes.push({ type: 'wx.callFailed', scope, errMsg: '', reason: 'notDeclared' });
  return outcomes;
}

function worldOutcomes(snapshot: Snapshot): AuthorizationEvent[] {
  const state = stateToString(snapshot.value);
  const leaf = state.split('.').at(-1);
  const { context } = snapshot;
  if (state === 'launching') {
    return [
      { type: 'wx.settingRead', authSetting: {} },
      { type: 'wx.settingRead', authSetting: ALL_GRANTED },
    ];
  }
  if (leaf === 'calling') return callOutcomes(snapshot, false);
  if (leaf === 'agreeingPrivacy') return callOutcomes(snapshot, true);
  if (leaf === 'refusingPrivacy' && context.call) return [{ type: 'wx.callFailed', scope: context.call.scope, errMsg: '', reason: 'privacy' }];
  if (leaf === 'allowing' && context.call) return [{ type: 'wx.callSucceeded', scope: context.call.scope, errMsg: '' }];
  if (leaf === 'denying' && context.call) return [{ type: 'wx.callFailed', scope: context.call.scope, errMsg: '', reason: 'denied' }];
  if (state.startsWith('openingSetting')) {
    return context.openSettingFrom === 'tap'
      ? [{ type: 'wx.settingsPageOpened', rows: SETTINGS_ROWS }]
      : [{ type: 'wx.openSettingFailed', errMsg: '' }];
  }
  if (state === 'settingsPage.switching' && context.switching && context.settingsRows) {
    return [{ type: 'wx.settingSwitched', rows: { ...context.settingsRows, [context.switching]: !context.settingsRows[context.switching] } }];
  }
  if (state === 'settingsPage.returning' && context.settingsRows) return [{ type: 'wx.settingsClosed', authSetting: context.settingsRows }];
  if (state === 'deletingMiniProgram' || state === 'clearingAuthData') return [{ type: 'wx.authDataCleared' }];
  return [];
}


const sortedKeys = (value: object | null) => (value ? Object.keys(value).sort().join(',') : '-');

/** What makes two snapshots the same node: the state plus the context the guards read. */
const serializeState = (snapshot: Snapshot) => {
  const c = snapshot.context;
  const anyDenied = FLOW_SCOPES.some((s) => c.known[s] === false);
  return `${stateToString(snapshot.value)}|${c.strategy}|q${c.queue.length}|${c.call?.scope ?? '-'}|denied:${anyDenied}|rows:${sortedKeys(c.settingsRows)}|${c.openSettingFrom ?? '-'}`;
};


/**
 * What WeChat should remember, per simulation, as the test alone derives it:
 * the arrangements it made plus the answers the model says were given.
 */
const shadows = new WeakMap<Sim, AuthSettingView>();

async function setDeclared(sim: Sim, declared: boolean) {
  if (sim.frame().active.includes('no-permission') === declared) await press(sim, 'no-permission');
}

/**
 * Rebuild WeChat's memory for this user × app through its own public API:
 * forget everything, answer the given scopes, then set the privacy consent.
 */
function arrange(sim: Sim, scopes: AuthSettingView, privacy: 'agreed' | 'fresh' | 'recentRefusal') {
  const { world } = sim;
  shadows.set(sim, { ...scopes });
  const { appid, userId } = world.client;
  const center = world.authorization;
  center.forget(appid, userId);
  for (const [scope, allow] of Object.entries(scopes)) center.answerDialog(appid, userId, 'authorize', scope as LiveScope, allow === true);
  const permission = world.client.appJson;
  if (privacy !== 'fresh') center.answerPrivacy(appid, userId, 'authorize', 'scope.record', permission, privacy === 'agreed');
}

function currentScopes(world: AuthorizationWorld): AuthSettingView {
  return world.authorization.authSetting(world.client.appid, world.client.userId);
}

function without(setting: AuthSettingView, scope: string): AuthSettingView {
  const copy = { ...setting };
  delete copy[scope as keyof AuthSettingView];
  return copy;
}

/** How each modelled answer changes what WeChat remembers, in the test's own terms. */
function updateShadow(sim: Sim, state: string, event: AuthorizationEvent) {
  const shadow = shadows.get(sim) ?? {};
  const scope = sim.snapshot.context.call?.scope;
  if (state.endsWith('allowing') && scope) shadow[scope] = true;
  if (state.endsWith('denying') && scope) shadow[scope] = false;
  if (event.type === 'wx.settingSwitched') Object.assign(shadow, event.rows);
  if (event.type === 'wx.authDataCleared') for (const key of Object.keys(shadow)) delete shadow[key as keyof AuthSettingView];
  shadows.set(sim, shadow);
}

/** Make the world produce `event` from where the simulation stands, then step. */
async function produce(sim: Sim, event: AuthorizationEvent) {
  const { world } = sim;
  const state = stateToString(sim.snapshot.value);
  const leaf = state.split('.').at(-1);
  const scope = sim.snapshot.context.call?.scope;
  const privacyNow = leaf === 'agreeingPrivacy' ? 'fresh' : 'agreed';
  await setDeclared(sim, !(event.type === 'wx.callFailed' && event.reason === 'notDeclared'));
  if (leaf === 'calling' || leaf === 'agreeingPrivacy') {
    if (!scope) throw new Error('no call');
    const scopes = currentScopes(world);
    switch (event.type) {
      case 'wx.privacyPromptShown':
        arrange(sim, scopes, 'fresh');
        break;
      case 'wx.scopeDialogShown':
        arrange(sim, without(scopes, scope), privacyNow);
        break;
      case 'wx.callSucceeded':
        arrange(sim, { ...scopes, [scope]: true }, privacyNow);
        break;
      case 'wx.callFailed':
        if (event.reason === 'privacyRecent') arrange(sim, scopes, 'recentRefusal');
        else if (event.reason === 'denied') arrange(sim, { ...scopes, [scope]: false }, privacyNow);
        else arrange(sim, without(scopes, scope), privacyNow);
        break;
    }
  } else if (event.type === 'wx.settingRead') {
    arrange(sim, event.authSetting, 'fresh');
  } else if (event.type === 'wx.settingsPageOpened') {
    arrange(sim, event.rows, 'agreed');
  }
  const stateBefore = state;
  updateShadow(sim, stateBefore, event);
  await press(sim, STEP_CONTROL_ID);
}

describeChapterModel<AuthorizationMachine, AuthorizationWorld>({
  definition: authorizationSimulation,
  outcomes: worldOutcomes,
  serializeState,
  readerControls: modelledControls,
  produce,
  minPaths: 40,
  arrangesWorldDirectly: 'each step first sets WeChat’s memory of scopes and privacy consent through its own API',
  invariants(sim) {
    const { context } = sim.snapshot;
    const remembered = currentScopes(sim.world);
    // WeChat remembers exactly what the arrangements and the modelled answers add up to.
    expect(remembered).toEqual(shadows.get(sim) ?? {});
    // getSetting never reports a scope WeChat has not asked about.
    for (const scope of FLOW_SCOPES) {
      if (!(scope in remembered)) expect(sim.world.client.getSetting().authSetting).not.toHaveProperty(scope);
    }
    // On the settings page, the switches are exactly the scopes already asked.
    if (context.settingsRows) expect(context.settingsRows).toEqual(remembered);
  },
  mustExercise: {
    'a scope granted': (sim) => Object.values(currentScopes(sim.world)).includes(true),
    'a scope denied and remembered': (sim) => Object.values(currentScopes(sim.world)).includes(false),
    'openSetting refused without a tap': (sim) => sim.snapshot.context.lastError?.includes('TAP gesture') === true,
    'a call failing because privacy was refused': (sim) => sim.frame().messages.some((m) => m.note?.includes('隐私保护指引') && m.label === 'fail'),
  },
});
