/**
 * Runs a simulation definition: applies the reader's controls one at a time
 * and turns the result into a plain, serialisable frame for the UI.
 *
 * Effects the machine asks for wait in a queue, each on its lane; 下一步 runs
 * the oldest, `next-<lane>` the oldest on that lane. Events the world
 * scheduled are delivered in time order whenever the clock moves: by a clock
 * control, or by 下一步 when nothing else is pending. Replaying the same list
 * of control ids always gives the same frame, because the world is seeded and
 * its clock is virtual; that is what makes deep links and step back possible
 * without storing any state but the list.
 */
import {
  createActor,
  type Actor,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type ContextFrom,
  type EventFromLogic,
  type SnapshotFrom,
} from 'xstate';
import type { SimMessage } from '../../world/support/wire.ts';
import {
  laneStepId,
  STEP_CONTROL_ID,
  type KitWorld,
  type Outcome,
  type ScheduledEvent,
  type Scheduler,
  type SimulationDefinition,
  type StepContext,
  type WorldView,
  type CodeRef,
} from './definition.ts';

export { STEP_CONTROL_ID } from './definition.ts';

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

export interface PendingView {
  effect: string;
  lane: string;
  busy: string;
}

export interface AgendaView {
  at: number;
  lane: string;
  label: string;
}

export interface Frame<TContext = unknown> {
  flow: string;
  state: string;
  context: TContext;
  accepts: AcceptedEvent[];
  /** Effects waiting for 下一步, oldest first. */
  pending: PendingView[];
  /** What the world will do by itself, soonest first. */
  agenda: AgendaView[];
  /** What 下一步 does now, in words; null when it does nothing. */
  nextDescription: string | null;
  clock: number;
  /** Milliseconds since the world began, for chapters that count time rather than read a wall clock. */
  elapsed: number;
  messages: (SimMessage & { step: number })[];
  log: LogEntry[];
  world: WorldView;
  /** Control ids the reader may press now. */
  enabled: string[];
  /** World switches currently on. */
  active: string[];
  code: CodeRef | null;
  /** The state's busy text, for the phone. */
  busy: string | null;
}

export type ApplyResult = { ok: true } | { ok: false; reason: string };

/** 等到 and what is due: a space before Latin letters or digits (等到 T1 过期), none before Chinese (等到中控定时刷新). */
export const waitFor = (label: string) => (/^[\p{Script=Han}「（]/u.test(label) ? `等到${label}` : `等到 ${label}`);

/** A label in 「」; quotes inside it become 『』, as Chinese nests them (点『叫号时通知我』). */
/** A control's label in 「」, its own 「」 turned to 『』 so the quotes nest. */
const quoted = (label: string) => `「${label.replaceAll('「', '『').replaceAll('」', '』')}」`;

/**
 * Why a control does nothing now, in the same words wherever a reader meets it (a link's step, a tap on the phone,
 * a greyed button's hint). Given the frame and a step waiting, it adds that 下一步 carries that step out first; a
 * scheduled event (等到…) is no reason a control is unavailable, so it is not named.
 */
export function unavailableNow(label: string, frame?: Pick<Frame, 'pending' | 'nextDescription'>): string {
  const unavailable = `${quoted(label)}此刻不可用`;
  return frame && frame.pending.length > 0 && frame.nextDescription ? `${unavailable}，先按「下一步」处理：${frame.nextDescription}` : unavailable;
}

/** Dotted paths of the deepest active states: `loggingIn.awaitingServer.exchangingCode`; parallel regions joined by `|`. */
export function stateToString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .map(([key, child]) => {
        const rest = stateToString(child);
        return rest ? `${key}.${rest}` : key;
      })
      .join('|');
  }
  return '';
}

interface Pending {
  effect: string;
  lane: string;
}

type Scheduled<TWorld, TEvent> = ScheduledEvent<TWorld, TEvent> & { seq: number };

export class Simulation<TMachine extends AnyStateMachine, TWorld extends KitWorld> {
  readonly definition: SimulationDefinition<TMachine, TWorld>;
  readonly world: TWorld;
  readonly #actor: Actor<TMachine>;
  readonly #messages: (SimMessage & { step: number })[] = [];
  readonly #log: LogEntry[] = [];
  readonly #pending: Pending[] = [];
  #agenda: Scheduled<TWorld, EventFromLogic<TMachine>>[] = [];
  #scheduledCount = 0;
  readonly #start: number;
  #step = 0;

