/**
 * Model-based test of 周期性更新 vs 数据预拉取: the machine is the model, the
 * simulated world (the WeChat client's cache, WeChat's server, the developer
 * server) is the system under test. Before a world step the test picks,
 * through the reader's own controls, the platform, the way onLaunch reads,
 * the server's speed and size under which the world must produce the
 * modelled outcome, then checks that it does.
 *
 * Chapter invariants, from the world's own ledgers: a periodic request never
 * carries path/query/scene and is never sent more than 7 days after the last
 * use; pre-fetches happen only on cold starts, one each; cached data never
 * comes from a request older than the one that filled the slot before.
 */
import { describe, expect, it } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import type { BackgroundFetchEvent, BackgroundFetchMachine, Entrance, PreDelivery, PreRead } from '../../src/chapters/background-fetch/machine.ts';
import { backgroundFetchSimulation, readingControl } from '../../src/chapters/background-fetch/simulation.ts';
import type { BackgroundFetchWorld, Reading } from '../../src/chapters/background-fetch/world.ts';
import { replay, Simulation, stateToString } from '../../src/kit/engine/engine.ts';
import { RECENT_USE_WINDOW_MS } from '../../src/world/wechat/background-fetch.ts';
import { SCENE_TIMELINE_SINGLE_PAGE } from '../../src/world/wechat/share.ts';
import { describeChapterModel, press, setSwitch, stateWith } from '../support/chapter-model.ts';

type Snapshot = SnapshotFrom<BackgroundFetchMachine>;
type Sim = Simulation<BackgroundFetchMachine, BackgroundFetchWorld>;


/** Press 下一步 until `done` holds: pending effects run first, then what the world scheduled, in time order. */
async function stepUntil(sim: Sim, done: () => boolean, limit = 40): Promise<void> {
  for (let i = 0; i < limit && !done(); i += 1) await press(sim, 'next');
  if (!done()) throw new Error('the world never produced the expected outcome');
}

/** The client's periodic fetch: it fetches, or stops after 7 days without use, which it cannot while the mini program is on screen. */
const periodicOutcomes = (snapshot: Snapshot, inUse: boolean): BackgroundFetchEvent[] =>
  snapshot.context.periodicActive && !snapshot.context.preInFlight
    ? [
        { type: 'client.periodicFetched', cached: true },
        { type: 'client.periodicFetched', cached: false },
        ...(inUse ? [] : [{ type: 'client.periodicStopped' } as const]),
      ]
    : [];

function arrivals(snapshot: Snapshot, running: boolean): BackgroundFetchEvent[] {
  if (!snapshot.context.preInFlight) return [];
  const heard = running && snapshot.context.listening;
  return [
    { type: 'client.preFetchArrived', delivery: heard ? 'listener' : 'unheard' },
    { type: 'client.preFetchArrived', delivery: 'notCached' },
  ];
}

function worldOutcomes(snapshot: Snapshot): BackgroundFetchEvent[] {
  const { context } = snapshot;
  switch (stateToString(snapshot.value)) {
    case 'coldStart.downloading':
      if (!context.preSentThisStart) return [{ type: 'wechat.preFetchSent', slow: false }, { type: 'wechat.preFetchSent', slow: true }];
      // A fast answer beats the 1.2 s code package; a slow one comes after App.onLaunch.
      return context.preInFlight && !context.preSlow ? arrivals(snapshot, true) : [{ type: 'client.packageLoaded' }];
    case 'coldStart.launching': {
      const got = context.preCachedThisStart ? ['fresh'] : context.preSlotFilled ? ['stale'] : context.preInFlight ? ['failed', 'empty'] : ['failed'];
      return [
        ...got.flatMap((pre) => [
          { type: 'mp.launchRead', pre, listening: true },
          { type: 'mp.launchRead', pre, listening: false },
        ]),
        { type: 'mp.launchRead', pre: 'notCalled', listening: true },
      ] as BackgroundFetchEvent[];
    }
    case 'showing':
      return [...arrivals(snapshot, true), ...periodicOutcomes(snapshot, true)];
    case 'background':
      return [...arrivals(snapshot, true), ...periodicOutcomes(snapshot, false)];
    case 'closed':
      return [...arrivals(snapshot, false), ...periodicOutcomes(snapshot, false)];
    case 'hotStart':
      return [{ type: 'mp.shown' }];
    case 'closing':
      // Days may pass before WeChat gets round to ending it (a clock jump delivers the client's ticks first).
      return [{ type: 'client.processEnded' }, ...periodicOutcomes(snapshot, false).filter((event) => event.type === 'client.periodicStopped')];
    default:
      return [];
  }
}

