import { describe, expect, it } from 'vitest';
import { OVERSCAN_LINES, windowAfterScroll, windowAround, windowCovering, windowInView } from '../../src/kit/shell/line-window.ts';

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

  it('draws only what the panel will show at a step’s first paint, and no more than the room around it holds', () => {
    const first = windowInView(330, [200, 205]);
    // The panel scrolls the step's first line two lines below its top and shows about 21 lines.
    expect(first.from).toBe(197);
    expect(first.to - first.from).toBeGreaterThanOrEqual(22);
    const around = windowAround(330, [200, 205]);
    expect(first.from).toBeGreaterThanOrEqual(around.from);
    expect(first.to).toBeLessThanOrEqual(around.to);
    expect(first.to - first.from).toBeLessThan((around.to - around.from) / 2);
  });

  it('draws every line of a long step at its first paint, since the mark spans them all', () => {
    expect(windowInView(330, [100, 160])).toEqual({ from: 97, to: 160 });
  });

  it('draws the end of the file when the panel cannot scroll the step to its top', () => {
    const end = windowInView(330, [325, 328]);
    expect(end.to).toBe(330);
    expect(end.to - end.from).toBeGreaterThanOrEqual(22);
    expect(windowInView(330, undefined)).toEqual({ from: 0, to: 24 });
    expect(windowInView(12, [3, 5])).toEqual({ from: 0, to: 12 });
  });

  it('before a paint, asks for more lines only when some in view are not drawn', () => {
    const first = windowInView(330, [200, 205]);
    expect(windowCovering(330, first.from, first.from + 21, first)).toBeNull();
    // The full-window workbench shows 36 lines.
    expect(windowCovering(330, first.from, first.from + 36, first)).toEqual({ from: first.from - OVERSCAN_LINES, to: first.from + 36 + OVERSCAN_LINES });
    // A 44-line file whose step is near its end, in a panel 36 lines tall: it shows lines 8 to 44.
    const end = windowInView(44, [31, 34]);
    expect(windowCovering(44, 8, 44, end)).toEqual({ from: 0, to: 44 });
    expect(windowCovering(44, 8, 44, { from: 0, to: 44 })).toBeNull();
  });

  it('keeps after the paint every line the first paint drew, a step at the very end of a file included', () => {
    // windowInView(23, [23, 23]) draws lines 0–23; the room around the step alone would start at line 2.
    expect(windowAround(23, [23, 23])).toEqual({ from: 0, to: 23 });
    for (let total = 1; total <= 120; total++) {
      for (let first = 1; first <= total; first++) {
        for (const last of [first, Math.min(total, first + 3), total]) {
          const inView = windowInView(total, [first, last]);
          const around = windowAround(total, [first, last]);
          if (around.from > inView.from || around.to < inView.to) throw new Error(`${total} [${first}, ${last}]: ${JSON.stringify({ inView, around })}`);
        }
      }
    }
  });

  it('never leaves the file', () => {
    const end = windowAfterScroll(330, 310, 330, { from: 200, to: 320 });
    expect(end).toEqual({ from: 310 - OVERSCAN_LINES, to: 330 });
    expect(windowAfterScroll(330, 310, 330, end!)).toBeNull();
  });
});
