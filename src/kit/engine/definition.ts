/**
 * What a chapter's simulation is made of. A definition binds one flow machine
 * to a simulated world: the parties (lanes) and phones, how each effect the
 * machine asks for is carried out and narrated, the reader's controls, the
 * code to show in each state, and what the reader should see of the world.
 * The engine and the React shell know nothing else about a chapter.
 */
import type { AnyMachineSnapshot, AnyStateMachine, EventFromLogic, SnapshotFrom } from 'xstate';
import type { Recorder, SimMessage } from '../../world/support/wire.ts';

export type { MessageTone, Recorder, SimMessage } from '../../world/support/wire.ts';

/**
 * How far a party is trusted with secrets. Anything marked secret may travel
 * between `developer` and `wechat` lanes; on a `device` lane it is a leak.
 */
export type Trust = 'device' | 'developer' | 'wechat';

export interface LaneSpec {
  /** Lower-case letters, digits and dashes: it also names the lane's own 下一步 control. */
  id: string;
  label: string;
  /**
   * The label in the pieces it may break between when its column is narrow (开发者 / 服务器); joined, they
   * are the label. Without it the label breaks only at its spaces and punctuation, or mid-word if it must.
   */
  segments?: readonly string[];
  trust: Trust;
}

export interface PhoneSpec {
  id: string;
  label: string;
}

/** How the clock reads in this chapter: a frame budget, a day at the office, or days in a pocket. */
export type TimeScale = 'ms' | 'clock' | 'days';

/** What the kit needs of every world: a clock it can move and a wire it can listen to. */
export interface KitWorld {
  clock: { now(): number; advance(ms: number): void };
  /** Set by the engine for the duration of one step, so every party can report what crosses the wire. */
  wire: Recorder;
}

export interface Finding {
  level: 'danger' | 'warning';
  title: string;
  detail: string;
  href?: string;
}

export interface HolderRow {
  /** A lane id. */
  holder: string;
  item: string;
  value: string;
  secret?: boolean;
}

/** The part of the world a reader should see at every step. */
export interface WorldView {
  holdings: HolderRow[];
  findings: Finding[];
}

export interface CodeRef {
  file: string;
  region: string;
}

export interface StateMeta {
  /** The code a reader should look at in this state; null where no code runs (WeChat's own screens). */
  code: CodeRef | null;
  /** What the phone shows while the flow waits in this state (启动中…). */
  busy?: string;
}

/** Something the world will do by itself when the clock reaches `at`. */
export interface ScheduledEvent<TWorld, TEvent> {
  at: number;
  lane: string;
  label: string;
  run(context: StepContext<TWorld>): Promise<Outcome<TEvent>> | Outcome<TEvent>;
}

export interface Scheduler<TWorld, TEvent> {
  /** Deliver `run`'s events to the machine `after` ms from now, in time order with everything else scheduled. */
  schedule(entry: { after: number; lane: string; label: string; run: ScheduledEvent<TWorld, TEvent>['run'] }): void;
}

/** What an effect or a scheduled event produces: the events to send to the machine, in order. */
export type Outcome<TEvent> = TEvent | readonly TEvent[] | void;

export interface StepContext<TWorld> {
  world: TWorld;
  record(message: SimMessage): void;
  /** The machine as it is when the step runs: what the world does may depend on it (a mini program in the foreground is in use). */
  snapshot: AnyMachineSnapshot;
}

export interface EffectContext<TWorld, TMachine extends AnyStateMachine, TEvent>
  extends StepContext<TWorld>,
    Scheduler<TWorld, TEvent> {
  /** The machine as it was when this effect was queued's turn came: its context has the inputs. */
  snapshot: SnapshotFrom<TMachine>;
}

/** Where an effect runs and how 下一步 names it. */
export interface EffectPlace {
  /** The lane that does the work; 下一步 names it, and the reader may pick it when several lanes are busy. */
  lane: string;
  /** What it is, in words, for the 下一步 button. */
  busy: string;
}

export interface EffectSpec<TWorld, TMachine extends AnyStateMachine> extends EffectPlace {
  run(context: EffectContext<TWorld, TMachine, EventFromLogic<TMachine>>): Promise<Outcome<EventFromLogic<TMachine>>>;
}

/** Who acts when the control is pressed: the user on the phone, the developer's code (a choice of design), or the world. */
export type Actor = 'user' | 'code' | 'world';

