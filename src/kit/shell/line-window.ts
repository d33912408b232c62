/**
 * Which lines of a code file the panel draws. A file has up to ~330 lines
 * and the panel shows about twenty; drawing the whole file cost a phone-speed
 * step that changed file 0.4–0.8 s, nearly all of it laying out lines nobody
 * could see. The panel draws a window around what is in view and keeps the
 * rest as empty space of the right height, so the scroll bar is the file's.
 * A step's first paint draws only what will be in view (windowInView); the
 * lines around it, there for a scroll, follow after the paint (windowAround).
 */

/** Lines drawn beyond those in view, above and below, so that a short scroll needs no drawing. */
export const OVERSCAN_LINES = 20;

/** The most lines the panel shows at once (the workbench's full-window height on a tall screen); the panel is never measured for it. */
const SCREEN_LINES = 40;

/**
 * Lines a step's first paint draws: the panel's usual height (24rem of 12 px lines at 1.55 is about 21)
 * and a few more. A taller panel (the full-window workbench) asks for the rest before the paint.
 */
const FIRST_PAINT_LINES = 24;

/** How far below the panel's top CodePanel scrolls the step's first line. */
export const STEP_OFFSET_PX = 24;

/** The lines above the step that STEP_OFFSET_PX shows (12 px lines at 1.55, rounded up). */
const LINES_ABOVE_STEP = 2;

/** Lines `from` (inclusive) to `to` (exclusive), counted from 0. */
export interface LineWindow {
  readonly from: number;
  readonly to: number;
}

const clamp = (total: number, from: number, to: number): LineWindow => ({ from: Math.max(0, from), to: Math.min(total, to) });

/**
 * The window for a step: around its lines (`range`, 1-based and inclusive, as
 * regions are), or the top of the file when the step has none here.
 */
export function windowAround(total: number, range: readonly [number, number] | undefined): LineWindow {
  if (!range) return clamp(total, 0, SCREEN_LINES + OVERSCAN_LINES);
  const [first, last] = range;
  const around = clamp(total, first - 1 - OVERSCAN_LINES, Math.max(last, first + SCREEN_LINES) + OVERSCAN_LINES);
  // Near a file's end the panel shows lines above the step that `around` would leave out (windowInView):
  // the window drawn after the paint must keep every line the first paint drew.
  const inView = windowInView(total, range);
  return { from: Math.min(around.from, inView.from), to: Math.max(around.to, inView.to) };
}

/**
 * What the panel shows once it has scrolled to the step's lines (or, without
 * any, to the top), and all of the step's lines, which its mark spans. Near
 * the end of a file the panel cannot scroll that far, and shows the last lines.
 */
export function windowInView(total: number, range: readonly [number, number] | undefined): LineWindow {
  if (!range) return clamp(total, 0, FIRST_PAINT_LINES);
  const [first, last] = range;
  const from = Math.min(first - 1 - LINES_ABOVE_STEP, total - FIRST_PAINT_LINES);
  return clamp(total, from, Math.max(last, from + FIRST_PAINT_LINES));
}

/**
 * Lines `top` to `bottom` are in view: null when `current` draws them all, otherwise the window around them.
 * Before a paint, where only a blank stretch matters, not the room for a scroll.
 */
export function windowCovering(total: number, top: number, bottom: number, current: LineWindow): LineWindow | null {
  const covered = current.from <= top && current.to >= bottom;
  return covered ? null : clamp(total, top - OVERSCAN_LINES, bottom + OVERSCAN_LINES);
}

/**
 * After the reader scrolls so that lines `top` to `bottom` (from 0, exclusive)
 * are in view: the window to draw, or null while the current one still has
 * room on both sides.
 */
export function windowAfterScroll(total: number, top: number, bottom: number, current: LineWindow): LineWindow | null {
  const margin = OVERSCAN_LINES / 4;
  const roomAbove = current.from === 0 || top - current.from >= margin;
  const roomBelow = current.to === total || current.to - bottom >= margin;
  if (roomAbove && roomBelow) return null;
  return clamp(total, top - OVERSCAN_LINES, bottom + OVERSCAN_LINES);
}
