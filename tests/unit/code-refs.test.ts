/**
 * Every state of every registered simulator points the code panel at a file
 * and region that exist, among the files the panel offers; a renamed region
 * must not silently leave the reader looking at unmarked code.
 */
import { describe, expect, it } from 'vitest';
import { simulations } from '../../src/chapters/registry.ts';
import { readSample } from '../../src/lib/code-samples.ts';
import { leafStates } from '../support/chapter-model.ts';

const registered = await simulations();

describe.each(registered.map(({ chapter, definition }) => [chapter.slug, definition] as const))('%s code references', (slug, definition) => {
  it('has a simulator', () => expect(registered.length).toBeGreaterThanOrEqual(3));

  // The island fetches its code at /code/<flow>.json, which the build writes per chapter slug.
  it('is named like its chapter', () => expect(definition.flow).toBe(slug));

  it.each(leafStates(definition.machine.root))('%s', async (state) => {
    const meta = definition.states[state];
    expect(meta, `no metadata for ${state}`).toBeDefined();
    const ref = meta!.code;
    expect(ref, `no code for ${state}`).not.toBeNull();
    expect(definition.codeFiles).toContain(ref!.file);
    const { code, regions } = await readSample(ref!.file);
    expect(Object.keys(regions)).toContain(ref!.region);
    // A region shows code, not just comments.
    const [start, end] = regions[ref!.region]!;
    const lines = code.split('\n').slice(start - 1, end);
    expect(lines.some((line) => !/^\s*(\/\/|<!--|\*|\/\*|$)/.test(line))).toBe(true);
  });

  it('names no state the machine does not have', () => {
    const states = new Set(leafStates(definition.machine.root));
    expect(Object.keys(definition.states).filter((state) => !states.has(state))).toEqual([]);
  });
});
