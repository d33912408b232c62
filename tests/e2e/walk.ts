/**
 * A walk through a simulator computed by the engine in Node, the same every
 * run: at each step one of the controls enabled at that moment, chosen by a
 * fixed stride, so the walk wanders through states no spec scripts. The
 * browser must land exactly where the engine says.
 */
import type { AnySimulation } from '../../src/chapters/registry.ts';
import { Simulation, STEP_CONTROL_ID } from '../../src/kit/engine/engine.ts';

export async function longWalk(definition: AnySimulation, length = 40) {
  const sim = new Simulation(definition);
  const ids: string[] = [];
  // What the simulator shows after i steps: its state, and whether 下一步 can run there.
  const after = [{ state: sim.frame().state, canStep: sim.canApply(STEP_CONTROL_ID) }];
  for (let i = 0; i < length; i++) {
    const enabled = sim.frame().enabled;
    const id = enabled[(i * 7 + 3) % enabled.length]!;
    const result = await sim.apply(id);
    if (!result.ok) throw new Error(result.reason);
    ids.push(id);
    after.push({ state: sim.frame().state, canStep: sim.canApply(STEP_CONTROL_ID) });
  }
  const frame = sim.frame();
  return { ids, after, state: frame.state, messages: frame.messages.length, hasCode: frame.code !== null };
}
