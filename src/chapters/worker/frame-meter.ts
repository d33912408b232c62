/**
 * How smooth the phone's animation really was while a job ran, from the
 * times its frame callbacks actually ran: how many frames were drawn during
 * the job, the longest gap between two frames around it, and how many
 * frames were missed (a gap of k budgets misses k − 1).
 */
export const FRAME_MS = 1000 / 60;

export interface FrameStats {
  /** Frames drawn while the job ran: none at all when the job blocked the thread that draws. */
  drawn: number;
  /** The longest time between two drawn frames, in ms. */
  longestMs: number;
  dropped: number;
}

/**
 * Stats for a job that ran from `start` to `end`. The gaps counted run from
 * the last frame before the job to the first frame after it: a blocked
 * thread's one long gap starts before the job and ends after it.
 * A frame stamped exactly `start` ran before the job (the job reads the clock
 * after it), and one stamped `end` after it: performance.now() is coarsened
 * to 0.1 ms in a page that is not cross-origin isolated, so a frame that ran
 * just before a job on the main thread often shares its timestamp.
 */
export function measureFrames(timestamps: readonly number[], start: number, end: number): FrameStats {
  const sorted = timestamps.filter(Number.isFinite).sort((a, b) => a - b);
  const before = sorted.filter((t) => t <= start).at(-1);
  const during = sorted.filter((t) => t > start && t < end);
  const after = sorted.find((t) => t >= end);
  const frames = [before, ...during, after].filter((t): t is number => t !== undefined);
  let longestMs = 0;
  let dropped = 0;
  for (let i = 1; i < frames.length; i++) {
    const gap = frames[i]! - frames[i - 1]!;
    longestMs = Math.max(longestMs, gap);
    dropped += Math.max(0, Math.round(gap / FRAME_MS) - 1);
  }
  return { drawn: during.length, longestMs: Math.round(longestMs), dropped };
}
