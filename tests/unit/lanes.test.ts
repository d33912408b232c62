/**
 * A lane's header may break only between the segments it declares
 * (开发者 / 服务器); joined, they must spell the lane's label exactly, or the
 * header and the messages' routes would name the party differently.
 */
import { expect, it } from 'vitest';
import { simulations } from '../../src/chapters/registry.ts';

const registered = await simulations();

it.each(registered.map(({ chapter, definition }) => [chapter.slug, definition.lanes] as const))('%s: every lane’s segments spell its label', (_slug, lanes) => {
  for (const lane of lanes) {
    if (!lane.segments) continue;
    expect(lane.segments.join('')).toBe(lane.label);
    expect(lane.segments.every((segment) => segment.length > 0 && segment.trim() === segment)).toBe(true);
  }
});

