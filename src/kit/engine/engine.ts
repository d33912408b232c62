/**
 * Runs a simulation definition: applies the reader's controls one at a time
 * and turns the result into a plain, serialisable frame for the UI. Replaying
 * the same list of control ids always gives the same frame, because the world
 * is seeded and its clock is virtual; that is what makes deep links and step
 * back possible without storing any state but the list.
 */
import { createActor, type Actor, type AnyMachineSnapshot, type AnyStateMachine, type SnapshotFrom } from 'xstate';
import type { SimMessage } from '../../world/support/wire.ts';
import type { SimulationDefinition, WorldView } from './definition.ts';

export const STEP_CONTROL_ID = 'next';

export interface LogEntry {
  control: string;
  label: string;
  state: string;
  messages: number;
}

export interface AcceptedEvent {
  type: string;
  /** True when a reader control sends it; false when only the world can. */
  byReader: boolean;
}

export interface Frame {
  flow: string;
  state: string;
  context: Record<string, unknown>;
  accepts: AcceptedEvent[];
  pendingEffect: string | null;
  pendingDescription: string | null;
  messages: (SimMessage & { step: number })[];
  log: LogEntry[];
  world: WorldView;
  /** Control ids the reader may press now. */
  enabled: string[];
  /** World switches currently on. */
  active: string[];
  code: { file: string; region: string } | null;
}

export type ApplyResult = { ok: true } | { ok: false; reason: string };

/** Dotted path of the deepest active state: `loggingIn.awaitingServer.exchangingCode`. */
export function stateToString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [key, child] = Object.entries(value)[0] ?? [];
    if (key === undefined) return '';
    const rest = stateToString(child);
    return rest ? `${key}.${rest}` : key;
  }
  return '';
}

export class Simulation<TMachine extends AnyStateMachine, TWorld> {
  readonly definition: SimulationDefinition<TMachine, TWorld>;
  readonly world: TWorld;
  readonly #actor: Actor<TMachine>;
  readonly #messages: (SimMessage & { step: number })[] = [];
  readonly #log: LogEntry[] = [];
  #pending: string | null = null;

  constructor(definition: SimulationDefinition<TMachine, TWorld>) {
    this.definition = definition;
    this.world = definition.createWorld();
    const effectActions = Object.fromEntries(
      definition.effects.map((effect) => [
        effect,
        () => {
          this.#pending = effect;
        },
      ]),
    );
    this.#actor = createActor(definition.machine.provide({ actions: effectActions }) as TMachine);
    this.#actor.start();
  }

  get snapshot(): SnapshotFrom<TMachine> {
    return this.#actor.getSnapshot() as SnapshotFrom<TMachine>;
  }

  /** The same snapshot, typed for the engine's own generic use. */
  get #current(): AnyMachineSnapshot {
    return this.#actor.getSnapshot() as AnyMachineSnapshot;
  }

  get pendingEffect(): string | null {
    return this.#pending;
  }

  /** Whether pressing this control now does something. */
  canApply(controlId: string): boolean {
    if (controlId === STEP_CONTROL_ID) return this.#pending !== null;
    const control = this.definition.controls.find((c) => c.id === controlId);
    if (!control) return false;
    return control.kind === 'world' || this.#current.can(control.event);
  }

  async apply(controlId: string): Promise<ApplyResult> {
    if (!this.canApply(controlId)) {
      const known = controlId === STEP_CONTROL_ID || this.definition.controls.some((c) => c.id === controlId);
      return { ok: false, reason: known ? `「${this.#labelOf(controlId)}」此刻不可用` : `未知的操作 “${controlId}”` };
    }
    const step = this.#log.length + 1;
    const before = this.#messages.length;
    const recorder = { record: (message: SimMessage) => void this.#messages.push({ ...message, step }) };

    if (controlId === STEP_CONTROL_ID) {
      const effect = this.#pending as string;
      this.#pending = null;
      const event = await this.definition.runEffect(effect, this.world, this.snapshot, recorder);
      this.#actor.send(event);
    } else {
      const control = this.definition.controls.find((c) => c.id === controlId)!;
      if (control.kind === 'user') this.#actor.send(control.event);
      else control.apply(this.world);
    }

    this.#log.push({
      control: controlId,
      label: this.#labelOf(controlId),
      state: stateToString(this.#current.value),
      messages: this.#messages.length - before,
    });
    return { ok: true };
  }

  frame(): Frame {
    const snapshot = this.#current;
    const state = stateToString(snapshot.value);
    // Reader events are probed with the controls' own events, payload included, so guards see what they will get.
    const readerEvents = new Map<string, unknown[]>();
    for (const control of this.definition.controls) {
      if (control.kind !== 'user') continue;
      const type = (control.event as { type: string }).type;
      readerEvents.set(type, [...(readerEvents.get(type) ?? []), control.event]);
    }
    const accepts = [...new Set(snapshot._nodes.flatMap((node) => node.ownEvents as string[]))]
      .filter((type) => !readerEvents.has(type) || readerEvents.get(type)!.some((event) => snapshot.can(event as never)))
      .map((type) => ({ type, byReader: readerEvents.has(type) }));
    const controlIds = [STEP_CONTROL_ID, ...this.definition.controls.map((c) => c.id)];
    return {
      flow: this.definition.flow,
      state,
      context: structuredClone(snapshot.context) as Record<string, unknown>,
      accepts,
      pendingEffect: this.#pending,
      pendingDescription: this.#pending ? this.definition.describeEffect(this.#pending) : null,
      messages: this.#messages.map((m) => ({ ...m })),
      log: this.#log.map((entry) => ({ ...entry })),
      world: this.definition.view(this.world, this.snapshot),
      enabled: controlIds.filter((id) => this.canApply(id)),
      active: this.definition.controls.flatMap((c) => (c.kind === 'world' && c.active?.(this.world) ? [c.id] : [])),
      code: this.definition.code(state, this.#pending),
    };
  }

  #labelOf(controlId: string): string {
    if (controlId === STEP_CONTROL_ID) return '下一步';
    return this.definition.controls.find((c) => c.id === controlId)?.label ?? controlId;
  }
}

export type ReplayResult<TMachine extends AnyStateMachine, TWorld> =
  | { ok: true; simulation: Simulation<TMachine, TWorld> }
  | { ok: false; simulation: Simulation<TMachine, TWorld>; failedAt: number; reason: string };

/** Rebuild a simulation from control ids; on the first id that cannot apply, stop and say which. */
export async function replay<TMachine extends AnyStateMachine, TWorld>(
  definition: SimulationDefinition<TMachine, TWorld>,
  controlIds: readonly string[],
): Promise<ReplayResult<TMachine, TWorld>> {
  const simulation = new Simulation(definition);
  for (const [index, id] of controlIds.entries()) {
    const result = await simulation.apply(id);
    if (!result.ok) return { ok: false, simulation: new Simulation(definition), failedAt: index, reason: result.reason };
  }
  return { ok: true, simulation };
}
