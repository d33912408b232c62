import { describe, expect, it } from 'vitest';
import { SimulatorController } from '../../src/kit/engine/controller.ts';
import { formatDeepLink, MAX_LINK_STEPS } from '../../src/kit/engine/deep-link.ts';
import { loginSimulation } from '../../src/chapters/login/simulation.ts';

const controller = () => new SimulatorController(loginSimulation);

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
    const restored = await controller().load(formatDeepLink(state.steps));
    expect(restored.notice).toBeNull();
    expect(restored.steps).toEqual(state.steps);
  });
});
