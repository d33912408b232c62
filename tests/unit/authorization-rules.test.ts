/**
 * WeChat's authorization rules, checked two ways: directly on the world's
 * client API, and over many seeded random walks through the simulator where
 * nothing is arranged — the reader's controls alone drive the world, and the
 * rules must hold after every step.
 */
import { describe, expect, it } from 'vitest';
import { Simulation, stateToString, STEP_CONTROL_ID } from '../../src/kit/engine/engine.ts';
import { authorizationSimulation, createAuthorizationWorld, type AuthorizationWorld } from '../../src/chapters/authorization/simulation.ts';
import { LIVE_SCOPES, type LiveScope, type ScopeAnswer } from '../../src/world/wechat/authorization.ts';
import { seededRandom } from '../../src/world/support/random.ts';
import type { AuthorizationMachine } from '../../src/chapters/authorization/machine.ts';

type Sim = Simulation<AuthorizationMachine, AuthorizationWorld>;

function answers(world: AuthorizationWorld): Record<LiveScope, ScopeAnswer | undefined> {
  const { appid, userId } = world.client;
  return Object.fromEntries(LIVE_SCOPES.map((s) => [s, world.authorization.answer(appid, userId, s)])) as Record<
    LiveScope,
    ScopeAnswer | undefined
  >;
}

/** The user agrees to the privacy guide, then refuses 录音 in WeChat's scope dialog. */
function refuseRecord({ client }: AuthorizationWorld) {
  client.answerPrivacy('authorize', 'scope.record', true);
  client.callScoped('authorize', 'scope.record');
  client.answerScopeDialog('authorize', 'scope.record', false);
}

describe('the WeChat client', () => {
  it('asks once, then remembers: granted succeeds silently, denied fails silently', () => {
    const world = createAuthorizationWorld();
    const { client } = world;
    client.answerPrivacy('authorize', 'scope.record', true);
    expect(client.getSetting()).toEqual({ errMsg: 'getSetting:ok', authSetting: {} });
    expect(client.callScoped('authorize', 'scope.record')).toEqual({ kind: 'dialog', scope: 'scope.record' });
    expect(client.answerScopeDialog('authorize', 'scope.record', false)).toMatchObject({ ok: false, errMsg: 'authorize:fail auth deny' });
    expect(client.callScoped('authorize', 'scope.record')).toMatchObject({ kind: 'done', ok: false, errMsg: 'authorize:fail auth deny' });
    // The gated API follows the same memory as wx.authorize.
    expect(client.callScoped('startRecord', 'scope.record')).toMatchObject({ kind: 'done', ok: false, errMsg: 'startRecord:fail auth deny' });
    expect(client.callScoped('authorize', 'scope.camera')).toEqual({ kind: 'dialog', scope: 'scope.camera' });
    client.answerScopeDialog('authorize', 'scope.camera', true);
    expect(client.callScoped('authorize', 'scope.camera')).toMatchObject({ kind: 'done', ok: true, errMsg: 'authorize:ok' });
    // A never-asked scope is absent, not false.
    expect(client.getSetting().authSetting).toEqual({ 'scope.record': false, 'scope.camera': true });
    expect(() => client.answerScopeDialog('authorize', 'scope.record', true)).toThrow(/never asks twice/);
  });

  it('keeps room for subscription settings', () => {
    const { client } = createAuthorizationWorld();
    expect(client.getSetting({ withSubscriptions: true })).toEqual({
      errMsg: 'getSetting:ok',
      authSetting: {},
      subscriptionsSetting: { mainSwitch: true, itemSettings: {} },
    });
  });

  it('opens the settings page only from a tap, listing only asked scopes', () => {
    const world = createAuthorizationWorld();
    const { client } = world;
    refuseRecord(world);
    expect(client.openSetting({ fromTap: false })).toEqual({ ok: false, errMsg: 'openSetting:fail can only be invoked by user TAP gesture.' });
    expect(() => client.flipSetting('scope.record', true)).toThrow(/not open/);
    expect(client.openSetting({ fromTap: true })).toEqual({ ok: true, rows: { 'scope.record': false } });
    expect(() => client.flipSetting('scope.camera', true)).toThrow(/never asked/);
    expect(client.flipSetting('scope.record', true)).toEqual({ 'scope.record': true });
    expect(client.returnFromSetting()).toEqual({ errMsg: 'openSetting:ok', authSetting: { 'scope.record': true } });
    expect(client.callScoped('startRecord', 'scope.record')).toMatchObject({ kind: 'done', ok: true, errMsg: 'startRecord:ok' });
  });

  it('asks for privacy consent first, and a refusal less than 10 seconds ago fails without asking', () => {
    const world = createAuthorizationWorld();
    const { client, clock } = world;
    expect(client.callScoped('getLocation', 'scope.userLocation')).toEqual({ kind: 'privacy' });
    expect(client.answerPrivacy('getLocation', 'scope.userLocation', false)).toMatchObject({
      ok: false,
      errMsg: 'getLocation:fail privacy permission is not authorized',
      reason: 'privacy',
    });
    clock.advance(9_999);
    expect(client.callScoped('getLocation', 'scope.userLocation')).toMatchObject({ kind: 'done', reason: 'privacyRecent' });
    clock.advance(1);
    expect(client.callScoped('getLocation', 'scope.userLocation')).toEqual({ kind: 'privacy' });
    expect(client.answerPrivacy('getLocation', 'scope.userLocation', true)).toEqual({ kind: 'dialog', scope: 'scope.userLocation' });
  });

  it('fails location scopes without the app.json permission declaration', () => {
    const { client } = createAuthorizationWorld();
    client.answerPrivacy('authorize', 'scope.record', true);
    client.appJson = { userLocationDesc: null };
    expect(client.callScoped('getLocation', 'scope.userLocation')).toMatchObject({ kind: 'done', ok: false, reason: 'notDeclared' });
    expect(client.callScoped('startRecord', 'scope.record')).toEqual({ kind: 'dialog', scope: 'scope.record' });
  });

  it('forgets everything when the mini program is deleted', () => {
    const world = createAuthorizationWorld();
    const { client } = world;
    refuseRecord(world);
    world.authorization.forget(client.appid, client.userId);
    expect(client.getSetting().authSetting).toEqual({});
    expect(client.callScoped('authorize', 'scope.record')).toEqual({ kind: 'privacy' });
  });
});

