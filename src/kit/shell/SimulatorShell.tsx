import { useEffect, useRef, useState, type ComponentType } from 'react';
import type { AnyStateMachine, ContextFrom } from 'xstate';
import type { HighlightedSample } from './highlighted.ts';
import type { Frame } from '../engine/engine.ts';
import type { Control, KitWorld, PhoneSpec, SimulationDefinition } from '../engine/definition.ts';
import { CodePanel } from './CodePanel.tsx';
import { Controls } from './Controls.tsx';
import { SimulatorController, type ControllerState } from '../engine/controller.ts';
import { withDeepLink } from '../engine/deep-link.ts';
import { EventLog } from './EventLog.tsx';
import { SequenceDiagram } from './SequenceDiagram.tsx';
import { StateView } from './StateView.tsx';
import { WorldPanel } from './WorldPanel.tsx';
import './simulator.css';

/** What a chapter's phone screen receives: which phone it draws, the frame, and a way to press controls. */
export interface PhoneProps<TContext> {
  phone: PhoneSpec;
  /** True when the chapter has more than one phone, so each frame names its owner. */
  named: boolean;
  frame: Frame<TContext>;
  /** Applies a control like the buttons below do; ignored when the control is unavailable. */
  press(controlId: string): void;
}

export interface SimulatorShellProps<TMachine extends AnyStateMachine, TWorld extends KitWorld> {
  definition: SimulationDefinition<TMachine, TWorld>;
  samples: readonly HighlightedSample[];
  /** The chapter's phone screen, drawn once per phone the definition declares. */
  Phone?: ComponentType<PhoneProps<ContextFrom<TMachine>>> | undefined;
}

/**
 * The frame every simulator shares. The first render is the flow's first
 * step and needs no browser, so the server-rendered HTML is a faithful
 * static picture; after hydration the deep link is read and replayed.
 */
export function SimulatorShell<TMachine extends AnyStateMachine, TWorld extends KitWorld>({
  definition,
  samples,
  Phone,
}: SimulatorShellProps<TMachine, TWorld>) {
  const controller = useRef<SimulatorController<TMachine, TWorld>>(null);
  controller.current ??= new SimulatorController(definition);
  const [state, setState] = useState<ControllerState<ContextFrom<TMachine>>>(() => controller.current!.state());
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

  const run = (operation: Promise<ControllerState<ContextFrom<TMachine>>>) => void operation.then(setState);
  const press = (id: string) => run(controller.current!.press(id));
  const { frame } = state;
  const phones = Phone ? definition.phones : [];

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
      <div className={phones.length > 0 ? 'sim-stage' : 'sim-stage sim-stage--no-phone'} data-phones={phones.length}>
        {phones.length > 0 && Phone && (
          <div className="sim-stage__phones">
            {phones.map((phone) => (
              <Phone
                key={phone.id}
                phone={phone}
                named={phones.length > 1}
                frame={frame}
                press={(id) => frame.enabled.includes(id) && press(id)}
              />
            ))}
          </div>
        )}
        <SequenceDiagram frame={frame as Frame} lanes={definition.lanes} />
      </div>
      <Controls
        controls={definition.controls as readonly Control<never, unknown>[]}
        lanes={definition.lanes}
        state={state as ControllerState}
        onPress={press}
        onBack={() => run(controller.current!.back())}
        onForward={() => run(controller.current!.forward())}
        onReset={() => run(controller.current!.reset())}
      />
      <div className="sim-panels">
        <StateView machine={definition.machine} frame={frame as Frame} />
        <WorldPanel frame={frame as Frame} lanes={definition.lanes} timeScale={definition.timeScale} />
      </div>
      <CodePanel samples={samples} frame={frame as Frame} />
      <EventLog frame={frame as Frame} />
      <noscript>
        <p className="sim-noscript">这是模拟器的第一步。开启 JavaScript 后可以逐步操作。</p>
      </noscript>
    </div>
  );
}

/**
 * A chapter's island in one line: `export default simulatorIsland(loginSimulation, LoginPhone);`
 * The chapter's .astro mount passes the code highlighted at build time.
 */
export function simulatorIsland<TMachine extends AnyStateMachine, TWorld extends KitWorld>(
  definition: SimulationDefinition<TMachine, TWorld>,
  Phone?: ComponentType<PhoneProps<ContextFrom<TMachine>>>,
) {
  return function SimulatorIsland({ samples }: { samples: readonly HighlightedSample[] }) {
    return <SimulatorShell definition={definition} samples={samples} Phone={Phone} />;
  };
}
