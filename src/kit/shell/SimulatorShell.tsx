import { useEffect, useLayoutEffect, useRef, useState, type ComponentType, type RefObject } from 'react';
import type { AnyStateMachine, ContextFrom } from 'xstate';
import { STEP_CONTROL_ID, unavailableNow, type Frame } from '../engine/engine.ts';
import type { Control, KitWorld, PhoneSpec, SimulationDefinition } from '../engine/definition.ts';
import { CodePanel } from './CodePanel.tsx';
import { useAfterPaint } from './useAfterPaint.ts';
import { codeSamplesUrl, useCodeSamples, type CodeSamples } from './useCodeSamples.ts';
import { Controls, StepBar } from './Controls.tsx';
import { SimulatorController, type ControllerState } from '../engine/controller.ts';
import { stepsInLink, withDeepLink } from '../engine/deep-link.ts';
import { EventLog } from './EventLog.tsx';
import { useFocusKeptInside, useWorkbenchFocus } from './keyboard-focus.ts';
import { joinWords } from './format.ts';
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
  /** The code panel's files, which arrive after the first render. */
  code: CodeSamples;
  /** The chapter's phone screen, drawn once per phone the definition declares. */
  Phone?: ComponentType<PhoneProps<ContextFrom<TMachine>>> | undefined;
}

/**
 * Lets a box grow but not shrink while the reader steps (until its width
 * changes): what the world holds comes and goes, and were the box to follow
 * it, the whole chapter below would move on each step, to be laid out and
 * painted again, and jump under a reader who is looking there.
 */
