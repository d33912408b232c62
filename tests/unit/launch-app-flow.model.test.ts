/**
 * Model-based test of 打开 App: the machine is the model, the simulated
 * world (the WeChat client's LaunchAppState and the Open Platform check) is
 * the system under test. Before a world step the test picks the base library
 * and documentation era (through the reader's own controls) under which the
 * world must produce the modelled ticket change, then checks that it does.
 *
 * The chapter's invariant is checked against the world's own record, not the
 * rule table: the App receives `extMsg` exactly when the entries since the
 * last cold start end in a grant followed only by keeps; every other tap
 * gives binderror `invalid scene`.
 */
import { expect } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import type { LaunchAppEvent, LaunchAppMachine } from '../../src/chapters/launch-app/machine.ts';
import { APP_PARAMETER, launchAppSimulation, sdkControl, type LaunchAppWorld, type TapRecord } from '../../src/chapters/launch-app/simulation.ts';
import { Simulation, stateToString, STEP_CONTROL_ID } from '../../src/kit/engine/engine.ts';
import { ERAS, INVALID_SCENE, SDK_PRESETS, ticketChange, type EntryRecord, type LaunchAppEra, type TicketChange } from '../../src/world/wechat/launch-app.ts';
import { choose, describeChapterModel, press, setSwitch, stateWith } from '../support/chapter-model.ts';

type Snapshot = SnapshotFrom<LaunchAppMachine>;
type Sim = Simulation<LaunchAppMachine, LaunchAppWorld>;


const ERA_ORDER = Object.keys(ERAS) as LaunchAppEra[];
/** Newest first, so the world stays on the newest base library unless a path needs an old one. */
const SDK_ORDER = [...SDK_PRESETS].reverse();

/** Every change the world can make for a scene, over all eras and presets the reader can pick. */
function possibleChanges(scene: number): TicketChange[] {
  const changes = new Set<TicketChange>();
  for (const era of ERA_ORDER) for (const sdk of SDK_ORDER) changes.add(ticketChange(scene, sdk, era));
  return [...changes];
}

function worldOutcomes(snapshot: Snapshot): LaunchAppEvent[] {
  const { context } = snapshot;
  switch (stateToString(snapshot.value)) {
    case 'app.requesting':
      return [
        { type: 'wechat.launchAccepted' },
        { type: 'wechat.launchRefused', reason: 'otherAccount' },
        { type: 'wechat.launchRefused', reason: 'wrongUserName' },
      ];
    case 'entering': {
      const scene = context.pendingScene;
      return scene === null ? [] : possibleChanges(scene).map((change) => ({ type: 'wechat.sceneRouted', scene, change }));
    }
    case 'closing':
      return [{ type: 'wechat.miniProgramClosed' }];
    case 'tapping':
      // The machine's ticket mirrors WeChat's: the world must agree, which the walk checks.
      return context.ticket ? [{ type: 'wechat.appOpened', extMsg: APP_PARAMETER }] : [{ type: 'wechat.launchAppFailed', errMsg: INVALID_SCENE }];
    case 'app.receiving':
      return [{ type: 'app.respReceived', extMsg: APP_PARAMETER }];
    default:
      return [];
  }
}

const serializeState = ({ value, context: c }: Snapshot) => stateWith(value, { ticket: c.ticket, running: c.running, scene: c.pendingScene ?? '-' });

/** Choose, through the reader's controls, an era and base library under which the scene makes the change. */
async function arrangeChange(sim: Sim, scene: number, change: TicketChange) {
  for (const era of ERA_ORDER) {
    for (const sdk of SDK_ORDER) {
      if (ticketChange(scene, sdk, era) !== change) continue;
      await choose(sim, `era-${era}`);
      await choose(sim, sdkControl(sdk));
      return;
    }
  }
  throw new Error(`no era or base library makes ${scene} ${change}`);
}

async function produce(sim: Sim, event: LaunchAppEvent) {
  if (event.type === 'wechat.launchRefused' || event.type === 'wechat.launchAccepted') {
    const reason = event.type === 'wechat.launchRefused' ? event.reason : null;
    await setSwitch(sim, 'wrong-username', reason === 'wrongUserName');
    await setSwitch(sim, 'uncertified', reason === 'otherAccount');
  }
  if (event.type === 'wechat.sceneRouted') await arrangeChange(sim, event.scene, event.change);
  await press(sim, STEP_CONTROL_ID);
}

/** The entries before a tap, and what WeChat's ticket was after them, derived from the world's own record of changes. */
function ticketFromRecord(entries: readonly EntryRecord[]): boolean {
  let ticket = false;
  for (const entry of entries) {
    if (entry.cold) ticket = false;
    if (entry.change === 'grant') ticket = true;
    else if (entry.change === 'clear') ticket = false;
  }
  return ticket;
}

const entriesBefore = (world: LaunchAppWorld, tap: TapRecord) => world.state.history.slice(0, tap.entries);
const lastEntryBefore = (world: LaunchAppWorld, tap: TapRecord) => entriesBefore(world, tap).at(-1);

