/**
 * What a flow simulation is made of. A definition binds one flow machine to
 * the simulated world: which controls the reader has, how each pending effect
 * is carried out against the world, and what the reader should see of the
 * world afterwards. The engine and the React shell know nothing else.
 */
import type { AnyStateMachine, EventFromLogic, SnapshotFrom } from 'xstate';
import type { Lane, Recorder } from '../../world/support/wire.ts';

export type { Lane, MessageTone, Recorder, SimMessage } from '../../world/support/wire.ts';

export const LANES: readonly { id: Lane; label: string }[] = [
  { id: 'miniprogram', label: '小程序' },
  { id: 'client', label: '微信客户端' },
  { id: 'developer', label: '开发者服务器' },
  { id: 'wechat', label: '微信服务器' },
];

export interface Finding {
  level: 'danger' | 'warning';
  title: string;
  detail: string;
  href?: string;
}

export interface HolderRow {
  holder: Lane;
  item: string;
  value: string;
  secret?: boolean;
}

/** The part of the world a reader should see at every step. */
export interface WorldView {
  clock: number;
  holdings: HolderRow[];
  findings: Finding[];
}

export interface CodeRef {
  file: string;
  region: string;
}

export interface ControlBase {
  /** Token in the deep link: lower-case letters, digits and dashes. */
  id: string;
  label: string;
  hint?: string;
}

export interface UserControl<TEvent> extends ControlBase {
  kind: 'user';
  event: TEvent;
}

export interface WorldControl<TWorld> extends ControlBase {
  kind: 'world';
  apply(world: TWorld): void;
  /** Shown pressed, for switches and armed faults. */
  active?(world: TWorld): boolean;
}

export type Control<TWorld, TEvent> = UserControl<TEvent> | WorldControl<TWorld>;

export interface SimulationDefinition<TMachine extends AnyStateMachine, TWorld> {
  flow: string;
  title: string;
  machine: TMachine;
  /** Names of the machine's effect actions; the engine provides them. */
  effects: readonly string[];
  createWorld(): TWorld;
  /** Carry out one effect against the world; the resulting event goes back to the machine. */
  runEffect(
    effect: string,
    world: TWorld,
    snapshot: SnapshotFrom<TMachine>,
    recorder: Recorder,
  ): Promise<EventFromLogic<TMachine>>;
  controls: readonly Control<TWorld, EventFromLogic<TMachine>>[];
  view(world: TWorld, snapshot: SnapshotFrom<TMachine>): WorldView;
  /** Which code the reader should look at in this state. */
  code(state: string, pendingEffect: string | null): CodeRef | null;
  /** What a pending effect is, in words, for the 下一步 button. */
  describeEffect(effect: string): string;
}