function answersAsSetting(sim: Sim) {
  return sim.world.authorization.authSetting(sim.world.client.appid, sim.world.client.userId);
}

describe('the simulator', () => {
  /** The errMsg of the last scope-gated call; strategy B follows a failure with getSetting, which is skipped. */
  const lastCall = (sim: Sim) =>
    sim
      .frame()
      .messages.map((m) => m.payload as { errMsg?: string } | undefined)
      .filter((p) => p?.errMsg !== undefined && !p.errMsg.startsWith('getSetting'))
      .at(-1);

  async function run(sim: Sim, ids: string[]) {
    for (const id of ids) {
      const result = await sim.apply(id);
      if (!result.ok) throw new Error(`${id}: ${result.reason}`);
    }
  }

  it('strategy A dead-ends after one refusal; strategy B recovers through the settings page', async () => {
    const sim = new Simulation(authorizationSimulation);
    await run(sim, ['launch-upfront', 'next', 'next', 'agree-privacy', 'next', 'deny', 'next']);
    expect(stateToString(sim.snapshot.value)).toBe('askingAtLaunch.calling');
    // Grant the remaining three.
    for (let i = 0; i < 3; i++) await run(sim, ['next', 'allow', 'next']);
    expect(stateToString(sim.snapshot.value)).toBe('ready');
    const dialogsBefore = sim.frame().messages.filter((m) => m.label.startsWith('弹出授权框')).length;
    // Relaunch: the naive code asks for scope.record again, and fails without a dialog.
    await run(sim, ['launch-upfront', 'next', 'next']);
    expect(lastCall(sim)).toEqual({ errMsg: 'authorize:fail auth deny' });
    expect(sim.frame().messages.filter((m) => m.label.startsWith('弹出授权框')).length).toBe(dialogsBefore);
    expect(sim.frame().enabled).not.toContain('open-setting');
    expect(sim.frame().world.findings.map((f) => f.title)).toContain('策略 A 走进了死胡同');

    // Strategy B on the same phone: the page offers 去设置, and the setting sticks.
    await run(sim, ['launch-ondemand', 'next', 'record', 'next']);
    expect(lastCall(sim)).toEqual({ errMsg: 'authorize:fail auth deny' });
    // Strategy B confirms the refusal with getSetting instead of parsing errMsg.
    expect(sim.frame().messages.at(-1)?.payload).toEqual({ errMsg: 'getSetting:ok', authSetting: answersAsSetting(sim) });
    await run(sim, ['open-setting', 'next', 'switch-record', 'next', 'leave-settings', 'next', 'record', 'next']);
    expect(lastCall(sim)).toEqual({ errMsg: 'authorize:ok' });
    expect(sim.snapshot.context.known['scope.record']).toBe(true);
  });

  it('openSetting from onShow fails and never opens the page', async () => {
    const sim = new Simulation(authorizationSimulation);
    await run(sim, ['launch-ondemand', 'next', 'on-show', 'next']);
    expect(stateToString(sim.snapshot.value)).toBe('ready');
    expect(sim.snapshot.context.lastError).toBe('openSetting:fail can only be invoked by user TAP gesture.');
  });

  it('replays to the same frame', async () => {
    const ids = ['launch-ondemand', 'next', 'locate', 'next', 'refuse-privacy', 'next', 'locate', 'next', 'plus-10s', 'locate', 'next'];
    const a = new Simulation(authorizationSimulation);
    await run(a, ids);
    const b = new Simulation(authorizationSimulation);
    await run(b, ids);
    expect(b.frame()).toEqual(a.frame());
    expect(stateToString(a.snapshot.value)).toBe('asking.privacyPrompt');
  });

  describe('random walks keep WeChat’s rules', () => {
    const WALKS = 250;
    const STEPS = 60;
    it(`${WALKS} walks of ${STEPS} steps`, async () => {
      const source = seededRandom(4242);
      const random = { int: (n: number) => (source.bytes(2).reduce((a, b) => a * 256 + b, 0)) % n };
      let dialogs = 0;
      let settingsOpened = 0;
      for (let walk = 0; walk < WALKS; walk++) {
        const sim = new Simulation(authorizationSimulation);
        let lastAnswers = answers(sim.world);
        for (let step = 0; step < STEPS; step++) {
          const enabled = sim.frame().enabled;
          // Prefer stepping when something is pending, so walks get deep into the flow.
          const pending = enabled.includes(STEP_CONTROL_ID) && random.int(3) > 0;
          const id = pending ? STEP_CONTROL_ID : enabled[random.int(enabled.length)]!;
          const before = stateToString(sim.snapshot.value);
          const from = sim.snapshot.context.openSettingFrom;
          const privacyBefore = sim.world.authorization.privacy(sim.world.client.appid, sim.world.client.userId);
          const clockBefore = sim.world.clock.now();
          await run(sim, [id]);
          const after = stateToString(sim.snapshot.value);
          const now = answers(sim.world);

          // A dialog is shown only for a scope WeChat has never asked about, and only after privacy consent.
          if (after.endsWith('.scopeDialog') && !before.endsWith('.scopeDialog')) {
            dialogs++;
            const scope = sim.snapshot.context.call!.scope as LiveScope;
            expect(now[scope]).toBeUndefined();
            expect(sim.world.authorization.privacy(sim.world.client.appid, sim.world.client.userId).state).toBe('agreed');
          }
          // An answer changes only by the dialog, a switch on the settings page, or deletion.
          for (const scope of LIVE_SCOPES) {
            if (lastAnswers[scope] !== now[scope]) {
              const byDialog = lastAnswers[scope] === undefined && (before.endsWith('.allowing') || before.endsWith('.denying'));
              const bySwitch = before === 'settingsPage.switching';
              const byDeletion = now[scope] === undefined && (before === 'deletingMiniProgram' || before === 'clearingAuthData');
              expect(byDialog || bySwitch || byDeletion, `${scope}: ${lastAnswers[scope]} → ${now[scope]} in ${before}`).toBe(true);
            }
          }
          // The settings page opens only from a tap.
          if (after.startsWith('settingsPage') && !before.startsWith('settingsPage')) {
            settingsOpened++;
            expect(from).toBe('tap');
          }
          // Within 10 s of a privacy refusal, no privacy popup appears.
          if (after.endsWith('.privacyPrompt') && !before.endsWith('.privacyPrompt')) {
            const last = privacyBefore.lastRefusalAt;
            if (last !== null) expect(clockBefore - last).toBeGreaterThanOrEqual(10_000);
          }
          // getSetting reports exactly the scopes WeChat remembers.
          const setting = sim.world.client.getSetting().authSetting;
          expect(Object.keys(setting).sort()).toEqual(LIVE_SCOPES.filter((s) => now[s] !== undefined).sort());
          lastAnswers = now;
        }
      }
      // The walks did exercise the interesting parts.
      expect(dialogs).toBeGreaterThan(50);
      expect(settingsOpened).toBeGreaterThan(5);
    }, 60_000);
  });
});
