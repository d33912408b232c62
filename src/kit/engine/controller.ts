/**
 * The reader's session with one simulator: the steps taken, a cursor for
 * step back / forward, and the current simulation. Operations are queued so
 * that fast clicks or key presses apply in order; each resolves to the frame
 * to show. No React here, so it is tested on its own.
 */
import type { AnyStateMachine, ContextFrom } from 'xstate';
import { knownControlIds, replay, Simulation, type Frame } from './engine.ts';
import type { KitWorld, SimulationDefinition } from './definition.ts';
import { MAX_LINK_STEPS, parseDeepLink } from './deep-link.ts';

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

export class SimulatorController<TMachine extends AnyStateMachine, TWorld extends KitWorld> {
  readonly #definition: SimulationDefinition<TMachine, TWorld>;
  #simulation: Simulation<TMachine, TWorld>;
  /** Every step ever applied on this line of history; those past the cursor can be redone. */
  #history: string[] = [];
  #cursor = 0;
  #notice: string | null = null;
  #restored: number | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(definition: SimulationDefinition<TMachine, TWorld>) {
    this.#definition = definition;
    this.#simulation = new Simulation(definition);
  }

  get knownIds(): ReadonlySet<string> {
    return knownControlIds(this.#definition);
  }

  state(): ControllerState<ContextFrom<TMachine>> {
    return {
      frame: this.#simulation.frame(),
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
      if (parsed.kind === 'empty') return;
      if (parsed.kind === 'invalid') {
        this.#notice = `${parsed.reason}，无法还原，已从头开始。`;
        return;
      }
      const result = await replay(this.#definition, parsed.steps);
      this.#simulation = result.simulation;
      if (result.ok) {
        this.#history = [...parsed.steps];
        this.#cursor = parsed.steps.length;
        this.#restored = parsed.steps.length;
      } else {
        this.#notice = `链接里的第 ${result.failedAt + 1} 步无法还原（${result.reason}），已从头开始。`;
      }
    });
  }

  press(controlId: string): Promise<ControllerState<ContextFrom<TMachine>>> {
    return this.#enqueue(async () => {
      // The link stores every step; past the limit it could not be restored, so the history stops growing.
      if (this.#cursor >= MAX_LINK_STEPS) {
        this.#notice = `已经走了 ${MAX_LINK_STEPS} 步，链接存不下更多了。后退几步或重置后再继续。`;
        return;
      }
      const result = await this.#simulation.apply(controlId);
      if (!result.ok) return;
      this.#notice = null;
      this.#restored = null;
      this.#history = [...this.#history.slice(0, this.#cursor), controlId];
      this.#cursor += 1;
    });
  }

  back(): Promise<ControllerState<ContextFrom<TMachine>>> {
    return this.#enqueue(async () => {
      if (this.#cursor === 0) return;
      await this.#rebuild(this.#cursor - 1);
    });
  }

  forward(): Promise<ControllerState<ContextFrom<TMachine>>> {
    return this.#enqueue(async () => {
      const next = this.#history[this.#cursor];
      if (next === undefined) return;
      const result = await this.#simulation.apply(next);
      if (result.ok) this.#cursor += 1;
    });
  }

  reset(): Promise<ControllerState<ContextFrom<TMachine>>> {
    return this.#enqueue(async () => {
      this.#simulation = new Simulation(this.#definition);
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

  async #rebuild(cursor: number): Promise<void> {
    const result = await replay(this.#definition, this.#history.slice(0, cursor));
    this.#simulation = result.simulation;
    this.#cursor = result.ok ? cursor : 0;
  }

  /** A failing step must not leave a half-changed world behind: report it and rebuild the last good step. */
  #enqueue(operation: () => Promise<void>): Promise<ControllerState<ContextFrom<TMachine>>> {
    const guarded = async () => {
      try {
        await operation();
      } catch (error) {
        await this.#rebuild(this.#cursor);
        this.#notice = `模拟器出错，已退回上一步：${error instanceof Error ? error.message : String(error)}`;
      }
    };
    const next = this.#queue.then(guarded).then(() => this.state());
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
