import { useEffect, useRef } from 'react';
import type { LaneSpec } from '../engine/definition.ts';
import type { Frame } from '../engine/engine.ts';
import { shorten } from './format.ts';

function Payload({ payload, secrets }: { payload: unknown; secrets: readonly string[] }) {
  if (payload === undefined) return null;
  if (typeof payload !== 'object' || payload === null) return <code className="sim-msg__payload">{JSON.stringify(payload)}</code>;
  return (
    <dl className="sim-msg__payload">
      {Object.entries(payload).map(([key, value]) => {
        const secret = secrets.includes(key);
        return (
          <div key={key} className={secret ? 'sim-kv sim-kv--secret' : 'sim-kv'}>
            <dt>{key}</dt>
            <dd>
              <code title={typeof value === 'string' ? value : undefined}>{typeof value === 'string' ? shorten(value, 64) : JSON.stringify(value)}</code>
              {secret && <span className="sim-badge sim-badge--secret">仅限服务器</span>}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

/**
 * One column per lane the chapter declares, one row per message: the arrow
 * carries the message's label, the card under it the payload, so a row reads
 * as one thing. No scroll box of its own; it follows the newest message only
 * while the reader is looking at it.
 */
export function SequenceDiagram({ frame, lanes }: { frame: Frame; lanes: readonly LaneSpec[] }) {
  const list = useRef<HTMLOListElement>(null);
  const lastStep = frame.log.length;
  const laneIndex = new Map(lanes.map((lane, index) => [lane.id, index]));
  const lane = (id: string) => lanes[laneIndex.get(id) ?? 0]!;
  const share = 100 / lanes.length;

  useEffect(() => {
    const element = list.current;
    const newest = element?.lastElementChild;
    if (!element || !newest) return;
    const box = element.getBoundingClientRect();
    if (box.top < window.innerHeight && box.bottom > 0) newest.scrollIntoView({ block: 'nearest' });
  }, [frame.messages.length]);

  return (
    <section className="sim-seq" aria-label="时序图" style={{ ['--sim-lanes' as string]: lanes.length }}>
      <div className="sim-seq__lanes" aria-hidden="true" style={{ gridTemplateColumns: `repeat(${lanes.length}, 1fr)` }}>
        {lanes.map((lane) => (
          <span key={lane.id}>{lane.label}</span>
        ))}
      </div>
      <div className="sim-seq__body" aria-label="消息列表">
        {frame.messages.length === 0 && <p className="sim-seq__empty">还没有消息。从上面的操作开始。</p>}
        <ol ref={list}>
          {frame.messages.map((message, index) => {
            const from = laneIndex.get(message.from) ?? 0;
            const to = laneIndex.get(message.to) ?? 0;
            // A message to its own lane (a dialog the client draws) gets a short loop to the right.
            const self = from === to;
            const left = Math.min(from, to) * share + share / 2;
            const width = self ? share / 2 : Math.abs(to - from) * share;
            const leaksSecret =
              lane(message.to).trust === 'device' &&
              (message.secrets ?? []).some((key) => typeof message.payload === 'object' && message.payload !== null && key in message.payload);
            const tone = leaksSecret ? 'danger' : (message.tone ?? 'normal');
            const direction = self ? 'self' : to >= from ? 'right' : 'left';
            return (
              <li
                key={index}
                className={`sim-msg sim-msg--${tone}${message.step === lastStep ? ' sim-msg--latest' : ''}`}
                aria-label={`${lane(message.from).label} → ${lane(message.to).label}：${message.label}`}
              >
                <div className="sim-msg__track">
                  <span className={`sim-msg__arrow sim-msg__arrow--${direction}`} style={{ left: `${left}%`, width: `${width}%` }}>
                    <strong className="sim-msg__label">{message.label}</strong>
                  </span>
                </div>
                {(message.note || message.payload !== undefined) && (
                  <div className="sim-msg__text" style={{ marginInlineStart: `${Math.min(left, 55)}%` }}>
                    <span className="sim-msg__route">
                      {lane(message.from).label} → {lane(message.to).label}
                    </span>
                    {message.note && <span className="sim-msg__note">{message.note}</span>}
                    <Payload payload={message.payload} secrets={message.secrets ?? []} />
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      </div>
    </section>
  );
}
