/**
 * A chapter shaped unlike login, for the kit's own tests: five lanes, no
 * phone, two effects queued at once on different lanes, and an expiry the
 * world schedules and delivers when the clock moves. Two servers each fetch
 * a token; WeChat expires it two hours later.
 */
import { assign, setup } from 'xstate';
import { clockControl, effectBuilder, stateMeta, userControl } from '../../src/kit/engine/controls.ts';
import { defineSimulation, type Recorder } from '../../src/kit/engine/definition.ts';
import { HOUR } from '../../src/world/support/clock.ts';
import { VirtualClock } from '../../src/world/support/clock.ts';
import { silentWire } from '../../src/world/support/wire.ts';

type FixtureEvent =
  | { type: 'user.started' }
  | { type: 'a.fetched'; token: string }
  | { type: 'b.fetched'; token: string }
  | { type: 'wechat.expired' };

export const fixtureMachine = setup({
  types: { context: {} as { a: string | null; b: string | null; expired: number }, events: {} as FixtureEvent },
  actions: { fetchA: () => {}, fetchB: () => {} },
}).createMachine({
  id: 'fixture',
  initial: 'idle',
  context: { a: null, b: null, expired: 0 },
  on: { 'wechat.expired': { actions: assign({ a: null, b: null, expired: ({ context }) => context.expired + 1 }) } },
  states: {
    idle: { on: { 'user.started': 'fetching' } },
    fetching: {
      entry: ['fetchA', 'fetchB'],
      on: {
        'a.fetched': { actions: assign({ a: ({ event }) => event.token }) },
        'b.fetched': { actions: assign({ b: ({ event }) => event.token }) },
      },
      always: { guard: ({ context }) => context.a !== null && context.b !== null, target: 'serving' },
    },
    serving: { on: { 'user.started': 'fetching' } },
  },
});

interface FixtureWorld {
  clock: VirtualClock;
  wire: Recorder;
  issued: number;
}

const effect = effectBuilder<FixtureWorld, typeof fixtureMachine>();

function fetchFrom(lane: 'server-a' | 'server-b') {
  return effect(lane, `${lane} 取 token`, async (world, _snapshot, { record, schedule }) => {
    world.issued += 1;
    const token = `T${world.issued}`;
    record({ from: lane, to: 'wechat', label: 'GET /cgi-bin/token', payload: { secret: '…' }, secrets: ['secret'] });
    record({ from: 'wechat', to: lane, label: 'access_token', payload: { access_token: token }, secrets: ['access_token'] });
    record({ from: lane, to: 'store', label: 'SET token', payload: { access_token: token }, secrets: ['access_token'] });
    if (lane === 'server-a') {
      schedule({
        after: 2 * HOUR,
        lane: 'wechat',
        label: `${token} 过期`,
        run: ({ record: note }) => {
          note({ from: 'wechat', to: 'admin', label: `${token} 过期` });
          return { type: 'wechat.expired' };
        },
      });
    }
    return lane === 'server-a' ? { type: 'a.fetched', token } : { type: 'b.fetched', token };
  });
}

export const fixtureSimulation = defineSimulation<typeof fixtureMachine, FixtureWorld>({
  flow: 'fixture',
  title: '测试用',
  machine: fixtureMachine,
  lanes: [
    { id: 'server-a', label: '服务器 A', trust: 'developer' },
    { id: 'server-b', label: '服务器 B', trust: 'developer' },
    { id: 'store', label: '共享存储', trust: 'developer' },
    { id: 'wechat', label: '微信服务器', trust: 'wechat' },
    { id: 'admin', label: '运维', trust: 'developer' },
  ],
  phones: [],
  timeScale: 'ms',
  effects: { fetchA: fetchFrom('server-a'), fetchB: fetchFrom('server-b') },
  createWorld: () => ({ clock: new VirtualClock(), wire: silentWire, issued: 0 }),
  controls: [userControl('start', '开始', { type: 'user.started' } as const, '开始取 token'), clockControl('plus-3h', '+3 小时', 3 * HOUR, '两个 token 都过期')],
  view: (world, snapshot) => ({
    holdings: [
      ...(snapshot.context.a ? [{ holder: 'server-a', item: 'access_token', value: snapshot.context.a, secret: true }] : []),
      { holder: 'wechat', item: '已签发', value: String(world.issued) },
    ],
    findings: [],
  }),
  states: { idle: stateMeta('x.ts', 'a'), fetching: stateMeta('y.ts', 'b', '取 token 中…'), serving: { code: null } },
  codeFiles: [],
});
