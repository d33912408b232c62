/**
 * Model-based test of 授权: the machine is the model, the simulated world is
 * the system under test. Generated paths take every transition; before each
 * world step the test arranges WeChat's memory (scope answers, privacy
 * consent, the app.json declaration) so that the world must produce the
 * event the model expects, then checks that it does.
 */
import { describe, expect, it } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import {
  authorizationMachine,
  FLOW_SCOPES,
  type AuthorizationEvent,
  type AuthorizationMachine,
  type AuthSettingView,
} from '../../src/chapters/authorization/machine.ts';
import { Simulation, stateToString, STEP_CONTROL_ID } from '../../src/kit/engine/engine.ts';
import { authorizationSimulation, type AuthorizationWorld } from '../../src/chapters/authorization/simulation.ts';
import type { LiveScope } from '../../src/world/wechat/authorization.ts';
import { transitionCover } from '../support/transition-cover.ts';

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

const readerEvents: AuthorizationEvent[] = authorizationSimulation.controls.flatMap((c) =>
  c.kind === 'user' && modelledControls.has(c.id) ? [c.event] : [],
);

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

const modelEvents = (snapshot: Snapshot) => [...readerEvents, ...worldOutcomes(snapshot)];

const sortedKeys = (value: object | null) => (value ? Object.keys(value).sort().join(',') : '-');

/** What makes two snapshots the same node: the state plus the context the guards read. */
const serializeState = (snapshot: Snapshot) => {
  const c = snapshot.context;
  const anyDenied = FLOW_SCOPES.some((s) => c.known[s] === false);
  return `${stateToString(snapshot.value)}|${c.strategy}|q${c.queue.length}|${c.call?.scope ?? '-'}|denied:${anyDenied}|rows:${sortedKeys(c.settingsRows)}|${c.openSettingFrom ?? '-'}`;
};

async function press(sim: Sim, control: string) {
  const result = await sim.apply(control);
  if (!result.ok) throw new Error(`${control}: ${result.reason}`);
}

async function setDeclared(sim: Sim, declared: boolean) {
  if (sim.frame().active.includes('no-permission') === declared) await press(sim, 'no-permission');
}

/**
 * Rebuild WeChat's memory for this user × app through its own public API:
 * forget everything, answer the given scopes, then set the privacy consent.
 */
function arrange(world: AuthorizationWorld, scopes: AuthSettingView, privacy: 'agreed' | 'fresh' | 'recentRefusal') {
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

/** Make the world produce `event` from where the simulation stands, then step. */
async function produce(sim: Sim, event: AuthorizationEvent) {
  const control = authorizationSimulation.controls.find(
    (c) => c.kind === 'user' && JSON.stringify(c.event) === JSON.stringify(event),
  );
  if (control) return press(sim, control.id);

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
        arrange(world, scopes, 'fresh');
        break;
      case 'wx.scopeDialogShown':
        arrange(world, without(scopes, scope), privacyNow);
        break;
      case 'wx.callSucceeded':
        arrange(world, { ...scopes, [scope]: true }, privacyNow);
        break;
      case 'wx.callFailed':
        if (event.reason === 'privacyRecent') arrange(world, scopes, 'recentRefusal');
        else if (event.reason === 'denied') arrange(world, { ...scopes, [scope]: false }, privacyNow);
        else arrange(world, without(scopes, scope), privacyNow);
        break;
    }
  } else if (event.type === 'wx.settingRead') {
    arrange(world, event.authSetting, 'fresh');
  } else if (event.type === 'wx.settingsPageOpened') {
    arrange(world, event.rows, 'agreed');
  }
  await press(sim, STEP_CONTROL_ID);
}

const { paths, untaken } = transitionCover(authorizationMachine, { events: modelEvents, serializeState });

function leafStates(): string[] {
  const all: string[] = [];
  const walk = (node: typeof authorizationMachine.root) => {
    for (const child of Object.values(node.states)) {
      if (Object.keys(child.states).length === 0) all.push(child.path.join('.'));
      walk(child);
    }
  };
  walk(authorizationMachine.root);
  return all;
}

describe('authorization flow model', () => {
  it('generated paths take every declared transition', () => {
    expect(untaken).toEqual([]);
    expect(paths.length).toBeGreaterThan(40);
  });

  it('reaches every state of the machine', () => {
    const reached = new Set(paths.flatMap((p) => p.steps.map((s) => stateToString(s.state.value))));
    expect(leafStates().filter((s) => !reached.has(s))).toEqual([]);
  });

  describe.each(paths.map((p) => [p.name, p] as const))('%s', (_name, path) => {
    it('the world produces the modelled events and agrees with what the mini program learns', async () => {
      const sim = new Simulation(authorizationSimulation);
      for (const step of path.steps) {
        await produce(sim, step.event);
        expect(serializeState(sim.snapshot)).toBe(serializeState(step.state));
      }
      const { context } = sim.snapshot;
      const remembered = currentScopes(sim.world);
      // getSetting never reports a scope WeChat has not asked about.
      for (const scope of FLOW_SCOPES) {
        if (!(scope in remembered)) expect(sim.world.client.getSetting().authSetting).not.toHaveProperty(scope);
      }
      // On the settings page, the switches are exactly the scopes already asked.
      if (context.settingsRows) expect(context.settingsRows).toEqual(remembered);
    });
  });
});
