/**
 * Builders for what every definition declares: a reader action that sends
 * one machine event, a switch in the world, a jump of the virtual clock, an
 * effect on its lane, and a state's metadata.
 */
import type { AnyStateMachine, EventFromLogic, SnapshotFrom } from 'xstate';
import type { Actor, ClockControl, EffectContext, EffectPlace, EffectSpec, Outcome, StateMeta, UserControl, WorldControl } from './definition.ts';

export function userControl<TEvent>(id: string, label: string, event: TEvent, hint: string): UserControl<TEvent> {
  return { kind: 'user', id, label, event, hint };
}

/**
 * A machine event that stands for a choice in the developer's code (which callback, which strategy), not a tap.
 * `chosen` says when it is the one in place, for choices that replace each other.
 */
export function codeChoice<TEvent>(id: string, label: string, event: TEvent, hint: string, chosen?: UserControl<TEvent>['chosen']): UserControl<TEvent> {
  return { ...userControl(id, label, event, hint), actor: 'code', ...(chosen ? { chosen } : {}) };
}

export function clockControl(id: string, label: string, ms: number, hint: string): ClockControl {
  return { kind: 'clock', id, label, ms, hint };
}

/** A world switch shown pressed while `isOn`; pressing it flips it. */
export function toggleControl<TWorld>(
  id: string,
  label: string,
  hint: string,
  isOn: (world: TWorld) => boolean,
  set: (world: TWorld, on: boolean) => void,
): WorldControl<TWorld> {
  return { kind: 'world', id, label, hint, apply: (world) => set(world, !isOn(world)), active: isOn };
}

/**
 * One of several settings of the world that replace each other (a base library version, a platform): shown
 * pressed while `selected`, and then not offered, so that the history never holds a step that changed nothing.
 */
export function choiceControl<TWorld>(
  id: string,
  label: string,
  hint: string,
  select: (world: TWorld) => void,
  selected: (world: TWorld) => boolean,
  actor?: Actor,
): WorldControl<TWorld> {
  return { kind: 'world', id, label, hint, apply: select, active: selected, choice: true, ...(actor ? { actor } : {}) };
}

/**
 * A world switch that is one boolean of the world, read and written in place:
 * `flagControl('slow-server', label, hint, (world: MyWorld) => world.settings, 'slowServer')`.
 */
export function flagControl<TWorld, K extends string>(
  id: string,
  label: string,
  hint: string,
  flags: (world: TWorld) => Record<K, boolean>,
  key: K,
): WorldControl<TWorld> {
  return toggleControl<TWorld>(id, label, hint, (world) => flags(world)[key], (world, on) => void (flags(world)[key] = on));
}

/**
 * A chapter's effect builder, typed once for its world and machine:
 * `const effect = effectBuilder<LoginWorld, LoginMachine>();`
 */
export function effectBuilder<TWorld, TMachine extends AnyStateMachine>() {
  return (
    lane: string,
    busy: string,
    run: (world: TWorld, snapshot: SnapshotFrom<TMachine>, context: EffectContext<TWorld, TMachine, EventFromLogic<TMachine>>) => Promise<Outcome<EventFromLogic<TMachine>>>,
  ): EffectSpec<TWorld, TMachine> => ({ lane, busy, run: (context) => run(context.world, context.snapshot, context) });
}

/** What one effect does, given the world, the machine's snapshot and the step's context (`record`, `schedule`). */
export type EffectRun<TWorld, TMachine extends AnyStateMachine> = (
  world: TWorld,
  snapshot: SnapshotFrom<TMachine>,
  context: EffectContext<TWorld, TMachine, EventFromLogic<TMachine>>,
) => Outcome<EventFromLogic<TMachine>> | Promise<Outcome<EventFromLogic<TMachine>>>;

/**
 * A chapter's effects from a table of what each one does and where each runs
 * (its lane and 下一步 text), for chapters that keep their effect code apart
 * from the list of lanes; `effectBuilder` builds one effect at a time instead.
 */
export function effectTable<TWorld, TMachine extends AnyStateMachine, TName extends string>(
  runs: Readonly<Record<TName, EffectRun<TWorld, TMachine>>>,
  placeOf: (name: TName) => EffectPlace,
): { readonly [effect: string]: EffectSpec<TWorld, TMachine> } {
  // Object.keys knows only strings; the keys of `runs` are its effect names.
  return Object.fromEntries(
    (Object.keys(runs) as TName[]).map((name): [string, EffectSpec<TWorld, TMachine>] => [
      name,
      { ...placeOf(name), run: async (context) => runs[name](context.world, context.snapshot, context) },
    ]),
  );
}

/** Per-state metadata: the code region to show, and the phone's busy text if the state waits. */
export function stateMeta(file: string, region: string, busy?: string): StateMeta {
  return { code: { file, region }, ...(busy ? { busy } : {}) };
}
