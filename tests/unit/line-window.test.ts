import { describe, expect, it } from 'vitest';
import { OVERSCAN_LINES, windowAfterScroll, windowAround } from '../../src/kit/shell/line-window.ts';

describe('the lines a code panel draws', () => {
  it('draws a short file whole', () => {
    expect(windowAround(12, [3, 5])).toEqual({ from: 0, to: 12 });
    expect(windowAround(12, undefined)).toEqual({ from: 0, to: 12 });
  });

  it('draws the step’s lines of a long file with room around them, however long the region', () => {
    const lines = windowAround(330, [200, 205]);
    expect(lines.from).toBe(199 - OVERSCAN_LINES);
    expect(lines.to).toBeGreaterThanOrEqual(205 + OVERSCAN_LINES);
    expect(lines.to).toBeLessThanOrEqual(330);
    const long = windowAround(330, [10, 150]);
    expect(long.from).toBe(0);
    expect(long.to).toBeGreaterThanOrEqual(150);
  });

  it('starts at the top of a file the step has no lines in', () => {
    expect(windowAround(330, undefined).from).toBe(0);
  });

  it('draws nothing new while the lines in view have room on both sides, and moves the window when they do not', () => {
    const current = windowAround(330, [200, 205]);
    expect(windowAfterScroll(330, 195, 215, current)).toBeNull();
    const down = windowAfterScroll(330, current.to - 22, current.to - 2, current);
    expect(down).toEqual({ from: current.to - 22 - OVERSCAN_LINES, to: Math.min(330, current.to - 2 + OVERSCAN_LINES) });
    const up = windowAfterScroll(330, 0, 20, current);
    expect(up).toEqual({ from: 0, to: 20 + OVERSCAN_LINES });
  });

  it('never leaves the file', () => {
    const end = windowAfterScroll(330, 310, 330, { from: 200, to: 320 });
    expect(end).toEqual({ from: 310 - OVERSCAN_LINES, to: 330 });
    expect(windowAfterScroll(330, 310, 330, end!)).toBeNull();
  });
});
