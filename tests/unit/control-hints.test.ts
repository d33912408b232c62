/**
 * Every control says what it does: the shell shows a control's hint when the
 * pointer or focus is on it, and a control without one left the reader with
 * the placeholder line instead.
 */
import { describe, expect, it } from 'vitest';
import { simulations } from '../../src/chapters/registry.ts';

const registered = await simulations();

describe.each(registered.map(({ chapter, definition }) => [chapter.slug, definition] as const))('%s controls', (_slug, definition) => {
  it.each(definition.controls.map((control) => [control.label, control] as const))('%s has a hint', (_label, control) => {
    expect(control.hint?.trim()).toBeTruthy();
  });
});