export interface ControlBase {
  /** Token in the deep link: lower-case letters, digits and dashes. */
  id: string;
  label: string;
  /** One line saying what pressing it does; shown beside the controls on focus or hover. Every control has one: without it the reader sees only a placeholder there. */
  hint: string;
  /** Defaults: reader events are the user's, everything else the world's. */
  actor?: Actor;
}

export function actorOf(control: { kind: string; actor?: Actor }): Actor {
  return control.actor ?? (control.kind === 'user' ? 'user' : 'world');
}

export interface UserControl<TEvent> extends ControlBase {
  kind: 'user';
  event: TEvent;
  /** For one of several choices in the developer's code: whether it is the one in place, shown pressed (the machine does not take it again). */
  chosen?(context: Readonly<Record<string, unknown>>): boolean;
}

export interface WorldControl<TWorld, TEvent = unknown> extends ControlBase {
  kind: 'world';
  apply(world: TWorld, scheduler: Scheduler<TWorld, TEvent>): void;
  /** Shown pressed, for switches and armed faults. */
  active?(world: TWorld): boolean;
  /** One of settings that replace each other: while it is the one in place (`active`), it is not offered, since pressing it would change nothing. */
  choice?: true;
}

/** Moves the virtual clock; whatever the world scheduled in between happens on the way, in order. */
export interface ClockControl extends ControlBase {
  kind: 'clock';
  ms: number;
}

export type Control<TWorld, TEvent> = UserControl<TEvent> | WorldControl<TWorld, TEvent> | ClockControl;

export interface SimulationDefinition<TMachine extends AnyStateMachine, TWorld extends KitWorld> {
  flow: string;
  title: string;
  machine: TMachine;
  lanes: readonly LaneSpec[];
  /** The phones the shell draws, each in its own frame; none for a server-only chapter. */
  phones: readonly PhoneSpec[];
  timeScale: TimeScale;
  /** Each effect action the machine names, with the lane that runs it. */
  effects: { readonly [effect: string]: EffectSpec<TWorld, TMachine> };
  /** A fresh, seeded world; `scheduler` lets its parts plan events of their own. */
  createWorld(scheduler: Scheduler<TWorld, EventFromLogic<TMachine>>): TWorld;
  controls: readonly Control<TWorld, EventFromLogic<TMachine>>[];
  view(world: TWorld, snapshot: SnapshotFrom<TMachine>): WorldView;
  /** Per state (dotted path), what the shell shows beside it. */
  states: { readonly [state: string]: StateMeta };
  /** Every file the code panel offers, in reading order. */
  codeFiles: readonly string[];
}

const ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

/**
 * Checks a definition once, when the chapter's module loads, so a typo in a
 * lane or a duplicate control id fails in every test instead of confusing a reader.
 */
export function defineSimulation<TMachine extends AnyStateMachine, TWorld extends KitWorld>(
  definition: SimulationDefinition<TMachine, TWorld>,
): SimulationDefinition<TMachine, TWorld> {
  const problems: string[] = [];
  const lanes = new Set(definition.lanes.map((lane) => lane.id));
  if (lanes.size !== definition.lanes.length) problems.push('lane ids repeat');
  for (const lane of definition.lanes) if (!ID.test(lane.id)) problems.push(`lane id “${lane.id}” is not a token`);
  for (const [name, effect] of Object.entries(definition.effects)) {
    if (!lanes.has(effect.lane)) problems.push(`effect ${name} runs on unknown lane ${effect.lane}`);
  }
  const ids = new Set<string>();
  for (const control of definition.controls) {
    if (!ID.test(control.id)) problems.push(`control id “${control.id}” is not a token`);
    if (ids.has(control.id)) problems.push(`control id “${control.id}” repeats`);
    ids.add(control.id);
  }
  for (const reserved of reservedControlIds(definition.lanes)) {
    if (ids.has(reserved)) problems.push(`control id “${reserved}” is reserved for 下一步`);
  }
  if (problems.length) throw new Error(`simulation ${definition.flow}: ${problems.join('; ')}`);
  return definition;
}

/** 下一步 runs the oldest pending effect; `next-<lane>` runs the oldest one on that lane. */
export const STEP_CONTROL_ID = 'next';
export const laneStepId = (lane: string) => `next-${lane}`;

export function reservedControlIds(lanes: readonly LaneSpec[]): string[] {
  return [STEP_CONTROL_ID, ...lanes.map((lane) => laneStepId(lane.id))];
}
