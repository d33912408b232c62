/**
 * Paths that take every transition of a machine at least once: for each edge
 * of the adjacency map, the shortest path to its source plus that edge. Also
 * lists the machine's declared transitions that no path takes, so a test can
 * insist there are none.
 */
import type { AnyStateMachine, AnyStateNode, EventFromLogic, SnapshotFrom } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';

export interface CoverOptions<TMachine extends AnyStateMachine> {
  /** Events to try in a state; a function lets outcomes depend on what the state is waiting for. */
  events: readonly EventFromLogic<TMachine>[] | ((snapshot: SnapshotFrom<TMachine>) => readonly EventFromLogic<TMachine>[]);
  /** What makes two snapshots the same node of the graph (state value plus the context that matters). */
  serializeState(snapshot: SnapshotFrom<TMachine>): string;
}

export interface CoverPath<TMachine extends AnyStateMachine> {
  name: string;
  steps: { event: EventFromLogic<TMachine>; state: SnapshotFrom<TMachine> }[];
}

export function transitionCover<TMachine extends AnyStateMachine>(machine: TMachine, options: CoverOptions<TMachine>) {
  const traversal = {
    events: options.events,
    serializeState: (snapshot: SnapshotFrom<TMachine>) => options.serializeState(snapshot),
  };
  const adjacency = getAdjacencyMap(machine, traversal as never);
  const shortest = new Map<string, CoverPath<TMachine>['steps']>();
  for (const path of getShortestPaths(machine, traversal as never)) {
    // The first step of every path is the machine starting (`xstate.init`), which no host has to produce.
    const steps = (path.steps as CoverPath<TMachine>['steps']).filter((step) => step.event.type !== 'xstate.init');
    shortest.set(options.serializeState(path.state as SnapshotFrom<TMachine>), steps);
  }

  const paths: CoverPath<TMachine>[] = [];
  const taken: { from: SnapshotFrom<TMachine>; event: EventFromLogic<TMachine>; to: SnapshotFrom<TMachine> }[] = [];
  for (const [source, { state, transitions }] of Object.entries(adjacency)) {
    const prefix = shortest.get(source);
    if (!prefix) throw new Error(`no path to ${source}`);
    for (const { event, state: next } of Object.values(transitions) as { event: EventFromLogic<TMachine>; state: SnapshotFrom<TMachine> }[]) {
      // The adjacency map tries every event everywhere; keep only the ones the state really handles.
      if (!(state as { can(e: unknown): boolean }).can(event)) continue;
      taken.push({ from: state as SnapshotFrom<TMachine>, event, to: next });
      paths.push({
        name: `${source} --${event.type}${describePayload(event)}--> ${options.serializeState(next)}`,
        steps: [...prefix, { event, state: next }],
      });
    }
  }

  const untaken = declaredTransitions(machine.root).filter(
    ({ node, eventType, target }) =>
      !taken.some(
        ({ from, event, to }) =>
          event.type === eventType &&
          (from as { _nodes: AnyStateNode[] })._nodes.includes(node) &&
          (target === undefined || (to as { _nodes: AnyStateNode[] })._nodes.includes(target)),
      ),
  );
  return { paths, untaken: untaken.map(({ node, eventType, target }) => `${node.id} --${eventType}--> ${target?.id ?? '(self)'}`) };
}

function describePayload(event: { type: string }): string {
  const rest = Object.entries(event).filter(([key]) => key !== 'type');
  return rest.length ? `(${rest.map(([k, v]) => `${k}=${String(v)}`).join(',')})` : '';
}

function declaredTransitions(node: AnyStateNode): { node: AnyStateNode; eventType: string; target: AnyStateNode | undefined }[] {
  const own = [...node.transitions.entries()].flatMap(([eventType, definitions]) =>
    definitions.map((definition: { target?: readonly AnyStateNode[] }) => ({ node, eventType, target: definition.target?.[0] })),
  );
  return [...own, ...(Object.values(node.states) as AnyStateNode[]).flatMap(declaredTransitions)];
}
