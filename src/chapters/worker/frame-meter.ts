/**
 * How smooth the phone's animation really was while a job ran: from the
 * timestamps of requestAnimationFrame callbacks, the longest gap between two
 * frames and how many frames were missed (a gap of k budgets misses k − 1).
 */
export const FRAME_MS = 1000 / 60;

export interface FrameStats {
  /** The longest time between two drawn frames, in ms. */
  longestMs: number;
  dropped: number;
}

/**
 * Stats over the frames drawn between `start` and `end`, counting the gap
 * from the last frame before `start` (a blocked thread's first gap starts there).
 */
export function measureFrames(timestamps: readonly number[], start: number, end: number): FrameStats {
  const sorted = timestamps.filter(Number.isFinite).sort((a, b) => a - b);
  const before = sorted.filter((t) => t < start).at(-1);
  const frames = [...(before === undefined ? [] : [before]), ...sorted.filter((t) => t >= start && t <= end)];
  let longestMs = 0;
  let dropped = 0;
  for (let i = 1; i < frames.length; i++) {
    const gap = frames[i]! - frames[i - 1]!;
    longestMs = Math.max(longestMs, gap);
    dropped += Math.max(0, Math.round(gap / FRAME_MS) - 1);
  }
  return { longestMs: Math.round(longestMs), dropped };
}