  constructor(definition: SimulationDefinition<TMachine, TWorld>) {
    this.definition = definition;
    const world = definition.createWorld(this.#scheduler);
    this.#start = world.clock.now();
    for (const entry of this.#agenda) entry.at += this.#start;
    this.world = world;
    const effectActions = Object.fromEntries(
      Object.entries(definition.effects).map(([effect, spec]) => [effect, () => void this.#pending.push({ effect, lane: spec.lane })]),
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

  /** The effect 下一步 would run now, if any. */
  get pendingEffect(): string | null {
    return this.#pending[0]?.effect ?? null;
  }

  /** Whether 下一步 or a clock control would deliver something the world scheduled. */
  get hasAgenda(): boolean {
    return this.#agenda.length > 0;
  }

  readonly #scheduler: Scheduler<TWorld, EventFromLogic<TMachine>> = {
    schedule: ({ after, lane, label, run }) => {
      if (!Number.isFinite(after) || after < 0) throw new RangeError(`cannot schedule ${label} ${after} ms from now`);
      // While the world is being created it has no clock to read yet; what it plans then counts from its start.
      const now = (this.world as TWorld | undefined)?.clock.now() ?? 0;
      this.#agenda.push({ at: now + after, lane, label, run, seq: this.#scheduledCount++ });
      this.#agenda.sort((a, b) => a.at - b.at || a.seq - b.seq);
    },
  };

  #busyLanes(): string[] {
    return [...new Set(this.#pending.map((p) => p.lane))];
  }

  /** Whether pressing this control now does something. */
  canApply(controlId: string): boolean {
    if (controlId === STEP_CONTROL_ID) return this.#pending.length > 0 || this.#agenda.length > 0;
    const busy = this.#busyLanes();
    if (busy.length > 1 && busy.some((lane) => laneStepId(lane) === controlId)) return true;
    const control = this.#controlOf(controlId);
    if (!control) return false;
    if (control.kind === 'world') return !this.#choiceInPlace(control);
    return control.kind !== 'user' || this.#current.can(control.event);
  }

  async apply(controlId: string): Promise<ApplyResult> {
    if (!this.canApply(controlId) && !this.#choiceInPlace(this.#controlOf(controlId))) {
      const known = this.#knownIds().has(controlId);
      return { ok: false, reason: known ? unavailableNow(this.#labelOf(controlId)) : `未知的操作 “${controlId}”` };
    }
    this.#step += 1;
    const before = this.#messages.length;
    // Frozen and shared by every later frame, so the shell can skip drawing a message it has drawn before.
    const recorder = { record: (message: SimMessage) => void this.#messages.push(Object.freeze({ ...message, step: this.#step })) };
    this.world.wire = recorder;
    try {
      await this.#carryOut(controlId);
    } finally {
      this.world.wire = { record: () => {} };
    }
    this.#log.push(
      Object.freeze({
        control: controlId,
        label: this.#labelOf(controlId),
        state: stateToString(this.#current.value),
        messages: this.#messages.length - before,
      }),
    );
    return { ok: true };
  }

  /**
   * A choice of the world that is already in place: not offered, but still applied when a link holds it. The
   * page offered it until 2026-11-30 (a step that changed nothing), and a link it wrote must restore.
   */
  #choiceInPlace(control: SimulationDefinition<TMachine, TWorld>['controls'][number] | undefined): boolean {
    return control?.kind === 'world' && control.choice === true && control.active?.(this.world) === true;
  }

  #controlOf(controlId: string) {
    return this.definition.controls.find((c) => c.id === controlId);
  }

  async #carryOut(controlId: string): Promise<void> {
    const lane = this.definition.lanes.find((l) => laneStepId(l.id) === controlId)?.id;
    if (controlId === STEP_CONTROL_ID || lane !== undefined) {
      const index = lane === undefined ? 0 : this.#pending.findIndex((p) => p.lane === lane);
      if (index >= 0 && this.#pending.length > 0) return this.#runEffect(this.#pending.splice(index, 1)[0]!);
      // Nothing to run: wait for the next thing the world scheduled.
      const next = this.#agenda[0]!;
      return this.#advanceTo(next.at, true);
    }
    const control = this.definition.controls.find((c) => c.id === controlId)!;
    if (control.kind === 'user') this.#actor.send(control.event);
    else if (control.kind === 'world') control.apply(this.world, this.#scheduler);
    else await this.#advanceTo(this.world.clock.now() + control.ms, false);
  }

  async #runEffect({ effect }: Pending): Promise<void> {
    const spec = this.definition.effects[effect];
    if (!spec) throw new Error(`unknown effect ${effect}`);
    const outcome = await spec.run({ ...this.#stepContext(), snapshot: this.snapshot, ...this.#scheduler });
    this.#deliver(outcome);
  }

  /** Move the clock to `target`, delivering everything due on the way, in order; `onlyFirst` stops after one delivery. */
  async #advanceTo(target: number, onlyFirst: boolean): Promise<void> {
    while (this.#agenda.length > 0 && this.#agenda[0]!.at <= target) {
      const due = this.#agenda.shift()!;
      this.world.clock.advance(due.at - this.world.clock.now());
      this.#deliver(await due.run(this.#stepContext()));
      if (onlyFirst) return;
    }
    this.world.clock.advance(Math.max(0, target - this.world.clock.now()));
  }

  #stepContext(): StepContext<TWorld> {
    return { world: this.world, record: (message) => this.world.wire.record(message), snapshot: this.#current };
  }

  #deliver(outcome: Outcome<EventFromLogic<TMachine>>): void {
    if (outcome === undefined) return;
    const events: readonly EventFromLogic<TMachine>[] = Array.isArray(outcome) ? outcome : [outcome as EventFromLogic<TMachine>];
    for (const event of events) this.#actor.send(event);
  }

  frame(): Frame<ContextFrom<TMachine>> {
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
    const pending = this.#pending.map(({ effect, lane }) => ({ effect, lane, busy: this.definition.effects[effect]?.busy ?? effect }));
    const agenda = this.#agenda.map(({ at, lane, label }) => ({ at, lane, label }));
    return {
      flow: this.definition.flow,
      state,
      context: structuredClone(snapshot.context) as ContextFrom<TMachine>,
      accepts,
      pending,
      agenda,
      nextDescription: pending[0]?.busy ?? (agenda[0] ? waitFor(agenda[0].label) : null),
      clock: this.world.clock.now(),
      elapsed: this.world.clock.now() - this.#start,
      messages: [...this.#messages],
      log: [...this.#log],
      world: this.definition.view(this.world, this.snapshot),
      enabled: [...this.#knownIds()].filter((id) => this.canApply(id)),
      active: this.definition.controls.flatMap((c) =>
        (c.kind === 'world' && c.active?.(this.world)) || (c.kind === 'user' && c.chosen?.(snapshot.context)) ? [c.id] : [],
      ),
      code: this.definition.states[state]?.code ?? null,
      busy: this.definition.states[state]?.busy ?? null,
    };
  }

  #knownIds(): Set<string> {
    return knownControlIds(this.definition);
  }

  #labelOf(controlId: string): string {
    if (controlId === STEP_CONTROL_ID) return '下一步';
    const lane = this.definition.lanes.find((l) => laneStepId(l.id) === controlId);
    if (lane) return `先处理：${lane.label}`;
    return this.#controlOf(controlId)?.label ?? controlId;
  }
}

/** Every control id a deep link of this simulation may carry. */
export function knownControlIds(definition: SimulationDefinition<AnyStateMachine, KitWorld>): Set<string> {
  return new Set([STEP_CONTROL_ID, ...definition.lanes.map((lane) => laneStepId(lane.id)), ...definition.controls.map((c) => c.id)]);
}

export type ReplayResult<TMachine extends AnyStateMachine, TWorld extends KitWorld> =
  | { ok: true; simulation: Simulation<TMachine, TWorld> }
  | { ok: false; simulation: Simulation<TMachine, TWorld>; failedAt: number; reason: string };

/** How long a replay runs before it lets the browser paint and handle input. */
const REPLAY_SLICE_MS = 10;

interface TaskScheduler {
  yield?: () => Promise<void>;
  postTask?: (task: () => void, options: { priority: 'background' }) => Promise<void>;
}

/**
 * A macrotask boundary: `scheduler.yield()` where the browser has it (it keeps this task's priority, ahead of
 * the page's other tasks), else a timeout. In the background, a task of background priority instead, which
 * runs only when nothing else waits.
 */
function yieldToBrowser(background: boolean): Promise<void> {
  const scheduler = (globalThis as { scheduler?: TaskScheduler }).scheduler;
  if (background && scheduler?.postTask) return scheduler.postTask(() => {}, { priority: 'background' });
  return scheduler?.yield ? scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0));
}

export interface ReplayOptions<TMachine extends AnyStateMachine, TWorld extends KitWorld> {
  /** Sees the simulation after each step, `steps` of them applied. */
  afterStep?: (steps: number, simulation: Simulation<TMachine, TWorld>) => void;
  /** Stops the replay between two steps; it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** While this says so, nobody waits for the replay: it gives way to everything else the page has to do. */
  background?: () => boolean;
}

/** Rebuild a simulation from control ids; on the first id that cannot apply, stop and say which. */
export async function replay<TMachine extends AnyStateMachine, TWorld extends KitWorld>(
  definition: SimulationDefinition<TMachine, TWorld>,
  controlIds: readonly string[],
  { afterStep, signal, background = () => false }: ReplayOptions<TMachine, TWorld> = {},
): Promise<ReplayResult<TMachine, TWorld>> {
  const simulation = new Simulation(definition);
  let sliceStart = performance.now();
  for (const [index, id] of controlIds.entries()) {
    // A long link replays in slices, so the page stays responsive and no task runs long (a phone at
    // a quarter of this machine's speed turned a 200-step replay into one 300 ms block).
    if (performance.now() - sliceStart > REPLAY_SLICE_MS) {
      await yieldToBrowser(background());
      sliceStart = performance.now();
    }
    signal?.throwIfAborted();
    const result = await simulation.apply(id);
    if (!result.ok) return { ok: false, simulation: new Simulation(definition), failedAt: index, reason: result.reason };
    afterStep?.(index + 1, simulation);
  }
  return { ok: true, simulation };
}
