import { useState, type RefObject } from 'react';
import { actorOf, laneStepId, type Actor, type Control, type LaneSpec } from '../engine/definition.ts';
import { STEP_CONTROL_ID, unavailableNow, type Frame } from '../engine/engine.ts';
import type { ControllerState } from '../engine/controller.ts';
import { byWhom } from './format.ts';

interface ButtonProps {
  id: string;
  label: string;
  hint?: string | undefined;
  frame: Frame;
  onPress(id: string): void;
  onHint(hint: string | null): void;
}

/**
 * Buttons stay focusable when unavailable (aria-disabled, not disabled), so a
 * keyboard user's focus never drops to the page when the flow moves on. Their
 * hint shows in the line under the controls on focus or hover, so it reaches
 * touch and keyboard readers too, not only a mouse's tooltip.
 */
function ControlButton({ id, label, hint, frame, onPress, onHint }: ButtonProps) {
  const enabled = frame.enabled.includes(id);
  const pressed = frame.active.includes(id);
  // An unavailable button says so first, and why; a choice in place is not unavailable.
  const show = () => onHint(enabled || pressed ? (hint ?? null) : `${unavailableNow(label, frame)}${hint ? `。${hint}` : ''}`);
  return (
    <button
      type="button"
      className="sim-button"
      data-control={id}
      aria-disabled={!enabled}
      aria-pressed={pressed || undefined}
      onClick={() => enabled && onPress(id)}
      onFocus={show}
      onMouseEnter={show}
    >
      {label}
    </button>
  );
}

interface StepBarProps {
  lanes: readonly LaneSpec[];
  state: ControllerState;
  onPress(id: string): void;
  onBack(): void;
  onForward(): void;
  onReset(): void;
  onCopyLink(): Promise<boolean>;
  expanded: boolean;
  onToggleExpanded(): void;
  /** The bar's element, which the shell keeps from shrinking. */
  barRef: RefObject<HTMLElement>;
}

/** What moves the flow: 下一步 (or a lane's turn), the history, and the link to this step. Sticky while the simulator is on screen. */
export function StepBar({ lanes, state, onPress, onBack, onForward, onReset, onCopyLink, expanded, onToggleExpanded, barRef }: StepBarProps) {
  const { frame } = state;
  const [copied, setCopied] = useState<'idle' | 'done' | 'failed'>('idle');
  // When several lanes have work waiting, the reader may choose whose goes first.
  const busyLanes = lanes.filter((lane) => frame.pending.some((p) => p.lane === lane.id));
  const noHint = () => {};
  return (
    <section className="sim-bar" aria-label="步骤" ref={barRef}>
      <div className="sim-bar__group" role="group" aria-label="流程">
        <ControlButton id={STEP_CONTROL_ID} label="下一步" frame={frame} onPress={onPress} onHint={noHint} />
        {busyLanes.length > 1 &&
          busyLanes.map((lane) => (
            <ControlButton
              key={lane.id}
              id={laneStepId(lane.id)}
              label={`先处理：${lane.label}`}
              hint={frame.pending.find((p) => p.lane === lane.id)?.busy}
              frame={frame}
              onPress={onPress}
              onHint={noHint}
            />
          ))}
        <span className="sim-bar__pending">
          {frame.nextDescription ? `待处理：${frame.nextDescription}` : '没有待处理的消息，请选择一个操作'}
        </span>
        {frame.agenda.length > 0 && (
          <ol className="sim-bar__agenda" aria-label="接下来会发生">
            {frame.agenda.slice(0, 3).map((entry, index) => (
              <li key={index}>{byWhom(lanes.find((lane) => lane.id === entry.lane)?.label ?? entry.lane, entry.label)}</li>
            ))}
          </ol>
        )}
      </div>
      <div className="sim-bar__group" role="group" aria-label="历史">
        <span className="sim-bar__step">第 {state.steps.length} 步</span>
        <button type="button" className="sim-button" aria-disabled={!state.canBack} onClick={() => state.canBack && onBack()}>
          后退一步
        </button>
        <button type="button" className="sim-button" aria-disabled={!state.canForward} onClick={() => state.canForward && onForward()}>
          前进一步
        </button>
        <button type="button" className="sim-button" aria-disabled={state.steps.length === 0 && !state.canForward} onClick={onReset}>
          重置
        </button>
        <button
          type="button"
          className="sim-button"
          onClick={() => void onCopyLink().then((ok) => setCopied(ok ? 'done' : 'failed'))}
          onBlur={() => setCopied('idle')}
        >
          {copied === 'done' ? '已复制' : copied === 'failed' ? '请从地址栏复制' : '复制链接'}
        </button>
        <button type="button" className="sim-button sim-bar__expand" aria-pressed={expanded} onClick={onToggleExpanded}>
          {expanded ? '收起工作台' : '全屏工作台'}
        </button>
      </div>
    </section>
  );
}

const GROUPS: readonly { actor: Actor; label: string }[] = [
  { actor: 'user', label: '用户操作' },
  { actor: 'code', label: '你的代码' },
  { actor: 'world', label: '外部条件' },
];

/** The reader's levers, grouped by who acts: the user on the phone, the developer's code, the world. */
export function Controls({ controls, frame, onPress }: { controls: readonly Control<never, unknown>[]; frame: Frame; onPress(id: string): void }) {
  const [hint, setHint] = useState<string | null>(null);
  return (
    <section className="sim-controls" aria-label="操作" onMouseLeave={() => setHint(null)}>
      {GROUPS.map(({ actor, label }) => {
        const mine = controls.filter((control) => actorOf(control) === actor);
        if (mine.length === 0) return null;
        return (
          <div key={actor} className="sim-controls__group" role="group" aria-label={label}>
            {mine.map((c) => (
              <ControlButton key={c.id} id={c.id} label={c.label} hint={c.hint} frame={frame} onPress={onPress} onHint={setHint} />
            ))}
          </div>
        );
      })}
      <p className="sim-controls__hint" aria-live="polite">
        {hint ?? '把光标移到或聚焦到一个操作上，这里会说明它做什么。'}
      </p>
    </section>
  );
}
