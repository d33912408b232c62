/**
 * The model-test kit every chapter uses. Given a chapter's definition and how
 * the world is made to produce each modelled event, it generates paths that
 * take every transition (`transitionCover`), drives the simulated world along
 * each path, and checks at each path's end:
 * - the chapter's own invariants;
 * - the kit's global ones: nothing marked secret reaches a device lane unless
 *   the message is flagged as the danger it is (a wrong design shown on
 *   purpose); the AppSecret and access_token travel only between developer
 *   and WeChat lanes; replaying the path's controls gives an identical frame;
 *   a frame never changes once made (the controller keeps them for 后退一步);
 * - must-exercise counters: a test fails when no generated path reaches an
 *   outcome the chapter promises.
 */
import { describe, expect, it } from 'vitest';
import type { AnyMachineSnapshot, AnyStateMachine, AnyStateNode, EventFromLogic, SnapshotFrom, StateValue } from 'xstate';
import { createActor } from 'xstate';
import { replay, Simulation, stateToString, type Frame } from '../../src/kit/engine/engine.ts';
import type { KitWorld, SimulationDefinition } from '../../src/kit/engine/definition.ts';
import { transitionCover } from './transition-cover.ts';

/** Keys that only servers may ever hold, whatever the chapter. */
const SERVER_ONLY_KEYS = ['secret', 'access_token'];

export interface ChapterModel<TMachine extends AnyStateMachine, TWorld extends KitWorld> {
  definition: SimulationDefinition<TMachine, TWorld>;
  /** What the world can answer in a state, besides the reader's own events. */
  outcomes(snapshot: SnapshotFrom<TMachine>): readonly EventFromLogic<TMachine>[];
  serializeState(snapshot: SnapshotFrom<TMachine>): string;
  /** Arrange the world and step so that it produces `event`; reader events are pressed for you. */
  produce(sim: Simulation<TMachine, TWorld>, event: EventFromLogic<TMachine>): Promise<void>;
  /** Checks on the world at the end of every path. */
  invariants(sim: Simulation<TMachine, TWorld>): void | Promise<void>;
  /** Outcomes the chapter promises; each must hold at the end of at least one path. */
  mustExercise: Record<string, (sim: Simulation<TMachine, TWorld>) => boolean>;
  /** The reader controls the generator tries; all of them when omitted. */
  readerControls?: ReadonlySet<string>;
  /** At least this many paths, so a broken generator cannot pass by generating nothing. */
  minPaths: number;
  /**
   * Hand-written event sequences run like generated paths, for outcomes the
   * shortest-path cover cannot reach (it always takes the shortest way into
   * a state, never the detour that makes the difference).
   */
  scenarios?: readonly { name: string; events: readonly EventFromLogic<TMachine>[] }[];
  /**
   * Worlds to try, in order, for a path whose outcome depends on random bytes
   * (a Base64 with or without a +); the first world that follows the path is used.
   */
  worlds?(events: readonly EventFromLogic<TMachine>[]): readonly SimulationDefinition<TMachine, TWorld>[];
  /**
   * Set when `produce` arranges the world through its own API rather than
   * controls (say why): replaying the controls alone cannot then rebuild the
   * world, so determinism is checked by walking the path twice instead.
   */
  arrangesWorldDirectly?: string;
}

export async function press<TMachine extends AnyStateMachine, TWorld extends KitWorld>(sim: Simulation<TMachine, TWorld>, control: string): Promise<void> {
  // Only what the reader is offered: apply also takes a choice already in place, for links written before.
  if (!sim.canApply(control)) throw new Error(`${control}: not offered now`);
  const result = await sim.apply(control);
  if (!result.ok) throw new Error(`${control}: ${result.reason}`);
}

/** Turn a world switch on or off, whichever it is now. */
export async function setSwitch<TMachine extends AnyStateMachine, TWorld extends KitWorld>(sim: Simulation<TMachine, TWorld>, control: string, on: boolean): Promise<void> {
  if (sim.frame().active.includes(control) !== on) await press(sim, control);
}

/** Puts a choice of the world (`choiceControl`) in place, unless it already is: then it is not offered. */
export async function choose<TMachine extends AnyStateMachine, TWorld extends KitWorld>(sim: Simulation<TMachine, TWorld>, control: string): Promise<void> {
  await setSwitch(sim, control, true);
}

/**
 * How a model tells its states apart: the machine's state, then the context
 * fields the next steps depend on, as `state|name:value|…`.
 */
export function stateWith(value: StateValue, fields: Readonly<Record<string, unknown>>): string {
  return [stateToString(value), ...Object.entries(fields).map(([name, field]) => `${name}:${String(field)}`)].join('|');
}

/** `outcomes` read from a table by state (dotted path, as `stateToString` gives it); a state it leaves out has none. */
export function outcomesByState<TEvent>(table: Readonly<Record<string, readonly TEvent[]>>) {
  return (snapshot: AnyMachineSnapshot): readonly TEvent[] => table[stateToString(snapshot.value)] ?? [];
}

export function hasKey(payload: unknown, key: string): boolean {
  return typeof payload === 'object' && payload !== null && key in payload;
}

export function leafStates(node: AnyStateNode): string[] {
  const children = Object.values(node.states) as AnyStateNode[];
  if (children.length === 0) return [node.path.join('.')];
  return children.flatMap(leafStates);
}