const serializeState = ({ value, context: c }: Snapshot) =>
  stateWith(value, {
    periodic: c.periodicActive,
    sent: c.preSentThisStart,
    flight: c.preInFlight,
    slow: c.preSlow,
    filled: c.preSlotFilled,
    this: c.preCachedThisStart,
    listening: c.listening,
  });

function readingFor(pre: string, listening: boolean): Reading {
  if (pre === 'notCalled') return 'listenOnly';
  return listening ? 'both' : 'getOnly';
}

async function produce(sim: Sim, event: BackgroundFetchEvent): Promise<void> {
  const world = sim.world;
  switch (event.type) {
    case 'wechat.preFetchSent':
      await setSwitch(sim, 'slow-server', event.slow);
      await press(sim, 'next-wechat');
      return;
    case 'client.packageLoaded':
      await stepUntil(sim, () => sim.snapshot.matches({ coldStart: 'launching' }));
      return;
    case 'client.preFetchArrived': {
      await setSwitch(sim, 'oversized', event.delivery === 'notCached');
      const before = world.deliveries.length;
      await stepUntil(sim, () => world.deliveries.length > before);
      expect(world.deliveries.at(-1)!.delivery).toBe(event.delivery);
      return;
    }
    case 'mp.launchRead': {
      const reading = readingFor(event.pre, event.listening);
      await setSwitch(sim, readingControl(reading), true);
      // Fresh data reads the same everywhere: read it once on an old iOS WeChat, whose timeStamp is in seconds.
      if (event.pre === 'fresh') await setSwitch(sim, event.listening ? 'phone-android' : 'phone-ios-old', true);
      if (event.pre === 'failed') await setSwitch(sim, 'phone-android', true);
      if (event.pre === 'empty') await setSwitch(sim, 'phone-ios', true);
      await stepUntil(sim, () => sim.snapshot.matches('showing'));
      expect(world.reads.at(-1)!.pre).toBe(event.pre);
      return;
    }
    case 'mp.shown':
      await stepUntil(sim, () => sim.snapshot.matches('showing'));
      return;
    case 'client.processEnded':
      await stepUntil(sim, () => sim.snapshot.matches('closed'));
      return;
    case 'client.periodicFetched': {
      await setSwitch(sim, 'oversized', !event.cached);
      const before = world.requests.length;
      await stepUntil(sim, () => world.requests.length > before);
      expect(world.requests.at(-1)!.stored).toBe(event.cached ? 'cached' : 'notCacheable');
      return;
    }
    case 'client.periodicStopped':
      // By the clock alone, not 下一步: in closing, 下一步 would end the mini program first.
      await press(sim, 'plus-7d');
      for (let day = 0; day < 3 && world.periodicPlanned; day += 1) await press(sim, 'plus-1d');
      expect(world.periodicPlanned).toBe(false);
      return;
    default:
      throw new Error(`no way to produce ${event.type}`);
  }
}

