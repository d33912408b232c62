/**
 * The launchApp scene rule (the companion's utils/launch-app-rule.ts, which
 * the simulated world imports), table by table: every
 * listed scene on both sides of every base-library gate, in each documented
 * era, plus the Open Platform's App → mini program launch rules.
 */
import { describe, expect, it } from 'vitest';
import {
  checkAppLaunch,
  compareVersions,
  ENTRANCES,
  ERAS,
  gateOf,
  LaunchAppState,
  referrerOf,
  SCENE_NAMES,
  SDK_PRESETS,
  ticketChange,
  type NativeApp,
  type TicketChange,
} from '../../src/world/wechat/launch-app.ts';

describe('compareVersions', () => {
  it.each([
    ['2.2.4', '2.2.4', 0],
    ['2.2.3', '2.2.4', -1],
    ['2.2.10', '2.2.4', 1],
    ['2.17.3', '2.9.9', 1],
    ['3.0', '2.17.3', 1],
    ['2.17', '2.17.0', 0],
    ['', '2.2.4', -1],
    ['abc', '0.0.0', 0],
    ['2.x.5', '2.0.5', 0],
  ])('%s vs %s → %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });
});

// Every scene the chapter lists, with what the current rule does below and at/above each gate.
const CURRENT: readonly [scene: number, below2_2_4: TicketChange, at2_2_4: TicketChange, below2_17_3: TicketChange, at2_17_3: TicketChange][] = [
  [1069, 'grant', 'grant', 'grant', 'grant'],
  [1038, 'clear', 'keep', 'keep', 'keep'],
  [1089, 'keep', 'keep', 'keep', 'keep'],
  [1090, 'keep', 'keep', 'keep', 'keep'],
  [1001, 'clear', 'clear', 'clear', 'keep'],
  [1131, 'clear', 'clear', 'clear', 'keep'],
  [1187, 'clear', 'clear', 'clear', 'keep'],
  [1036, 'clear', 'clear', 'clear', 'clear'],
  [1037, 'clear', 'clear', 'clear', 'clear'],
  [1011, 'clear', 'clear', 'clear', 'clear'],
  [1014, 'clear', 'clear', 'clear', 'clear'],
];

describe('current rule: 1069 grants, six scenes keep (two gates), everything else clears', () => {
  it.each(CURRENT)('scene %i', (scene, below224, at224, below2173, at2173) => {
    expect(ticketChange(scene, '2.2.3', 'current')).toBe(below224);
    expect(ticketChange(scene, '2.2.4', 'current')).toBe(at224);
    expect(ticketChange(scene, '2.17.2', 'current')).toBe(below2173);
    expect(ticketChange(scene, '2.17.3', 'current')).toBe(at2173);
    expect(ticketChange(scene, '3.8.0', 'current')).toBe(at2173);
  });

  it('covers every entrance the simulator offers and every scene it names', () => {
    const tabled = new Set(CURRENT.map(([scene]) => scene));
    for (const scene of [...ENTRANCES, ...Object.keys(SCENE_NAMES).map(Number)]) expect(tabled.has(scene), String(scene)).toBe(true);
  });

  it('an unknown scene or a garbled version never crashes and never grants', () => {
    expect(ticketChange(0, '2.17.3')).toBe('clear');
    expect(ticketChange(Number.NaN, '2.17.3')).toBe('clear');
    expect(ticketChange(1038, 'not-a-version')).toBe('clear');
    expect(ticketChange(1069, 'not-a-version')).toBe('grant');
    expect(ticketChange(1089, '2.17.3', 'bogus' as never)).toBe('keep');
  });

  it('the presets sit on both sides of both gates', () => {
    const gates = ERAS.current.keeps.flatMap((gate) => (gate.since ? [gate.since] : []));
    for (const since of gates) {
      expect(SDK_PRESETS.some((v) => compareVersions(v, since) < 0)).toBe(true);
      expect(SDK_PRESETS).toContain(since);
    }
  });
});

describe('older documentation', () => {
  it.each([
    // scene, legacy at 2.2.4, earliest at 2.2.4
    [1036, 'grant', 'grant'],
    [1069, 'grant', 'clear'],
    [1038, 'keep', 'clear'],
    [1089, 'keep', 'keep'],
    [1090, 'keep', 'keep'],
    [1001, 'clear', 'clear'],
    [1131, 'clear', 'clear'],
    [1011, 'clear', 'clear'],
  ] as const)('scene %i: legacy %s, earliest %s', (scene, legacy, earliest) => {
    expect(ticketChange(scene, '2.17.3', 'legacy')).toBe(legacy);
    expect(ticketChange(scene, '2.17.3', 'earliest')).toBe(earliest);
  });

  it('the legacy 1038 keeps only from 2.2.4; the App read the parameter in onReq only in the earliest doc', () => {
    expect(ticketChange(1038, '2.2.3', 'legacy')).toBe('clear');
    expect(gateOf(1038, 'legacy')?.since).toBe('2.2.4');
    expect([ERAS.earliest.appCallback, ERAS.legacy.appCallback, ERAS.current.appCallback]).toEqual(['onReq', 'onResp', 'onResp']);
  });
});

const APP: NativeApp = { appId: 'wxapp', name: 'App', certified: true, openPlatformId: 'open-a', userName: 'gh_lab', inStore: true };
const MP = { appid: 'wxmp', userName: 'gh_lab', openPlatformId: 'open-b' };

describe('App → mini program (Open Platform rules)', () => {
  it('a certified account opens any valid mini program', () => {
    expect(checkAppLaunch(APP, MP)).toEqual({ ok: true });
  });
  it('an uncertified account opens only mini programs of the same Open Platform account', () => {
    expect(checkAppLaunch({ ...APP, certified: false }, MP)).toEqual({ ok: false, reason: 'otherAccount' });
    expect(checkAppLaunch({ ...APP, certified: false }, { ...MP, openPlatformId: 'open-a' })).toEqual({ ok: true });
  });
  it('userName must be the mini program’s 原始ID', () => {
    expect(checkAppLaunch({ ...APP, userName: 'wxmp' }, MP)).toEqual({ ok: false, reason: 'wrongUserName' });
  });
});

describe('LaunchAppState: the flag across a lifecycle', () => {
  it('grants on 1069, keeps through 1089 and 1038, clears on a QR scan', () => {
    const state = new LaunchAppState('2.17.3', 'current');
    expect(state.tap('x')).toEqual({ ok: false, errMsg: 'invalid scene' });
    expect(state.enterWith(1069, APP)).toEqual({ scene: 1069, cold: true, change: 'grant', ticket: true });
    expect(state.enter).toEqual({ scene: 1069, referrerInfo: { appId: 'wxapp' } });
    expect(state.enterWith(1089, APP).ticket).toBe(true);
    expect(state.enterWith(1038, APP).ticket).toBe(true);
    expect(state.enter?.referrerInfo).toEqual({ appId: referrerOf(1038, APP).appId });
    expect(state.tap('lesson=42')).toEqual({ ok: true, appId: 'wxapp', extMsg: 'lesson=42' });
    expect(state.enterWith(1011, APP)).toMatchObject({ cold: false, change: 'clear', ticket: false });
    expect(state.tap('lesson=42')).toEqual({ ok: false, errMsg: 'invalid scene' });
    expect(state.launch?.scene).toBe(1069);
  });

  it('a cold start begins without a ticket, so a keeping scene keeps nothing', () => {
    const state = new LaunchAppState('2.17.3', 'current');
    state.enterWith(1069, APP);
    state.close();
    expect(state.enterWith(1089, APP)).toMatchObject({ cold: true, change: 'keep', ticket: false });
  });

  it('1038 below 2.2.4 clears the ticket', () => {
    const state = new LaunchAppState('2.2.3', 'current');
    state.enterWith(1069, APP);
    expect(state.enterWith(1038, APP).ticket).toBe(false);
  });
});
