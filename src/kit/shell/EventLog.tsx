import type { Frame } from '../engine/engine.ts';

export function EventLog({ frame }: { frame: Frame }) {
  return (
    <details className="sim-panel sim-log">
      <summary className="sim-panel__title">操作记录（{frame.log.length}）</summary>
      {frame.log.length === 0 ? (
        <p>还没有操作。</p>
      ) : (
        <ol>
          {frame.log.map((entry, index) => (
            <li key={index}>
              <span>{entry.label}</span> → <code>{entry.state}</code>
              {entry.messages > 0 && <span className="sim-log__count">（{entry.messages} 条消息）</span>}
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}
