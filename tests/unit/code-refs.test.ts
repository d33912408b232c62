/**
 * Every state of a simulator points the code panel at a file and region that
 * exist, among the files the panel offers; a renamed region must not silently
 * leave the reader looking at unmarked code.
 */
import { describe, expect, it } from 'vitest';
import type { AnyStateNode } from 'xstate';
import { readSample } from '../../src/lib/code-samples.ts';
import { loginSampleFiles, loginSimulation } from '../../src/simulations/login.ts';

function leafStates(node: AnyStateNode): string[] {
  const children = Object.values(node.states) as AnyStateNode[];
  if (children.length === 0) return [node.path.join('.')];
  return children.flatMap(leafStates);
}

describe.each([[loginSimulation, loginSampleFiles as readonly string[]] as const])('$flow code references', (simulation, files) => {
  it.each(leafStates(simulation.machine.root))('%s', async (state) => {
    const ref = simulation.code(state, null);
    expect(ref, `no code for ${state}`).not.toBeNull();
    expect(files).toContain(ref!.file);
    const { regions } = await readSample(ref!.file);
    expect(Object.keys(regions)).toContain(ref!.region);
  });
});
