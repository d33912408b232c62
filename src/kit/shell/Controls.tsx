import { laneStepId, type Control, type LaneSpec } from '../engine/definition.ts';
import { STEP_CONTROL_ID, type Frame } from '../engine/engine.ts';
import type { ControllerState } from '../engine/controller.ts';

interface ControlsProps {
  controls: readonly Control<never, unknown>[];
  lanes: readonly LaneSpec[];
  state: ControllerState;
  onPress(id: string): void;
  onBack(): void;
  onForward(): void;
  onReset(): void;
}

/**
 * Buttons stay focusable when unavailable (aria-disabled, not disabled), so a
 * keyboard user's focus never drops to the page when the flow moves on.
 */
function ControlButton({ id, label, hint, frame, onPress }: { id: string; label: string; hint?: string | undefined; frame: Frame; onPress(id: string): void }) {
  const enabled = frame.enabled.includes(id);
  const pressed = frame.active.includes(id);
  return (
    <button
      type="button"
      className="sim-button"
      data-control={id}
      aria-disabled={!enabled}
      aria-pressed={pressed || undefined}
      title={hint}
      onClick={() => enabled && onPress(id)}
    >
      {label}
    </button>
  );
}

export function Controls({ controls, lanes, state, onPress, onBack, onForward, onReset }: ControlsProps) {
  const { frame } = state;
  const user = controls.filter((c) => c.kind === 'user');
  const world = controls.filter((c) => c.kind !== 'user');
  // When several lanes have work waiting, the reader may choose whose goes first.
  const busyLanes = lanes.filter((lane) => frame.pending.some((p) => p.lane === lane.id));
  return (
    <section className="sim-controls" aria-label="操作">
      <div className="sim-controls__group" role="group" aria-label="流程">
        <ControlButton id={STEP_CONTROL_ID} label="下一步" frame={frame} onPress={onPress} />
        <span className="sim-controls__pending" aria-live="polite">
          {frame.nextDescription ? `待处理：${frame.nextDescription}` : '没有待处理的消息，请选择一个操作'}
        </span>
        {busyLanes.length > 1 &&
          busyLanes.map((lane) => (
            <ControlButton
              key={lane.id}
              id={laneStepId(lane.id)}
              label={`先处理：${lane.label}`}
              hint={frame.pending.find((p) => p.lane === lane.id)?.busy}
              frame={frame}
              onPress={onPress}
            />
          ))}
      </div>
      {frame.agenda.length > 0 && (
        <ol className="sim-controls__agenda" aria-label="接下来会发生">
          {frame.agenda.slice(0, 3).map((entry, index) => (
            <li key={index}>
              {lanes.find((lane) => lane.id === entry.lane)?.label ?? entry.lane}：{entry.label}
            </li>
          ))}
        </ol>
      )}
      <div className="sim-controls__group" role="group" aria-label="用户操作">
        {user.map((c) => (
          <ControlButton key={c.id} id={c.id} label={c.label} hint={c.hint} frame={frame} onPress={onPress} />
        ))}
      </div>
      <div className="sim-controls__group" role="group" aria-label="世界">
        {world.map((c) => (
          <ControlButton key={c.id} id={c.id} label={c.label} hint={c.hint} frame={frame} onPress={onPress} />
        ))}
      </div>
      <div className="sim-controls__group" role="group" aria-label="历史">
        <button type="button" className="sim-button" aria-disabled={!state.canBack} onClick={() => state.canBack && onBack()}>
          后退一步
        </button>
        <button type="button" className="sim-button" aria-disabled={!state.canForward} onClick={() => state.canForward && onForward()}>
          前进一步
        </button>
        <button type="button" className="sim-button" aria-disabled={state.steps.length === 0 && !state.canForward} onClick={onReset}>
          重置
        </button>
      </div>
    </section>
  );
}
