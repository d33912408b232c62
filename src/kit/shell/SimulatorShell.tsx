import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { AnyStateMachine } from 'xstate';
import type { HighlightedSample } from '../../lib/code-samples.ts';
import type { Frame } from '../engine/engine.ts';
import type { Control, SimulationDefinition } from '../engine/definition.ts';
import { CodePanel } from './CodePanel.tsx';
import { Controls } from './Controls.tsx';
import { SimulatorController, type ControllerState } from '../engine/controller.ts';
import { withDeepLink } from '../engine/deep-link.ts';
import { EventLog } from './EventLog.tsx';
import { SequenceDiagram } from './SequenceDiagram.tsx';
import { StateView } from './StateView.tsx';
import { WorldPanel } from './WorldPanel.tsx';
import './simulator.css';

export interface SimulatorShellProps<TMachine extends AnyStateMachine, TWorld> {
  definition: SimulationDefinition<TMachine, TWorld>;
  samples: readonly HighlightedSample[];
  /** The flow's own phone screen; `press` applies a control like the buttons below do. */
  renderPhone(frame: Frame, press: (controlId: string) => void): ReactNode;
}

/**
 * The frame every simulator shares. The first render is the flow's first
 * step and needs no browser, so the server-rendered HTML is a faithful
 * static picture; after hydration the deep link is read and replayed.
 */
export function SimulatorShell<TMachine extends AnyStateMachine, TWorld>({
  definition,
  samples,
  renderPhone,
}: SimulatorShellProps<TMachine, TWorld>) {
  const controller = useRef<SimulatorController<TMachine, TWorld>>(null);
  controller.current ??= new SimulatorController(definition);
  const [state, setState] = useState<ControllerState>(() => controller.current!.state());
  const [ready, setReady] = useState(false);

  useEffect(() => {
    const raw = new URL(window.location.href).searchParams.get(definition.flow);
    controller.current!.load(raw).then((next) => {
      setState(next);
      setReady(true);
    });
  }, [definition.flow]);

  useEffect(() => {
    if (!ready) return;
    const next = withDeepLink(window.location.href, definition.flow, state.steps);
    if (next !== window.location.pathname + window.location.search + window.location.hash) {
      window.history.replaceState(window.history.state, '', next);
    }
  }, [ready, state.steps, definition.flow]);

  const run = (operation: Promise<ControllerState>) => void operation.then(setState);
  const press = (id: string) => run(controller.current!.press(id));
  const { frame } = state;

  return (
    <div
      className="sim not-content"
      data-flow={definition.flow}
      data-state={frame.state}
      data-ready={ready ? 'true' : 'false'}
      aria-label={`${definition.title}模拟器`}
      role="region"
    >
      {state.notice && (
        <div className="sim-notice" role="alert">
          <p>{state.notice}</p>
          <button type="button" className="sim-button" onClick={() => setState(controller.current!.dismissNotice())}>
            知道了
          </button>
        </div>
      )}
      <div className="sim-stage">
        {renderPhone(frame, (id) => frame.enabled.includes(id) && press(id))}
        <SequenceDiagram frame={frame} />
      </div>
      <Controls
        controls={definition.controls as readonly Control<unknown, unknown>[]}
        state={state}
        onPress={press}
        onBack={() => run(controller.current!.back())}
        onForward={() => run(controller.current!.forward())}
        onReset={() => run(controller.current!.reset())}
      />
      <div className="sim-panels">
        <StateView machine={definition.machine} frame={frame} />
        <WorldPanel frame={frame} />
      </div>
      <CodePanel samples={samples} frame={frame} />
      <EventLog frame={frame} />
      <noscript>
        <p className="sim-noscript">这是模拟器的第一步。开启 JavaScript 后可以逐步操作。</p>
      </noscript>
    </div>
  );
}
