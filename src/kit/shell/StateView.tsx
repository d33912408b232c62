import { memo } from 'react';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import type { Frame } from '../engine/engine.ts';

function StateTree({ node, active, current }: { node: AnyStateNode; active: Set<string>; current: string }) {
  const children = Object.values(node.states) as AnyStateNode[];
  if (children.length === 0) return null;
  return (
    <ul>
      {children.map((child) => {
        const path = child.path.join('.');
        const isCurrent = current.split('|').includes(path);
        return (
          <li key={path} className={active.has(path) ? 'sim-state sim-state--active' : 'sim-state'}>
            <span aria-current={isCurrent ? 'step' : undefined}>
              {child.key}
              {isCurrent && <span className="sim-visually-hidden">（当前状态）</span>}
            </span>
            <StateTree node={child} active={active} current={current} />
          </li>
        );
      })}
    </ul>
  );
}

/** The machine's own states and the events it accepts now; nothing here is kept by hand. */
export const StateView = memo(function StateView({ machine, frame }: { machine: AnyStateMachine; frame: Frame }) {
  // Parallel regions are joined by `|`; every prefix of every region's path is active.
  const active = new Set(
    frame.state.split('|').flatMap((path) => {
      const parts = path.split('.');
      return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
    }),
  );
  return (
    <section className="sim-panel sim-stateview" aria-label="状态机">
      <h3 className="sim-panel__title">状态机</h3>
      <p className="sim-stateview__current">
        当前状态 <code data-testid="current-state">{frame.state}</code>
      </p>
      <StateTree node={machine.root} active={active} current={frame.state} />
      <h4 className="sim-panel__subtitle">此刻接受的事件</h4>
      <ul className="sim-chips">
        {frame.accepts.map((event) => (
          <li key={event.type} className={event.byReader ? 'sim-chip sim-chip--reader' : 'sim-chip'}>
            <code>{event.type}</code>
            <span className="sim-chip__who">{event.byReader ? '读者操作' : '自动产生'}</span>
          </li>
        ))}
      </ul>
    </section>
  );
});
