/**
 * The reader's session with one simulator: the steps taken, a cursor for
 * step back / forward, the frames already shown, and a simulation. Operations
 * are queued so that fast clicks or key presses apply in order; each resolves
 * to the frame to show. No React here, so it is tested on its own.
 *
 * A simulation only moves forward, so reaching an earlier step means replaying
 * the history from the first one. Frames are plain data and never change once
 * made, so each one is kept: stepping back or forward over steps already seen
 * shows the kept frame and replays nothing. What would still need a replay (a
 * new step from an earlier one, or a step back from a restored link) is
 * prepared while the page is idle, by a spare replay.
 */
import type { AnyStateMachine, ContextFrom } from 'xstate';
import { knownControlIds, replay, Simulation, type Frame, type ReplayOptions, type ReplayResult } from './engine.ts';
import type { KitWorld, SimulationDefinition } from './definition.ts';
import { MAX_LINK_STEPS, parseDeepLink } from './deep-link.ts';

/**
 * How many frames a replay keeps, of the last steps it applies, so that the
 * 后退一步 after it replay nothing. A link's restore keeps none: the reader
 * waits for it, and a frame costs what one to three steps of replay cost
 * (twenty made a 200-step restore of /share/ a tenth slower at 4× CPU); the
 * spare replayed once the page is idle keeps them instead.
 */
export const KEPT_REPLAY_FRAMES = 20;

const LIMIT_NOTICE = `已经走了 ${MAX_LINK_STEPS} 步，链接存不下更多了。后退几步或重置后再继续。`;

/** Runs work once the page is idle; outside a page (Node), never: a spare is only a head start. */
export type WhenIdle = (work: () => void) => void;

const browserIdle: WhenIdle = (work) => {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(work, { timeout: 1000 });
  // Safari has no idle callback: a moment after the step is drawn stands in for it.
  else if (typeof document !== 'undefined') setTimeout(work, 200);
};

export interface ControllerState<TContext = unknown> {
  frame: Frame<TContext>;
  /** Steps applied, in order; what the deep link stores. */
  steps: string[];
  canBack: boolean;
  canForward: boolean;
  /** Something the reader must be told, e.g. a link that could not be restored. */
  notice: string | null;
  /** How many steps a shared link restored, until the reader moves on or dismisses it. */
  restored: number | null;
}

/** A replay run while the page is idle: a simulation at `steps` steps of `history`, and the frames of the last of them. */
interface Spare<TMachine extends AnyStateMachine, TWorld extends KitWorld> {
  steps: number;
  history: readonly string[];
  stop: AbortController;
  /** The reader waits for it now: it stops giving way to the page's other work. */
  hurry(): void;
  /** The simulation, once replayed; null when the replay was stopped or a step failed. */
  done: Promise<Simulation<TMachine, TWorld> | null>;
}

