import { Fragment, memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { LaneSpec } from '../engine/definition.ts';
import type { Frame } from '../engine/engine.ts';
import { breakPoints, MESSAGE_WINDOW, shorten } from './format.ts';

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

type Message = Frame['messages'][number];

/**
 * A loop's label, in the row's flow above the loop so the row grows with it and nothing is cut: from the
 * lane's lifeline to the right edge when that leaves room, otherwise ending at the lifeline, so a lane on
 * the right keeps its label inside the diagram too. `lifeline` is the lane's centre, in % of the row.
 */
export function loopLabelPlacement(lifeline: number) {
  return lifeline <= 60
    ? ({ marginInlineStart: `${lifeline}%`, maxWidth: `${100 - lifeline}%`, alignSelf: 'flex-start' } as const)
    : ({ marginInlineEnd: `${100 - lifeline}%`, maxWidth: `${lifeline}%`, alignSelf: 'flex-end', textAlign: 'end' } as const);
}

/**
 * One message: the arrow carries its label, the card under it the payload, so
 * a row reads as one thing. Messages never change once recorded (the engine
 * freezes them), so a row is drawn once, however long the history grows.
 */
const MessageRow = memo(function MessageRow({ message, lanes, latest }: { message: Message; lanes: readonly LaneSpec[]; latest: boolean }) {
  const from = Math.max(0, lanes.findIndex((lane) => lane.id === message.from));
  const to = Math.max(0, lanes.findIndex((lane) => lane.id === message.to));
  const share = 100 / lanes.length;
  // A message to its own lane (a dialog the client draws) gets a short loop to the right.
  const self = from === to;
  const left = Math.min(from, to) * share + share / 2;
  const width = self ? share / 2 : Math.abs(to - from) * share;
  const leaksSecret =
    lanes[to]!.trust === 'device' &&
    (message.secrets ?? []).some((key) => typeof message.payload === 'object' && message.payload !== null && key in message.payload);
  const tone = leaksSecret ? 'danger' : (message.tone ?? 'normal');
  const direction = self ? 'self' : to >= from ? 'right' : 'left';
  const label = (
    <strong className="sim-msg__label">
      {breakPoints(message.label).map((part, index) => (
        <Fragment key={index}>
          {index > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </strong>
  );
  return (
    <li className={`sim-msg sim-msg--${tone}${latest ? ' sim-msg--latest' : ''}`} aria-label={`${lanes[from]!.label} → ${lanes[to]!.label}：${message.label}`}>
      <div className="sim-msg__track">
        {self && (
          <span className="sim-msg__loop-label" style={loopLabelPlacement(left)}>
            {label}
          </span>
        )}
        <span className={`sim-msg__arrow sim-msg__arrow--${direction}`} style={{ left: `${left}%`, width: `${width}%` }}>
          {!self && label}
        </span>
      </div>
      {(message.note || message.payload !== undefined) && (
        <div className="sim-msg__text" style={{ marginInlineStart: `${Math.min(left, 55)}%` }}>
          <span className="sim-msg__route">
            {lanes[from]!.label} → {lanes[to]!.label}
          </span>
          {message.note && <span className="sim-msg__note">{message.note}</span>}
          <Payload payload={message.payload} secrets={message.secrets ?? []} />
        </div>
      )}
    </li>
  );
});

/**
 * One column per lane the chapter declares, one row per message, the newest
 * MESSAGE_WINDOW of them unless the reader asks for all: a 200-step link
 * restores without drawing hundreds of rows nobody is looking at. The diagram
 * is a box of its own height that scrolls: a step adds rows inside it, so the
 * chapter below never moves and the browser does not redraw it. It follows the
 * newest message unless the reader has scrolled up to read an older one.
 */
export const SequenceDiagram = memo(function SequenceDiagram({ frame, lanes }: { frame: Frame; lanes: readonly LaneSpec[] }) {
  const box = useRef<HTMLElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const following = useRef(true);
  const [showAll, setShowAll] = useState(false);
  const lastStep = frame.log.length;
  const earlier = showAll ? 0 : Math.max(0, frame.messages.length - MESSAGE_WINDOW);
  const shown = earlier > 0 ? frame.messages.slice(earlier) : frame.messages;

  // Before the paint, not after: once the oldest rows leave the window, the browser keeps the rows in view
  // where they were (scroll anchoring) and reports that as a scroll, which after the paint would read as
  // the reader scrolling away from the newest message, and the diagram would stop following it.
  // Not without messages: there is nothing to scroll to, and reading scrollHeight lays out the page, which on
  // hydration put a whole layout into the same task as the hydration itself.
  useLayoutEffect(() => {
    const element = box.current;
    if (element && following.current && frame.messages.length > 0) element.scrollTop = element.scrollHeight;
  }, [frame.messages.length]);

  // Rows far from the view are not laid out (content-visibility in simulator.css) and hold a stand-in
  // height until they come near it; when they are drawn, the list changes height after the step's own
  // layout. Notified before that frame paints and before its scroll event, the diagram stays on the newest.
  useEffect(() => {
    const element = box.current;
    if (!element || !list.current || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (following.current) element.scrollTop = element.scrollHeight;
    });
    observer.observe(list.current);
    return () => observer.disconnect();
  }, []);

  const onScroll = () => {
    const element = box.current;
    if (element) following.current = element.scrollTop + element.clientHeight >= element.scrollHeight - 8;
  };

  return (
    <section className="sim-seq" aria-label="时序图" ref={box} tabIndex={0} onScroll={onScroll} style={{ ['--sim-lanes' as string]: lanes.length }}>
      <div className="sim-seq__lanes" aria-hidden="true" style={{ gridTemplateColumns: `repeat(${lanes.length}, 1fr)` }}>
        {lanes.map((lane) => (
          <span key={lane.id}>
            {(lane.segments ?? [lane.label]).map((segment, index) => (
              <Fragment key={index}>
                {index > 0 && <wbr />}
                {segment}
              </Fragment>
            ))}
          </span>
        ))}
      </div>
      <div className="sim-seq__body" aria-label="消息列表">
        {frame.messages.length === 0 && <p className="sim-seq__empty">还没有消息。从上面的操作开始。</p>}
        {earlier > 0 && (
          <button type="button" className="sim-button sim-seq__earlier" onClick={() => setShowAll(true)}>
            显示更早的 {earlier} 条消息
          </button>
        )}
        <ol start={earlier + 1} ref={list}>
          {shown.map((message, index) => (
            <MessageRow key={earlier + index} message={message} lanes={lanes} latest={message.step === lastStep} />
          ))}
        </ol>
      </div>
    </section>
  );
});
