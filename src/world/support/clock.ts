/**
 * Time in the simulated world. Everything that expires (codes, sessions,
 * tokens) reads the same clock, so a reader can jump ahead and watch expiry
 * happen instead of waiting five real minutes.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** 2026-11-23 09:00 Beijing time: a fixed start keeps replays identical. */
export const SIMULATION_EPOCH = Date.UTC(2026, 10, 23, 1, 0, 0);

export class VirtualClock implements Clock {
  #now: number;

  constructor(start = SIMULATION_EPOCH) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`clock can only move forward, got ${ms}`);
    this.#now += ms;
  }
}

export const systemClock: Clock = { now: () => Date.now() };