function invariants(sim: Sim): void {
  const world = sim.world;
  const periodic = world.requests.filter((r) => r.request.fetchType === 'periodic');
  const pre = world.requests.filter((r) => r.request.fetchType === 'pre');
  for (const record of periodic) {
    // The WeChat client sends it, with appid, token and timestamp only: it knows nothing of the page.
    expect(record.from).toBe('client');
    expect(Object.keys(record.request).filter((key) => ['path', 'query', 'scene', 'code'].includes(key))).toEqual([]);
  }
  for (const record of pre) {
    expect(record.from).toBe('wechat');
    expect(record.running).toBe(true);
    // Token or code, never both.
    expect([record.request.token, 'code' in record.request ? record.request.code : undefined].filter((v) => v !== undefined)).toHaveLength(1);
  }
  // One pre-fetch per cold start, none for a hot start (a start whose request WeChat has not sent yet aside).
  const unsent = sim.snapshot.matches('coldStart') && !sim.snapshot.context.preSentThisStart ? 1 : 0;
  expect(pre.length).toBe(sim.snapshot.context.coldStarts - unsent);
  // Every slot holds data from the newest request that was cached into it.
  for (const fetchType of ['periodic', 'pre'] as const) {
    const slot = world.cache.slots[fetchType];
    const cached = world.requests.filter((r) => r.request.fetchType === fetchType && r.stored === 'cached');
    if (cached.length === 0) expect(slot).toBeNull();
    else expect(slot!.requestedAt).toBe(Math.max(...cached.map((r) => r.at)));
  }
  // No periodic request more than 7 days after the last use before it (the world starts just after a use).
  for (const record of periodic) {
    const lastUse = Math.max(...world.uses.filter((at) => at <= record.at));
    expect(record.at - lastUse).toBeLessThanOrEqual(RECENT_USE_WINDOW_MS);
  }
  // Single-page mode (1154) disables periodic update and has no login state: no periodic read, and no
  // token set by that launch.
  for (const read of world.reads) expect(read.periodicRead).toBe(read.scene !== SCENE_TIMELINE_SINGLE_PAGE);
  for (const at of world.tokenSets) expect(world.reads.some((read) => read.at === at && read.scene !== SCENE_TIMELINE_SINGLE_PAGE)).toBe(true);
}

/** A cold start whose pre-fetch lands before the package has loaded: the page reads fresh data. */
const freshColdStart = (entrance: Entrance): BackgroundFetchEvent[] => [
  { type: 'user.opened', entrance },
  { type: 'wechat.preFetchSent', slow: false },
  { type: 'client.preFetchArrived', delivery: 'unheard' },
  { type: 'client.packageLoaded' },
  { type: 'mp.launchRead', pre: 'fresh', listening: true },
];

/** A cold start from a card on a slow server: the page reads what the cache holds (`pre`) before the answer lands. */
const slowColdStart = (pre: PreRead, listening: boolean, delivery: PreDelivery): BackgroundFetchEvent[] => [
  { type: 'user.opened', entrance: 'card' },
  { type: 'wechat.preFetchSent', slow: true },
  { type: 'client.packageLoaded' },
  { type: 'mp.launchRead', pre, listening },
  { type: 'client.preFetchArrived', delivery },
];