export function describeChapterModel<TMachine extends AnyStateMachine, TWorld extends KitWorld>(model: ChapterModel<TMachine, TWorld>): void {
  const { definition } = model;
  const readerEvents = definition.controls.flatMap((c) =>
    c.kind === 'user' && (model.readerControls?.has(c.id) ?? true) ? [c.event] : [],
  );
  const { paths, untaken } = transitionCover(definition.machine, {
    events: (snapshot) => [...readerEvents, ...model.outcomes(snapshot)],
    serializeState: model.serializeState,
  });
  const lanes = new Map(definition.lanes.map((lane) => [lane.id, lane]));
  const exercised = new Map(Object.keys(model.mustExercise).map((name) => [name, 0]));

  type Steps = (typeof paths)[number]['steps'];

  async function walkIn(world: SimulationDefinition<TMachine, TWorld>, steps: Steps): Promise<Simulation<TMachine, TWorld>> {
    const sim = new Simulation(world);
    // Each frame as made, and a copy of it then: a view that handed out the world's own objects would
    // change a kept frame when the world moves on.
    const made: [Frame, Frame][] = [];
    const keep = (frame: Frame) => void made.push([frame, structuredClone(frame)]);
    keep(sim.frame());
    for (const step of steps) {
      const control = definition.controls.find((c) => c.kind === 'user' && JSON.stringify(c.event) === JSON.stringify(step.event));
      if (control) await press(sim, control.id);
      else await model.produce(sim, step.event);
      expect(model.serializeState(sim.snapshot)).toBe(model.serializeState(step.state));
      keep(sim.frame());
    }
    for (const [frame, copy] of made) expect(frame).toEqual(copy);
    return sim;
  }

  async function walk(steps: Steps): Promise<Simulation<TMachine, TWorld>> {
    const worlds = model.worlds?.(steps.map((step) => step.event)) ?? [definition];
    let lastFailure: unknown;
    for (const world of worlds) {
      try {
        return await walkIn(world, steps);
      } catch (error) {
        lastFailure = error;
      }
    }
    throw lastFailure;
  }

  /** A scenario's steps with the model's own state after each event, as generated paths carry them. */
  function scenarioSteps(events: readonly EventFromLogic<TMachine>[]): Steps {
    const actor = createActor(definition.machine).start();
    return events.map((event) => {
      const before = actor.getSnapshot() as AnyMachineSnapshot;
      expect(before.can(event), `the model does not accept ${event.type} in ${stateToString(before.value)}`).toBe(true);
      actor.send(event);
      return { event, state: actor.getSnapshot() as SnapshotFrom<TMachine> };
    });
  }

  const allPaths = [
    ...paths.map((p) => ({ name: p.name, steps: p.steps as Steps })),
    ...(model.scenarios ?? []).map((scenario) => ({ name: `scenario: ${scenario.name}`, steps: scenarioSteps(scenario.events) })),
  ];

  describe(`${definition.flow} model`, () => {
    it('generated paths take every declared transition and reach every state', () => {
      expect(untaken).toEqual([]);
      expect(paths.length).toBeGreaterThanOrEqual(model.minPaths);
      const reached = new Set(paths.flatMap((p) => p.steps.flatMap((s) => stateToString((s.state as AnyMachineSnapshot).value).split('|'))));
      expect(leafStates(definition.machine.root).filter((state) => !reached.has(state))).toEqual([]);
    });

    describe.each(allPaths.map((p) => [p.name, p] as const))('%s', (_name, path) => {
      it('the world produces the modelled events and keeps the invariants', async () => {
        const sim = await walk(path.steps);
        const frame = sim.frame();
        for (const message of frame.messages) {
          const to = lanes.get(message.to);
          expect(to, `message to unknown lane ${message.to}`).toBeDefined();
          expect(lanes.get(message.from), `message from unknown lane ${message.from}`).toBeDefined();
          const secrets = (message.secrets ?? []).filter((key) => hasKey(message.payload, key));
          if (to!.trust === 'device' && secrets.length > 0) {
            expect(message.tone, `${message.label} carries ${secrets.join(', ')} to ${message.to} without being flagged`).toBe('danger');
          }
          for (const key of SERVER_ONLY_KEYS.filter((k) => hasKey(message.payload, k))) {
            expect([lanes.get(message.from)!.trust, to!.trust].every((trust) => trust !== 'device'), `${key} in ${message.label}`).toBe(true);
          }
        }
        await model.invariants(sim);
        for (const [name, holds] of Object.entries(model.mustExercise)) if (holds(sim)) exercised.set(name, exercised.get(name)! + 1);

        if (model.arrangesWorldDirectly) {
          expect((await walk(path.steps)).frame()).toEqual(frame);
        } else {
          const again = await replay(sim.definition, frame.log.map((entry) => entry.control));
          expect(again.ok).toBe(true);
          expect(again.simulation.frame()).toEqual(frame);
        }
      });
    });

    it('the paths exercise every outcome the chapter promises', () => {
      const missing = [...exercised].filter(([, count]) => count === 0).map(([name]) => name);
      expect(missing, `never exercised: ${missing.join(', ')}`).toEqual([]);
    });
  });
}
