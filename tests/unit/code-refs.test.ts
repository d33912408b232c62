/**
 * Every state of a simulator points the code panel at a file and region that
 * exist, among the files the panel offers; a renamed region must not silently
 * leave the reader looking at unmarked code.
 */
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { readSample } from '../../src/lib/code-samples.ts';
import { authorizationSampleFiles, authorizationSimulation } from '../../src/chapters/authorization/simulation.ts';
import { loginSampleFiles, loginSimulation } from '../../src/chapters/login/simulation.ts';
import { phoneNumberSampleFiles, phoneNumberSimulation } from '../../src/chapters/phone-number/simulation.ts';
import type { SimulationDefinition } from '../../src/kit/engine/definition.ts';

function leafStates(node: AnyStateNode): string[] {
  const children = Object.values(node.states) as AnyStateNode[];
  if (children.length === 0) return [node.path.join('.')];
  return children.flatMap(leafStates);
}

const simulations: [string, SimulationDefinition<AnyStateMachine, never>, readonly string[]][] = [
  ['login', loginSimulation as never, loginSampleFiles],
  ['authorization', authorizationSimulation as never, authorizationSampleFiles],
  ['phone-number', phoneNumberSimulation as never, phoneNumberSampleFiles],
];

describe.each(simulations)('%s code references', (_flow, simulation, files) => {
  it.each(leafStates(simulation.machine.root))('%s', async (state) => {
    const ref = simulation.code(state, null);
    expect(ref, `no code for ${state}`).not.toBeNull();
    expect(files).toContain(ref!.file);
    const { regions } = await readSample(ref!.file);
    expect(Object.keys(regions)).toContain(ref!.region);
  });
});