export class SimulatorController<TMachine extends AnyStateMachine, TWorld extends KitWorld> {
  readonly #definition: SimulationDefinition<TMachine, TWorld>;
  readonly #whenIdle: WhenIdle;
  #simulation: Simulation<TMachine, TWorld>;
  /** How many steps of the history the simulation has applied; may be past the cursor after 后退一步. */
  #simulated = 0;
  /** Every step ever applied on this line of history; those past the cursor can be redone. A new step replaces the array. */
  #history: readonly string[] = [];
  #cursor = 0;
  /** The frame after the first n steps of the history, for each n shown or prepared; always holds the cursor's. */
  #frames = new Map<number, Frame<ContextFrom<TMachine>>>();
  #spare: Spare<TMachine, TWorld> | null = null;
  /** An idle callback is on its way to start a spare: one is enough. */
  #spareWaiting = false;
  /** True while an operation runs: the simulation and cursor are in motion, and it plans the spare when done. */
  #operating = false;
  #notice: string | null = null;
  #restored: number | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(definition: SimulationDefinition<TMachine, TWorld>, { whenIdle = browserIdle }: { whenIdle?: WhenIdle } = {}) {
    this.#definition = definition;
    this.#whenIdle = whenIdle;
    this.#simulation = new Simulation(definition);
    this.#frames.set(0, this.#simulation.frame());
  }

  get knownIds(): ReadonlySet<string> {
    return knownControlIds(this.#definition);
  }

  state(): ControllerState<ContextFrom<TMachine>> {
    return {
      frame: this.#frames.get(this.#cursor)!,
      steps: this.#history.slice(0, this.#cursor),
      canBack: this.#cursor > 0,
      canForward: this.#cursor < this.#history.length,
      notice: this.#notice,
      restored: this.#restored,
    };
  }

  /** Restore from the deep link value; anything wrong with it becomes a notice and a fresh start. */
  load(raw: string | null): Promise<ControllerState<ContextFrom<TMachine>>> {
    return this.#enqueue(async () => {
      const parsed = parseDeepLink(raw, this.knownIds);
      // A link to step 0 is the start itself: nothing to restore, and no 「别人分享的第 0 步」 to announce.
      if (parsed.kind === 'empty' || (parsed.kind === 'steps' && parsed.steps.length === 0)) return;
      if (parsed.kind === 'invalid') {
        this.#notice = `${parsed.reason}，无法还原，已从头开始。`;
        return;
      }
      this.#history = [...parsed.steps];
      // Another line of history: only the first step's frame is the same on every line.
      this.#frames = new Map([[0, this.#frames.get(0)!]]);
      let result: ReplayResult<TMachine, TWorld>;
      try {
        result = await this.#replayTo(parsed.steps.length, 0);
      } catch (error) {
        // A step that throws: the fresh start must not offer 前进一步 into the link's steps.
        this.#history = [];
        throw error;
      }
      if (result.ok) {
        this.#restored = parsed.steps.length;
      } else {
        this.#history = [];
        this.#notice = `链接里的第 ${result.failedAt + 1} 步无法还原（${result.reason}），已从头开始。`;
      }
    });
  }

  press(controlId: string): Promise<ControllerState<ContextFrom<TMachine>>> {
    return this.#enqueue(async () => {
      // The link stores every step; past the limit it could not be restored, so the history stops growing.
      if (this.#cursor >= MAX_LINK_STEPS) {
        this.#notice = LIMIT_NOTICE;
        return;
      }
      // The frame says what can be pressed, so an unavailable control costs no replay.
      if (!this.#frames.get(this.#cursor)!.enabled.includes(controlId)) return;
      await this.#simulateTo(this.#cursor);
      const result = await this.#simulation.apply(controlId);
      if (!result.ok) return;
      this.#notice = null;
      this.#restored = null;
      this.#history = [...this.#history.slice(0, this.#cursor), controlId];
      for (const steps of this.#frames.keys()) if (steps > this.#cursor) this.#frames.delete(steps);
      this.#cursor += 1;
      this.#simulated = this.#cursor;
      this.#frames.set(this.#cursor, this.#simulation.frame());
    });
  }

  back(): Promise<ControllerState<ContextFrom<TMachine>>> {
    return this.#enqueue(async () => {
      if (this.#cursor === 0) return;
      // A spare on its way may bring the frame: waiting for it is shorter than a replay of our own.
      if (!this.#frames.has(this.#cursor - 1) && this.#spareKeeps(this.#cursor - 1)) {
        this.#spare!.hurry();
        await this.#spare!.done;
      }
      if (this.#frames.has(this.#cursor - 1)) this.#cursor -= 1;
      else await this.#replayTo(this.#cursor - 1, KEPT_REPLAY_FRAMES);
      // The reader did what the notice asked.
      if (this.#notice === LIMIT_NOTICE) this.#notice = null;
    });
  }

  forward(): Promise<ControllerState<ContextFrom<TMachine>>> {
    return this.#enqueue(async () => {
      const next = this.#history[this.#cursor];
      if (next === undefined) return;
      if (!this.#frames.has(this.#cursor + 1)) {
        await this.#simulateTo(this.#cursor);
        const result = await this.#simulation.apply(next);
        if (!result.ok) return;
        this.#simulated = this.#cursor + 1;
        this.#frames.set(this.#cursor + 1, this.#simulation.frame());
      }
      this.#cursor += 1;
    });
  }

  reset(): Promise<ControllerState<ContextFrom<TMachine>>> {
    return this.#enqueue(async () => {
      this.#simulation = new Simulation(this.#definition);
      this.#simulated = 0;
      this.#frames = new Map([[0, this.#simulation.frame()]]);
      this.#history = [];
      this.#cursor = 0;
      this.#notice = null;
      this.#restored = null;
    });
  }

  dismissNotice(): ControllerState<ContextFrom<TMachine>> {
    this.#notice = null;
    this.#restored = null;
    return this.state();
  }

  /** Bring the simulation to `steps` steps of the history: on from where it is, or from the spare or a replay when it is past them. */
  async #simulateTo(steps: number): Promise<void> {
    if (this.#simulated > steps) {
      const spare = this.#liveSpare !== null && this.#liveSpare.steps <= steps ? this.#liveSpare : null;
      spare?.hurry();
      const simulation = spare ? await spare.done : null;
      if (spare && simulation) {
        this.#spare = null;
        this.#simulation = simulation;
        this.#simulated = spare.steps;
      } else {
        const result = await this.#replayTo(steps, KEPT_REPLAY_FRAMES);
        if (!result.ok) throw new Error(result.reason);
      }
    }
    for (; this.#simulated < steps; this.#simulated++) {
      const result = await this.#simulation.apply(this.#history[this.#simulated]!);
      if (!result.ok) throw new Error(result.reason);
    }
  }

  /**
   * A fresh simulation of the history's first `steps` steps, keeping the frames of the last `keep` of them; the
   * cursor moves there (callers pass the cursor, or the step back they take). When a step cannot apply, the
   * simulation and the cursor are back at the start.
   */
  async #replayTo(steps: number, keep: number): Promise<ReplayResult<TMachine, TWorld>> {
    const { result, kept } = await this.#replayKeeping(steps, keep);
    this.#simulation = result.simulation;
    if (!result.ok) {
      this.#simulated = 0;
      this.#cursor = 0;
      this.#frames = new Map([[0, result.simulation.frame()]]);
      return result;
    }
    this.#simulated = steps;
    this.#cursor = steps;
    this.#keep(kept);
    if (!this.#frames.has(steps)) this.#frames.set(steps, result.simulation.frame());
    return result;
  }

  /** A replay of the history's first `steps` steps (as they are now), with the frames of the last `keep` of them. */
  async #replayKeeping(steps: number, keep: number, options: Omit<ReplayOptions<TMachine, TWorld>, 'afterStep'> = {}) {
    const kept: [number, Frame<ContextFrom<TMachine>>][] = [];
    const result = await replay(this.#definition, this.#history.slice(0, steps), {
      ...options,
      afterStep: (applied, simulation) => void (applied > steps - keep && kept.push([applied, simulation.frame()])),
    });
    return { result, kept };
  }

  /** Adds frames of this line of history. A frame already kept stays: the shell knows its messages. */
  #keep(frames: readonly (readonly [number, Frame<ContextFrom<TMachine>>])[]): void {
    for (const [steps, frame] of frames) if (!this.#frames.has(steps)) this.#frames.set(steps, frame);
  }

  /** The spare, while it replays this line of history. */
  get #liveSpare(): Spare<TMachine, TWorld> | null {
    return this.#spare?.history === this.#history ? this.#spare : null;
  }

  /** Whether the spare serves: it is on this line of history, and nothing else is needed or it prepares that. */
  #spareServes(target: number | null): boolean {
    return this.#liveSpare !== null && (target === null || this.#liveSpare.steps === target);
  }

  /**
   * What a spare should prepare now: the cursor's step when the simulation is past it (a new step there would
   * replay), else the step before the cursor when its frame is missing (后退一步 would), else nothing.
   */
  #spareTarget(): number | null {
    if (this.#simulated > this.#cursor) return this.#cursor;
    if (this.#cursor > 0 && !this.#frames.has(this.#cursor - 1)) return this.#cursor - 1;
    return null;
  }

  /** Whether the spare, once done, brings the frame after `steps` steps of this history. */
  #spareKeeps(steps: number): boolean {
    const spare = this.#liveSpare;
    return spare !== null && steps <= spare.steps && steps > spare.steps - KEPT_REPLAY_FRAMES;
  }

  /**
   * Stop a spare that no longer serves, and start the one needed once the page is idle. A spare that is not
   * needed now still serves: one a step back from the end of a restored link is needed again when the reader
   * goes forward and then back.
   */
  #planSpare(): void {
    const target = this.#spareTarget();
    if (this.#spareServes(target)) return;
    this.#spare?.stop.abort();
    this.#spare = null;
    if (target === null || this.#spareWaiting) return;
    this.#spareWaiting = true;
    this.#whenIdle(() => {
      this.#spareWaiting = false;
      if (this.#operating) return;
      // The reader may have moved on since: prepare what is needed now.
      const steps = this.#spareTarget();
      if (steps !== null && !this.#spareServes(steps)) this.#startSpare(steps);
    });
  }

  #startSpare(steps: number): void {
    this.#spare?.stop.abort();
    const history = this.#history;
    const stop = new AbortController();
    let waitedFor = false;
    const done = this.#replayKeeping(steps, KEPT_REPLAY_FRAMES, { signal: stop.signal, background: () => !waitedFor }).then(
      ({ result, kept }) => {
        if (!result.ok || stop.signal.aborted) return null;
        // Still this line of history: its frames are the reader's.
        if (history === this.#history) this.#keep(kept);
        return result.simulation;
      },
      () => null,
    );
    this.#spare = { steps, history, stop, hurry: () => void (waitedFor = true), done };
  }

  /** A failing step must not leave a half-changed world behind: report it and rebuild the last good step. */
  #enqueue(operation: () => Promise<void>): Promise<ControllerState<ContextFrom<TMachine>>> {
    const guarded = async () => {
      this.#operating = true;
      try {
        await operation();
      } catch (error) {
        await this.#replayTo(this.#cursor, KEPT_REPLAY_FRAMES);
        this.#notice = `模拟器出错，已退回上一步：${error instanceof Error ? error.message : String(error)}`;
      } finally {
        this.#operating = false;
      }
      this.#planSpare();
    };
    const next = this.#queue.then(guarded).then(() => this.state());
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
