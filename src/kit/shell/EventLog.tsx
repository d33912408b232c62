import { memo, useState } from 'react';
import type { Frame } from '../engine/engine.ts';

/** Every step taken so far; the list is drawn only while the reader has it open. */
export const EventLog = memo(function EventLog({ frame }: { frame: Frame }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="sim-panel sim-log" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary className="sim-panel__title">操作记录（{frame.log.length}）</summary>
      {frame.log.length === 0 ? (
        <p>还没有操作。</p>
      ) : (
        open && (
          <ol>
            {frame.log.map((entry, index) => (
              <li key={index}>
                <span>{entry.label}</span> → <code>{entry.state}</code>
                {entry.messages > 0 && <span className="sim-log__count">（{entry.messages} 条消息）</span>}
              </li>
            ))}
          </ol>
        )
      )}
    </details>
  );
});