function useNoShrink(ref: RefObject<HTMLElement | null>) {
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    let width = 0;
    let tallest = 0;
    const observer = new ResizeObserver(([entry]) => {
      const box = entry!.borderBoxSize[0]!;
      if (Math.abs(box.inlineSize - width) > 0.5) {
        // Another width lays the box out anew (side by side or stacked): start from its own height.
        width = box.inlineSize;
        element.style.minBlockSize = '';
        tallest = element.offsetHeight;
      } else if (box.blockSize > tallest + 0.5) {
        tallest = box.blockSize;
      } else return;
      element.style.minBlockSize = `${tallest}px`;
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
}

const LOADING: CodeSamples = { status: 'loading' };

/** Arrow keys step only when focus is not in something that uses them itself; a checkbox or a switch does not. */
const typing = (target: EventTarget | null) => target instanceof HTMLElement && target.closest('input:not([type="checkbox"]), textarea, select') !== null;

/**
 * The workbench every simulator shares: a sticky step bar, the phone(s)
 * beside the code of the current step, the reader's controls grouped by who
 * acts, then the messages, the machine and who holds what. The first render
 * is the flow's first step and needs no browser, so the server-rendered HTML
 * is a faithful static picture; after hydration the deep link is read and replayed.
 */
export function SimulatorShell<TMachine extends AnyStateMachine, TWorld extends KitWorld>({
  definition,
  code,
  Phone,
}: SimulatorShellProps<TMachine, TWorld>) {
  const controller = useRef<SimulatorController<TMachine, TWorld>>(null);
  controller.current ??= new SimulatorController(definition);
  const [state, setState] = useState<ControllerState<ContextFrom<TMachine>>>(() => controller.current!.state());
  const [ready, setReady] = useState(false);
  // The shared link's step count, which the page's landing script (Simulator.astro) has already written into the
  // notice holding its room: the first render says the same, so hydration leaves the text, and the room, as they are.
  const [linkSteps] = useState(() => (typeof window === 'undefined' ? 0 : stepsInLink(new URL(window.location.href).searchParams.get(definition.flow))));
  const [announcement, setAnnouncement] = useState('');
  // Focus mode: the simulator takes the whole window below the site header, phone, code and messages side by side.
  const [expanded, setExpanded] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const panels = useRef<HTMLDivElement>(null);
  useNoShrink(panels);
  // The bar gains a line while something is scheduled or several lanes wait, and loses it a few steps later:
  // were it to follow, everything under it would move up and down as the reader steps.
  const bar = useRef<HTMLElement>(null);
  useNoShrink(bar);
  useFocusKeptInside(root);

  // In the full-window workbench the diagram sticks under the step bar, whose height changes as it wraps.
  // Only there: a property set on the root restyles everything inside it, which cost a restored link's
  // first frame a second pass over the whole simulator. Observed before the paint, so that the workbench's
  // first frame already has the bar's height.
  useLayoutEffect(() => {
    const element = root.current;
    const barElement = bar.current;
    if (!expanded || !element || !barElement || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => element.style.setProperty('--sim-bar-height', `${barElement.offsetHeight}px`));
    observer.observe(barElement);
    return () => {
      observer.disconnect();
      element.style.removeProperty('--sim-bar-height');
    };
  }, [expanded]);

  useWorkbenchFocus(root, expanded, setExpanded);

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

  // A tap on the phone whose control is not offered at this step says why, over that phone, until the next step.
  const [phoneNote, setPhoneNote] = useState<{ phone: string; text: string } | null>(null);
  useEffect(() => {
    if (!phoneNote) return;
    const timer = setTimeout(() => setPhoneNote(null), 4000);
    return () => clearTimeout(timer);
  }, [phoneNote]);
  const run = (operation: Promise<ControllerState<ContextFrom<TMachine>>>) =>
    void operation.then((next) => {
      setState(next);
      setPhoneNote(null);
      const last = next.frame.log.at(-1);
      // The step and what happened, not the machine's state id (askingAtLaunch.calling), which the 状态机 panel shows.
      setAnnouncement(last ? `第 ${next.steps.length} 步：${last.label}` : '回到了第 0 步');
    });
  const press = (id: string) => run(controller.current!.press(id));
  const pressOnPhone = (phone: string) => (id: string) => {
    if (state.frame.enabled.includes(id)) return press(id);
    const control = (definition.controls as readonly Control<never, unknown>[]).find((c) => c.id === id);
    if (!control) return;
    const text = unavailableNow(control.label, state.frame);
    setPhoneNote({ phone, text });
    setAnnouncement(text);
  };
  const note = useRef<HTMLParagraphElement>(null);
  // Placed over the foot of the phone that was tapped: with phones stacked on a narrow screen, the others may be off screen.
  useLayoutEffect(() => {
    const element = note.current;
    const phone = phoneNote && element?.parentElement?.querySelector<HTMLElement>(`[data-phone="${phoneNote.phone}"]`);
    if (!element || !phone) return;
    element.style.maxInlineSize = `${Math.max(phone.offsetWidth - 16, 160)}px`;
    const half = element.offsetWidth / 2;
    const room = element.parentElement!.clientWidth;
    element.style.left = `${Math.min(Math.max(phone.offsetLeft + phone.offsetWidth / 2, half), room - half)}px`;
    element.style.top = `${phone.offsetTop + phone.offsetHeight - element.offsetHeight - 16}px`;
  }, [phoneNote]);
  const back = () => run(controller.current!.back());
  const forward = () => run(controller.current!.forward());
  const { frame } = state;
  // After a step, what sits below the controls follows a moment later, in a render of its own after the
  // paint: the bar, the phone and the code paint at once. The step a shared link restored is drawn whole at
  // once instead (as is the first step): deferring it made the reader wait longer for the finished picture.
  // Steps back and forward from it are steps like any other (drawn whole, a step back from a 200-step link
  // took 66 ms to paint at 4× on /authorization/).
  const deferred = useAfterPaint(frame);
  const later = state.restored === state.steps.length || state.steps.length === 0 ? frame : deferred;
  const phones = Phone ? definition.phones : [];

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    if (event.key === 'Escape' && expanded) {
      setExpanded(false);
    } else if (event.key === 'ArrowRight') {
      event.preventDefault();
      // After ← the reader expects → to bring back what they undid, even where 下一步 could also run
      // (a chapter whose world has scheduled events always can); only at the end of the history does → step on.
      if (state.canForward) forward();
      else if (frame.enabled.includes(STEP_CONTROL_ID)) press(STEP_CONTROL_ID);
    } else if (event.key === 'ArrowLeft' && state.canBack) {
      event.preventDefault();
      back();
    }
  };

  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      return true;
    } catch {
      return false;
    }
  };

  return (
    <div
      className={expanded ? 'sim sim--expanded not-content' : 'sim not-content'}
      data-flow={definition.flow}
      data-state={frame.state}
      // Ready once the shared step is restored and drawn, the deferred panels included.
      data-ready={ready && later === frame ? 'true' : 'false'}
      aria-label={joinWords(definition.title, '模拟器')}
      role="region"
      // Focusable by a click only: a click on its text keeps focus inside it, so → ← and Esc still reach it.
      tabIndex={-1}
      ref={root}
      onKeyDown={onKeyDown}
    >
      {state.notice && (
        <div className="sim-notice" role="alert">
          <p>{state.notice}</p>
          <button type="button" className="sim-button" onClick={() => setState(controller.current!.dismissNotice())}>
            知道了
          </button>
        </div>
      )}
      {/* Always in the page, hidden until a shared link is restored: while a shared link loads, the page
          holds its room (Simulator.astro), so it appears without pushing the step the reader landed on. */}
      <div className="sim-notice sim-notice--shared" role="status" hidden={state.restored === null}>
        <p>
          你打开的是别人分享的第 <span className="sim-notice__count">{state.restored ?? linkSteps}</span> 步。可以接着往下走，也可以从头看起。
        </p>
        <button type="button" className="sim-button" onClick={() => run(controller.current!.reset())}>
          从头开始
        </button>
        <button type="button" className="sim-button" onClick={() => setState(controller.current!.dismissNotice())}>
          知道了
        </button>
      </div>
      <StepBar
        lanes={definition.lanes}
        state={state as ControllerState}
        onPress={press}
        onBack={back}
        onForward={forward}
        onReset={() => run(controller.current!.reset())}
        onCopyLink={copyLink}
        expanded={expanded}
        onToggleExpanded={() => setExpanded((on) => !on)}
        barRef={bar}
      />
      <p className="sim-visually-hidden" aria-live="polite">
        {announcement}
      </p>
      <div className={phones.length > 0 ? 'sim-bench' : 'sim-bench sim-bench--no-phone'} data-phones={phones.length}>
        {phones.length > 0 && Phone && (
          <div className="sim-bench__phones">
            {phones.map((phone) => (
              <Phone
                key={phone.id}
                phone={phone}
                named={phones.length > 1}
                frame={frame}
                press={pressOnPhone(phone.id)}
              />
            ))}
            {phoneNote && (
              <p className="sim-phones__note" aria-hidden="true" ref={note}>
                {phoneNote.text}
              </p>
            )}
          </div>
        )}
        {/* Not before the shared step is restored: the files usually arrive first (Simulator.astro asks early),
            and drawing the first step's code only to replace it a moment later doubled the panel's cost. */}
        <CodePanel code={ready ? code : LOADING} frame={frame as Frame} scope={definition.flow} />
      </div>
      <Controls controls={definition.controls as readonly Control<never, unknown>[]} frame={frame as Frame} onPress={press} />
      <SequenceDiagram frame={later as Frame} lanes={definition.lanes} />
      <div className="sim-panels" ref={panels}>
        <StateView machine={definition.machine} frame={later as Frame} />
        <WorldPanel frame={later as Frame} lanes={definition.lanes} timeScale={definition.timeScale} />
      </div>
      <EventLog frame={later as Frame} />
      <noscript>
        <p className="sim-noscript">这是模拟器的起点（第 0 步）。开启 JavaScript 后可以逐步操作。</p>
      </noscript>
    </div>
  );
}

/**
 * A chapter's island in one line: `export default simulatorIsland(loginSimulation, LoginPhone);`
 * Its code panel fetches what the build wrote for the chapter, at codeSamplesUrl(flow).
 */
export function simulatorIsland<TMachine extends AnyStateMachine, TWorld extends KitWorld>(
  definition: SimulationDefinition<TMachine, TWorld>,
  Phone?: ComponentType<PhoneProps<ContextFrom<TMachine>>>,
) {
  const codeUrl = codeSamplesUrl(definition.flow);
  return function SimulatorIsland() {
    const code = useCodeSamples(codeUrl);
    return <SimulatorShell definition={definition} code={code} Phone={Phone} />;
  };
}
