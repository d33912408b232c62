import { useEffect, useRef } from 'react';
import { LANES, type Lane } from '../engine/definition.ts';
import type { Frame } from '../engine/engine.ts';
import { shorten } from './format.ts';

const laneIndex = Object.fromEntries(LANES.map((lane, index) => [lane.id, index])) as Record<Lane, number>;
const laneLabel = Object.fromEntries(LANES.map((lane) => [lane.id, lane.label])) as Record<Lane, string>;

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

/** Four lanes; every message the world recorded, newest step highlighted. */
export function SequenceDiagram({ frame }: { frame: Frame }) {
  const scroller = useRef<HTMLDivElement>(null);
  const lastStep = frame.log.length;

  useEffect(() => {
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [frame.messages.length]);

  return (
    <section className="sim-seq" aria-label="时序图">
      <div className="sim-seq__lanes" aria-hidden="true">
        {LANES.map((lane) => (
          <span key={lane.id}>{lane.label}</span>
        ))}
      </div>
      <div className="sim-seq__body" ref={scroller} tabIndex={0} aria-label="消息列表">
        {frame.messages.length === 0 && <p className="sim-seq__empty">还没有消息。从「用户操作」开始。</p>}
        <ol>
          {frame.messages.map((message, index) => {
            const from = laneIndex[message.from];
            const to = laneIndex[message.to];
            const left = Math.min(from, to) * 25 + 12.5;
            const width = Math.abs(to - from) * 25;
            const leaksSecret =
              (message.to === 'miniprogram' || message.to === 'client') &&
              (message.secrets ?? []).some((key) => typeof message.payload === 'object' && message.payload !== null && key in message.payload);
            const tone = leaksSecret ? 'danger' : (message.tone ?? 'normal');
            return (
              <li
                key={index}
                className={`sim-msg sim-msg--${tone}${message.step === lastStep ? ' sim-msg--latest' : ''}`}
                aria-label={`${laneLabel[message.from]} → ${laneLabel[message.to]}：${message.label}`}
              >
                <div className="sim-msg__track" aria-hidden="true">
                  <span
                    className={`sim-msg__arrow ${to >= from ? 'sim-msg__arrow--right' : 'sim-msg__arrow--left'}`}
                    style={{ left: `${left}%`, width: `${width}%` }}
                  />
                </div>
                <div className="sim-msg__text">
                  <span className="sim-msg__route">
                    {laneLabel[message.from]} → {laneLabel[message.to]}
                  </span>
                  <strong className="sim-msg__label">{message.label}</strong>
                  {message.note && <span className="sim-msg__note">{message.note}</span>}
                  <Payload payload={message.payload} secrets={message.secrets ?? []} />
                </div>
              </li>
            );
          })}
        </ol>
      </div>
    </section>
  );
}