function invariants(sim: Sim) {
  const { world } = sim;
  const { context } = sim.snapshot;
  expect(context.ticket, 'the machine’s ticket mirrors WeChat’s').toBe(world.state.ticket);
  let opened = 0;
  for (const tap of world.taps) {
    const holds = ticketFromRecord(entriesBefore(world, tap));
    if (tap.result.ok) {
      opened++;
      expect(holds, 'the App was opened although the entries since the last cold start do not end in a grant followed by keeps').toBe(true);
      expect(tap.result.extMsg).toBe(APP_PARAMETER);
      expect(tap.result.appId).toBe(world.app.appId);
    } else {
      expect(holds, 'invalid scene although the ticket was held').toBe(false);
      expect(tap.result.errMsg).toBe(INVALID_SCENE);
    }
  }
  // The App reads extMsg once per successful tap; the last one may still be on its way.
  const inFlight = sim.snapshot.matches({ app: 'receiving' }) ? 1 : 0;
  expect(world.appReceived).toEqual(Array(opened - inFlight).fill(APP_PARAMETER));
  for (const message of sim.frame().messages.filter((m) => m.label === 'binderror')) {
    expect(message.payload).toEqual({ errMsg: INVALID_SCENE });
    expect(message.tone).toBe('error');
  }
}

const routed = (scene: number, change: TicketChange): LaunchAppEvent => ({ type: 'wechat.sceneRouted', scene, change });
const fromApp: LaunchAppEvent[] = [{ type: 'user.launchedFromApp' }, { type: 'wechat.launchAccepted' }, routed(1069, 'grant')];
const backThrough = (scene: number, change: TicketChange): LaunchAppEvent[] => [
  { type: 'user.wentToBackground' },
  { type: 'user.enteredFrom', scene },
  routed(scene, change),
];
const tapOpens: LaunchAppEvent[] = [
  { type: 'user.tappedLaunchApp' },
  { type: 'wechat.appOpened', extMsg: APP_PARAMETER },
  { type: 'app.respReceived', extMsg: APP_PARAMETER },
];
const tapFails: LaunchAppEvent[] = [{ type: 'user.tappedLaunchApp' }, { type: 'wechat.launchAppFailed', errMsg: INVALID_SCENE }];

describeChapterModel<LaunchAppMachine, LaunchAppWorld>({
  definition: launchAppSimulation,
  outcomes: worldOutcomes,
  serializeState,
  produce,
  invariants,
  readerControls: new Set([
    'launch-from-app',
    'tap-launch-app',
    'to-background',
    'to-wechat',
    'to-app',
    'close-mp',
    'enter-1089',
    'enter-1038',
    'enter-1011',
    'enter-1036',
  ]),
  minPaths: 10,
  scenarios: [
    { name: 'App → 1069 → 打开App', events: [...fromApp, ...tapOpens] },
    { name: 'kept through 1089 and 1038, then used', events: [...fromApp, ...backThrough(1089, 'keep'), ...backThrough(1038, 'keep'), ...tapOpens] },
    { name: 'a QR scan clears the ticket', events: [...fromApp, ...backThrough(1011, 'clear'), ...tapFails] },
    { name: '1038 below 2.2.4 clears the ticket', events: [...fromApp, ...backThrough(1038, 'clear'), ...tapFails] },
    { name: 'uncertified Open Platform account', events: [{ type: 'user.launchedFromApp' }, { type: 'wechat.launchRefused', reason: 'otherAccount' }] },
    { name: 'wrong 原始ID', events: [{ type: 'user.launchedFromApp' }, { type: 'wechat.launchRefused', reason: 'wrongUserName' }] },
    {
      name: 'a cold start through 1089 keeps nothing',
      events: [...fromApp, { type: 'user.wentToBackground' }, { type: 'user.closedMiniProgram' }, { type: 'wechat.miniProgramClosed' }, { type: 'user.enteredFrom', scene: 1089 }, routed(1089, 'keep'), ...tapFails],
    },
  ],
  mustExercise: {
    'a 1069 grant used': (sim) => sim.world.taps.some((tap) => tap.result.ok && lastEntryBefore(sim.world, tap)?.scene === 1069),
    'a ticket kept through 1089 or 1038 and used': (sim) =>
      sim.world.taps.some((tap) => {
        const last = lastEntryBefore(sim.world, tap);
        return tap.result.ok && last?.change === 'keep' && (last.scene === 1089 || last.scene === 1038);
      }),
    'a held ticket cleared by a QR scan (1011), then invalid scene': (sim) =>
      sim.world.state.history.some((entry, i) => entry.scene === 1011 && entry.change === 'clear' && sim.world.state.history[i - 1]?.ticket === true) &&
      sim.world.taps.some((tap) => !tap.result.ok),
    'an uncertified-account refusal': (sim) => sim.world.appLaunches.some((launch) => launch.reason === 'otherAccount'),
    'a wrong 原始ID refusal': (sim) => sim.world.appLaunches.some((launch) => launch.reason === 'wrongUserName'),
    'a base-library gate clearing 1038': (sim) => sim.world.state.history.some((entry) => entry.scene === 1038 && entry.change === 'clear'),
  },
});
