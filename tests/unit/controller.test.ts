import { describe, expect, it } from 'vitest';
import { KEPT_REPLAY_FRAMES, SimulatorController } from '../../src/kit/engine/controller.ts';
import { formatDeepLink, MAX_LINK_STEPS } from '../../src/kit/engine/deep-link.ts';
import { replay } from '../../src/kit/engine/engine.ts';
import { loginSimulation } from '../../src/chapters/login/simulation.ts';

const controller = () => new SimulatorController(loginSimulation);

/** The login chapter, counting the worlds it makes: one per simulation, so one per replay. */
function counted(idle?: (() => void)[]) {
  const worlds = { made: 0 };
  const definition = {
    ...loginSimulation,
    createWorld: (scheduler: Parameters<typeof loginSimulation.createWorld>[0]) => {
      worlds.made += 1;
      return loginSimulation.createWorld(scheduler);
    },
  };
  // Without `idle`, the page is never idle: no spare replay runs.
  return { c: new SimulatorController(definition, { whenIdle: (work) => void idle?.push(work) }), worlds };
}

/** A login, then the clock a minute at a time: any length, every step available. */
const walk = (length: number) => ['login', ...Array.from({ length: length - 1 }, () => 'plus-1m')];

/** What a fresh replay of the first `steps` steps shows. */
const replayed = async (steps: readonly string[]) => (await replay(loginSimulation, steps)).simulation.frame();

