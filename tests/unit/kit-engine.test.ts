/**
 * The kit's engine on a chapter shaped unlike login (tests/support/fixture-simulation.ts):
 * several effects queued at once, a lane the reader picks, events the world
 * schedules and delivers in order when the clock moves, and replay.
 */
import { describe, expect, it, vi } from 'vitest';
import { defineSimulation } from '../../src/kit/engine/definition.ts';
import { knownControlIds, replay, Simulation, STEP_CONTROL_ID, waitFor } from '../../src/kit/engine/engine.ts';
import { HOUR } from '../../src/world/support/clock.ts';
import { fixtureSimulation } from '../support/fixture-simulation.ts';

async function run(ids: string[]) {
  const sim = new Simulation(fixtureSimulation);
  for (const id of ids) expect(await sim.apply(id), id).toEqual({ ok: true });
  return sim;
}

describe('the kit engine', () => {
  it('queues both entry effects, each on its lane, and offers a pick only while two lanes are busy', async () => {
    const sim = await run(['start']);
    const frame = sim.frame();
    expect(frame.pending.map((p) => p.lane)).toEqual(['server-a', 'server-b']);
    expect(frame.enabled).toEqual(expect.arrayContaining([STEP_CONTROL_ID, 'next-server-a', 'next-server-b']));
    expect(frame.nextDescription).toBe('server-a 取 token');
    await sim.apply('next-server-b');
    expect(sim.frame().pending.map((p) => p.lane)).toEqual(['server-a']);
    expect(sim.frame().enabled).not.toContain('next-server-a');
    expect(sim.snapshot.context.b).toBe('T1');
    await sim.apply(STEP_CONTROL_ID);
    expect(sim.snapshot.value).toBe('serving');
    expect(sim.snapshot.context.a).toBe('T2');
  });

  it('delivers a scheduled event when the clock passes it, on its lane, and 下一步 waits for the next one', async () => {
    const sim = await run(['start', STEP_CONTROL_ID, STEP_CONTROL_ID]);
    expect(sim.frame().agenda).toEqual([{ at: sim.frame().clock + 2 * HOUR, lane: 'wechat', label: 'T1 过期' }]);
    expect(sim.frame().enabled).toContain(STEP_CONTROL_ID);
    expect(sim.frame().nextDescription).toBe('等到 T1 过期');
    // No space between two Chinese characters.
    expect(waitFor('主线程算完 fib(32)')).toBe('等到主线程算完 fib(32)');
    await sim.apply(STEP_CONTROL_ID);
    expect(sim.frame().elapsed).toBe(2 * HOUR);
    expect(sim.snapshot.context).toMatchObject({ a: null, b: null, expired: 1 });
    expect(sim.frame().messages.at(-1)).toMatchObject({ from: 'wechat', to: 'admin', label: 'T1 过期' });
    expect(sim.frame().enabled).not.toContain(STEP_CONTROL_ID);
  });

  it('a clock jump delivers everything due on the way, in order, and lands on the target time', async () => {
    const sim = await run(['start', STEP_CONTROL_ID, STEP_CONTROL_ID, 'plus-3h']);
    expect(sim.snapshot.context.expired).toBe(1);
    expect(sim.frame().elapsed).toBe(3 * HOUR);
    expect(sim.frame().log.at(-1)).toMatchObject({ control: 'plus-3h', messages: 1 });
  });

  it('replays the same ids to the same frame, and the deep link knows the lane controls', async () => {
    const ids = ['start', 'next-server-b', STEP_CONTROL_ID, 'plus-3h', 'start'];
    const sim = await run(ids);
    const again = await replay(fixtureSimulation, ids);
    expect(again.ok && again.simulation.frame()).toEqual(sim.frame());
    expect([...knownControlIds(fixtureSimulation as never)]).toEqual(
      expect.arrayContaining(['next-server-a', 'next-server-b', 'next-store', 'next-wechat', 'next-admin']),
    );
  });

  it('lets other tasks run during a long replay and still reaches the same frame', async () => {
    const ids = ['start', 'next-server-b', STEP_CONTROL_ID, 'plus-3h', 'start', STEP_CONTROL_ID];
    const sim = await run(ids);
    // Every step looks slow (20 ms of the clock the engine reads), so the replay must give way between steps.
    let now = 0;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => (now += 20));
    const ran: number[] = [];
    const ticker = setInterval(() => ran.push(now), 0);
    try {
      const again = await replay(fixtureSimulation, ids);
      expect(again.ok && again.simulation.frame()).toEqual(sim.frame());
    } finally {
      clearInterval(ticker);
      clock.mockRestore();
    }
    expect(ran.length).toBeGreaterThanOrEqual(ids.length - 1);
  });

  it('refuses a lane pick when only one lane is busy, and says why', async () => {
    const sim = await run([]);
    expect(await sim.apply('next-server-a')).toEqual({ ok: false, reason: '「先处理：服务器 A」此刻不可用' });
    expect(await sim.apply('nope')).toEqual({ ok: false, reason: '未知的操作 “nope”' });
  });

  it('rejects a definition with an unknown lane or a reserved control id', () => {
    expect(() => defineSimulation({ ...fixtureSimulation, effects: { fetchA: { ...fixtureSimulation.effects.fetchA!, lane: 'nowhere' } } })).toThrow(
      /unknown lane nowhere/,
    );
    expect(() =>
      defineSimulation({ ...fixtureSimulation, controls: [{ kind: 'clock', id: 'next-store', label: 'x', ms: 1, hint: 'x' }] }),
    ).toThrow(/reserved/);
  });
});