describeChapterModel<BackgroundFetchMachine, BackgroundFetchWorld>({
  definition: backgroundFetchSimulation,
  outcomes: worldOutcomes,
  serializeState,
  produce,
  invariants,
  minPaths: 30,
  scenarios: [
    {
      name: 'phone in the pocket for 8 days: periodic fetches, then the 7-day window ends',
      events: [
        ...Array.from({ length: 3 }, () => ({ type: 'client.periodicFetched', cached: true }) as const),
        { type: 'client.periodicStopped' },
      ],
    },
    {
      name: 'slow server, second start: old data first, then fresh via the listener',
      events: [
        ...freshColdStart('card'),
        { type: 'user.leftMiniProgram' },
        { type: 'user.closedMiniProgram' },
        { type: 'client.processEnded' },
        ...slowColdStart('stale', true, 'listener'),
      ],
    },
    {
      name: 'slow server, get only: the fresh data never reaches the page',
      events: slowColdStart('empty', false, 'unheard'),
    },
    {
      name: 'token set in onLaunch rides on the next periodic fetch; a hot start sends nothing',
      events: [
        ...freshColdStart('recent'),
        { type: 'user.leftMiniProgram' },
        { type: 'client.periodicFetched', cached: true },
        { type: 'user.returned' },
        { type: 'mp.shown' },
      ],
    },
    {
      name: 'half a day later, a pre-fetch without a token carries a code: session_key rotates',
      events: [
        { type: 'client.periodicFetched', cached: true },
        ...freshColdStart('card'),
      ],
    },
    {
      name: 'opened from Moments (1154): the periodic slot is not read',
      events: freshColdStart('moments'),
    },
  ],
  mustExercise: {
    'periodic GETs from the WeChat client while the mini program is not running': (sim) =>
      sim.world.requests.filter((r) => r.request.fetchType === 'periodic' && !r.running).length >= 2,
    'the periodic fetches stop after 7 days without use': (sim) => !sim.world.periodicPlanned && sim.snapshot.context.periodicFetches > 0,
    'one pre-fetch from the WeChat server with path, query and scene': (sim) =>
      sim.world.requests.some((r) => r.request.fetchType === 'pre' && r.request.path !== '' && r.request.scene === 1007),
    'a hot start sends no pre-fetch': (sim) => sim.snapshot.context.hotStarts > 0 && sim.world.requests.filter((r) => r.request.fetchType === 'pre').length === sim.snapshot.context.coldStarts,
    'getBackgroundFetchData returns the previous start’s data while the request is out': (sim) => sim.world.reads.some((r) => r.pre === 'stale'),
    'Android fails with nothing cached and the request out': (sim) => sim.world.reads.some((r) => r.pre === 'failed' && r.platform === 'android'),
    'iOS succeeds with empty fetchedData': (sim) => sim.world.reads.some((r) => r.pre === 'empty' && r.platform === 'ios'),
    'onBackgroundFetchData hands the fresh data to the page later': (sim) => sim.world.deliveries.some((d) => d.delivery === 'listener') && sim.world.page?.via === 'listener',
    'without the listener the fresh data never reaches the page': (sim) => {
      const read = sim.world.reads.at(-1);
      return read !== undefined && read.pre !== 'fresh' && sim.world.deliveries.some((d) => d.at > read.at && d.delivery === 'unheard');
    },
    'a listener registered after completion never fires': (sim) => {
      const read = sim.world.reads.at(-1);
      return read !== undefined && read.pre === 'notCalled' && read.listenerAfterCompletion && !sim.world.deliveries.some((d) => d.at > read.at && d.delivery === 'listener');
    },
    'setBackgroundFetchToken goes with the next request, not the current one': (sim) => {
      const firstSet = sim.world.tokenSets[0];
      if (firstSet === undefined) return false;
      const before = sim.world.requests.filter((r) => r.at <= firstSet);
      const after = sim.world.requests.filter((r) => r.at > firstSet);
      return before.some((r) => r.request.token === undefined) && after.some((r) => r.request.token !== undefined && r.user !== null);
    },
    'pre-fetch with a code refreshes session_key': (sim) => sim.world.server.rotations > 0,
    'a response over 256 KB is not cached': (sim) => sim.world.requests.some((r) => r.stored === 'notCacheable'),
    'iOS before 8.0.27 reports timeStamp in seconds': (sim) =>
      sim.world.reads.some((r) => r.reportedTimeStamp !== null && r.trueTimeStamp !== null && r.reportedTimeStamp * 1000 <= r.trueTimeStamp),
    'single-page mode (1154) skips the periodic slot': (sim) => sim.world.reads.some((r) => r.scene === SCENE_TIMELINE_SINGLE_PAGE && !r.periodicRead),
    'single-page mode (1154) sets no token: no login state there': (sim) =>
      sim.world.settings.setToken && sim.world.reads.some((r) => r.scene === SCENE_TIMELINE_SINGLE_PAGE && !sim.world.tokenSets.includes(r.at)),
  },
});

describe('the periodic fetch over days', () => {
  const after = async (link: string) => {
    const result = await replay(backgroundFetchSimulation, link.split('.'));
    if (!result.ok) throw new Error(result.reason);
    invariants(result.simulation);
    return result.simulation;
  };
  const opened = 'open-recent.next.next.next.next.next';

  it('goes on while the mini program stays on screen, however many days pass', async () => {
    const sim = await after(`${opened}.plus-7d.plus-3d`);
    expect(stateToString(sim.snapshot.value)).toBe('showing');
    expect(sim.world.periodicPlanned).toBe(true);
    expect(sim.frame().messages.map((m) => m.label)).not.toContain('不再周期性拉取');
  });

  it('stops once it has been in the pocket for more than 7 days', async () => {
    const sim = await after(`${opened}.leave.plus-7d.plus-3d`);
    expect(sim.world.periodicPlanned).toBe(false);
    expect(sim.frame().messages.map((m) => m.label)).toContain('不再周期性拉取');
  });

  it('says the token expired, not that there was none, when the server cannot tell who asks', async () => {
    const sim = await after(`${opened}.leave.plus-3d.return.next.leave.plus-3d.plus-1d.plus-1d`);
    const answers = sim.frame().messages.filter((m) => m.from === 'developer' && m.to === 'client');
    expect(answers.at(0)?.note).toContain('凭 token 认出');
    expect(answers.at(-1)?.note).toMatch(/^token 已过期/);
    expect(answers.some((m) => m.note?.startsWith('没有 token'))).toBe(false);
  });
});