describe('simulator controller', () => {
  it('records steps, walks back and forward, and resets', async () => {
    const c = controller();
    await c.press('login');
    await c.press('next');
    let state = await c.press('next');
    expect(state.steps).toEqual(['login', 'next', 'next']);
    expect(state.frame.state).toBe('loggingIn.awaitingServer.exchangingCode');

    state = await c.back();
    expect(state.frame.state).toBe('loggingIn.awaitingServer.requestInFlight');
    expect(state.canForward).toBe(true);
    state = await c.forward();
    expect(state.frame.state).toBe('loggingIn.awaitingServer.exchangingCode');

    await c.back();
    state = await c.press('plus-6m');
    expect(state.canForward).toBe(false);
    expect(state.steps).toEqual(['login', 'next', 'plus-6m']);

    state = await c.reset();
    expect(state.steps).toEqual([]);
    expect(state.frame.state).toBe('signedOut');
  });

  it('steps back and forward over the steps a reader took without replaying, showing what a replay would', async () => {
    const { c, worlds } = counted();
    const steps = ['login', 'next', 'next', 'next', 'next', 'profile', 'next'];
    for (const id of steps) await c.press(id);
    expect(worlds.made).toBe(1);
    for (let at = steps.length - 1; at >= 0; at--) {
      const state = await c.back();
      expect(state.steps).toEqual(steps.slice(0, at));
      expect(state.frame).toEqual(await replayed(steps.slice(0, at)));
    }
    for (let at = 1; at <= steps.length; at++) expect((await c.forward()).frame).toEqual(await replayed(steps.slice(0, at)));
    expect(worlds.made).toBe(1);
  });

  it('takes a new step from an earlier one on a simulation brought there, and forgets the steps it replaces', async () => {
    const { c, worlds } = counted();
    for (const id of ['login', 'next', 'next', 'next']) await c.press(id);
    await c.back();
    await c.back();
    let state = await c.press('plus-6m');
    // The simulation was two steps ahead: it is replayed to the cursor, once.
    expect(worlds.made).toBe(2);
    expect(state.steps).toEqual(['login', 'next', 'plus-6m']);
    expect(state.canForward).toBe(false);
    expect(state.frame).toEqual(await replayed(state.steps));
    // Back over the new step and forward again: kept frames, no replay; then on from there.
    await c.back();
    state = await c.forward();
    expect(state.frame).toEqual(await replayed(['login', 'next', 'plus-6m']));
    state = await c.press('next');
    expect(worlds.made).toBe(2);
    expect(state.frame).toEqual(await replayed(['login', 'next', 'plus-6m', 'next']));
    // Back twice, forward once over kept frames: the simulation is past the cursor, so a new step replays.
    await c.back();
    await c.back();
    await c.forward();
    expect(worlds.made).toBe(2);
    state = await c.press('plus-1m');
    expect(worlds.made).toBe(3);
    expect(state.frame).toEqual(await replayed(['login', 'next', 'plus-6m', 'plus-1m']));
  });

  it('steps a simulation that is behind the cursor on to it, without a replay', async () => {
    const { c, worlds } = counted();
    const steps = walk(30);
    await c.load(formatDeepLink(steps));
    // The step back replays to step 29 (no spare without an idle page); 前进一步 shows the restored frame.
    await c.back();
    await c.forward();
    expect(worlds.made).toBe(3);
    const state = await c.press('plus-6m');
    expect(worlds.made).toBe(3);
    expect(state.frame).toEqual(await replayed([...steps, 'plus-6m']));
  });

  it('starts fresh, with nothing to step forward into, when replaying a link throws', async () => {
    const throwing = {
      ...loginSimulation,
      effects: Object.fromEntries(
        Object.entries(loginSimulation.effects).map(([name, effect]) => [
          name,
          {
            ...effect,
            run: () => {
              throw new Error('故障');
            },
          },
        ]),
      ),
    } as typeof loginSimulation;
    const state = await new SimulatorController(throwing).load('1.login.next.next');
    expect(state.notice).toContain('故障');
    expect(state.steps).toEqual([]);
    expect(state.canForward).toBe(false);
    expect(state.frame.state).toBe('signedOut');
  });

  it('costs no replay to press a control that is not available at an earlier step', async () => {
    const { c, worlds } = counted();
    for (const id of ['login', 'next']) await c.press(id);
    await c.back();
    const state = await c.press('profile');
    expect(state.steps).toEqual(['login']);
    expect(worlds.made).toBe(1);
  });

  it(`restores a link on one replay; a step back before the page is idle replays and keeps the ${KEPT_REPLAY_FRAMES} frames before it`, async () => {
    const { c, worlds } = counted();
    const steps = walk(KEPT_REPLAY_FRAMES + 15);
    // One world for the first step, drawn before the link is read; one for the link's replay.
    await c.load(formatDeepLink(steps));
    expect(worlds.made).toBe(2);
    let state = await c.back();
    expect(worlds.made).toBe(3);
    expect(state.frame).toEqual(await replayed(steps.slice(0, 34)));
    for (let i = 1; i < KEPT_REPLAY_FRAMES; i++) state = await c.back();
    expect(worlds.made).toBe(3);
    expect(state.frame).toEqual(await replayed(steps.slice(0, 15)));
    state = await c.back();
    expect(worlds.made).toBe(4);
    // Every frame is kept now, the restored one included.
    for (let i = 0; i < 14; i++) state = await c.back();
    expect(state.frame).toEqual(await replayed([]));
    for (let i = 0; i < 35; i++) state = await c.forward();
    expect(state.steps).toEqual(steps);
    expect(worlds.made).toBe(4);
    expect(state.frame).toEqual(await replayed(steps));
  });

  describe('once the page is idle, a spare replay prepares', () => {
    function idleController() {
      const idle: (() => void)[] = [];
      const { c, worlds } = counted(idle);
      const runIdle = () => idle.splice(0).forEach((work) => work());
      return { c, worlds, runIdle };
    }

    it('the frames before a restored step, and a new step from where the reader went back to', async () => {
      const { c, worlds, runIdle } = idleController();
      const steps = walk(KEPT_REPLAY_FRAMES + 15);
      await c.load(formatDeepLink(steps));
      runIdle();
      expect(worlds.made).toBe(3);
      let state = c.state();
      for (let i = 0; i < KEPT_REPLAY_FRAMES - 1; i++) state = await c.back();
      expect(state.frame).toEqual(await replayed(steps.slice(0, 16)));
      expect(worlds.made).toBe(3);
      runIdle();
      expect(worlds.made).toBe(4);
      state = await c.press('plus-6m');
      expect(worlds.made).toBe(4);
      expect(state.frame).toEqual(await replayed([...steps.slice(0, 16), 'plus-6m']));
      // The new line of history needs nothing prepared.
      runIdle();
      expect(worlds.made).toBe(4);
    });

    it('nothing once the reader has moved past it: a new step there replays, on the line of history it starts', async () => {
      const { c, worlds, runIdle } = idleController();
      for (const id of walk(10)) await c.press(id);
      await c.back();
      await c.back();
      // A spare for step 8 starts, then the reader steps back once more and takes another step.
      runIdle();
      await c.back();
      let state = await c.press('plus-6m');
      expect(worlds.made).toBe(3);
      expect(state.frame).toEqual(await replayed([...walk(7), 'plus-6m']));
      runIdle();
      state = await c.back();
      expect(state.frame).toEqual(await replayed(walk(7)));
      state = await c.forward();
      expect(state.frame).toEqual(await replayed([...walk(7), 'plus-6m']));
      expect(state.canForward).toBe(false);
    });
  });

  it('ignores a control that is not available now', async () => {
    const state = await controller().press('next');
    expect(state.steps).toEqual([]);
    expect(state.notice).toBeNull();
  });

  it('applies presses in order even when they are not awaited', async () => {
    const c = controller();
    void c.press('login');
    void c.press('next');
    const state = await c.press('next');
    expect(state.frame.state).toBe('loggingIn.awaitingServer.exchangingCode');
  });

  it('replays a deep link into the same frame as the live run', async () => {
    const live = controller();
    for (const id of ['login', 'next', 'next', 'next', 'next', 'profile', 'next']) await live.press(id);
    const restored = await controller().load('1.login.next.next.next.next.profile.next');
    expect(restored.frame).toEqual(live.state().frame);
  });

  it('takes a link to step 0 as the start itself: nothing restored, nothing to announce', async () => {
    const state = await controller().load('1');
    expect(state).toMatchObject({ restored: null, notice: null, steps: [], canForward: false });
    expect(state.frame).toEqual(controller().state().frame);
  });

  it('turns a bad link into a notice and a fresh start', async () => {
    const tampered = await controller().load('1.login.<b>');
    expect(tampered.notice).toContain('无法还原');
    expect(tampered.frame.state).toBe('signedOut');
    const impossible = await controller().load('1.login.next.profile');
    expect(impossible.notice).toContain('第 3 步');
    expect(impossible.steps).toEqual([]);
    expect(impossible.frame.messages).toEqual([]);
  });

  it('never writes a link it could not restore: the history stops at the limit and says so', async () => {
    const c = controller();
    let state = await c.press('login');
    for (let i = 1; i < MAX_LINK_STEPS; i++) state = await c.press('plus-1m');
    expect(state.steps).toHaveLength(MAX_LINK_STEPS);
    state = await c.press('plus-1m');
    expect(state.steps).toHaveLength(MAX_LINK_STEPS);
    expect(state.notice).toContain(`${MAX_LINK_STEPS} 步`);
    // A step back is what the notice asks for: it goes, and a new step is taken again.
    state = await c.back();
    expect(state.notice).toBeNull();
    state = await c.press('plus-1m');
    expect(state.steps).toHaveLength(MAX_LINK_STEPS);
    expect(state.notice).toBeNull();
    const restored = await controller().load(formatDeepLink(state.steps));
    expect(restored.notice).toBeNull();
    expect(restored.steps).toEqual(state.steps);
  });
});
