import type { Frame } from '../engine/engine.ts';

/** A value of the world panel's "who holds what" rows: phones draw from the frame, never from the world itself. */
export function held(frame: Pick<Frame, 'world'>, holder: string, item: string): string {
  return frame.world.holdings.find((row) => row.holder === holder && row.item === item)?.value ?? '';
}
