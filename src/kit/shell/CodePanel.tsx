import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { STEP_OFFSET_PX, windowAfterScroll, windowAround, windowCovering, windowInView, type LineWindow } from './line-window.ts';
import type { CodeToken, HighlightedSample } from './highlighted.ts';
import type { CodeSamples } from './useCodeSamples.ts';
import type { Frame } from '../engine/engine.ts';
import { useAfterPaint } from './useAfterPaint.ts';

const NO_SAMPLES: readonly HighlightedSample[] = [];

/** Where a row that scrolls sideways must scroll to show a tab whole (its start, if it is wider than the row), or null when it does. */
function tabInView(scrollLeft: number, width: number, tabLeft: number, tabWidth: number): number | null {
  if (tabLeft < scrollLeft) return tabLeft;
  if (tabLeft + tabWidth > scrollLeft + width) return Math.min(tabLeft, tabLeft + tabWidth - width);
  return null;
}

/** Which lines (from 0, `bottom` exclusive) the scrolled panel has in view; lines are 1lh tall, so nothing is laid out for it. */
function linesInView(scroller: HTMLElement): { top: number; bottom: number } | null {
  const view = scroller.querySelector('.sim-code__view');
  if (!view) return null;
  const style = getComputedStyle(view);
  const height = Number.parseFloat(style.lineHeight);
  if (!(height > 0)) return null;
  return {
    top: Math.floor((scroller.scrollTop - Number.parseFloat(style.paddingTop)) / height),
    bottom: Math.ceil((scroller.scrollTop + scroller.clientHeight) / height),
  };
}

const CodeLine = memo(function CodeLine({ tokens, number, active }: { tokens: readonly CodeToken[]; number: number; active: boolean }) {
  return (
    <span className="sim-code__line" data-code-active={active || undefined}>
      <span className="sim-code__number" aria-hidden="true">
        {number}
      </span>
      {tokens.map((token, index) =>
        typeof token === 'string' ? (
          token
        ) : (
          <span key={index} className={`sim-c${token[1]}`}>
            {token[0]}
          </span>
        ),
      )}
      {'\n'}
    </span>
  );
});

/**
 * One file: lines `from` to `to` (from 0, exclusive) are drawn, and the space
 * of those before and after is kept empty at their height (1lh each), so the
 * file scrolls whole.
 */
const CodeFile = memo(function CodeFile({ sample, range, from, to }: { sample: HighlightedSample; range: readonly [number, number] | undefined; from: number; to: number }) {
  const after = sample.lines.length - to;
  return (
    <pre className="sim-code__view" style={{ ['--sim-code-columns' as string]: sample.columns }}>
      <code>
        {from > 0 && <span className="sim-code__gap" style={{ blockSize: `${from}lh` }} />}
        {sample.lines.slice(from, to).map((line, offset) => {
          const number = from + offset + 1;
          return <CodeLine key={number} tokens={line} number={number} active={range !== undefined && number >= range[0] && number <= range[1]} />;
        })}
        {after > 0 && <span className="sim-code__gap" style={{ blockSize: `${after}lh` }} />}
      </code>
    </pre>
  );
});

/**
 * The real code behind the current step, highlighted at build time; the step's
 * lines are marked. Token colours are classes whose rules the page already
 * has (Simulator.astro writes them for `scope`, the chapter): a style sheet
 * added now would make the browser restyle the whole page.
 */
export function CodePanel({ code, frame, scope }: { code: CodeSamples; frame: Frame; scope: string }) {
  const samples = code.status === 'ready' ? code.code.samples : NO_SAMPLES;
  const [chosen, setChosen] = useState<string | null>(null);
  // Where the reader scrolled to, for the file and step it was scrolled in; a new step starts from its own lines.
  const [scrolled, setScrolled] = useState<{ key: string; lines: LineWindow } | null>(null);
  const stepFile = frame.code?.file ?? null;
  const scroller = useRef<HTMLDivElement>(null);
  const mark = useRef<HTMLSpanElement>(null);
  const tabs = useRef<HTMLDivElement>(null);

  useEffect(() => setChosen(null), [stepFile, frame.code?.region]);

  const file = chosen ?? stepFile ?? samples[0]?.file;
  const sample = samples.find((s) => s.file === file);
  const range = sample && frame.code && frame.code.file === sample.file ? sample.regions[frame.code.region] : undefined;
  // With the code's arrival in it: a step with no lines in its file keeps the same file and range, and its
  // first drawing must still be the first paint's window.
  const key = `${code.status}:${file}#${range?.join('-') ?? ''}`;
  const total = sample?.lines.length ?? 0;
  // A new step draws what will be in view; the lines around it, there for a scroll, come in a task of their
  // own once the step is painted (drawn with it, they added ~20 ms to a restored link's longest task at 4×).
  const painted = useAfterPaint(key);
  const lines = scrolled?.key === key ? scrolled.lines : painted === key ? windowAround(total, range) : windowInView(total, range);
  // Where the reader scrolled holds for that step only: back on it later, the panel starts from its lines again.
  useEffect(() => setScrolled((last) => (last && last.key !== key ? null : last)), [key]);

  // A scroll draws the lines coming into view, once a frame at most.
  const pendingScroll = useRef(0);
  useEffect(() => () => cancelAnimationFrame(pendingScroll.current), []);
  // Where the panel scrolled itself to a step's lines: that scroll brings no new line into view, and
  // answering it as a reader's would draw the lines around them before the step's first paint.
  // Told apart in the frame, not in the scroll event: reading scrollTop there laid the page out once more,
  // as the step's mark had just moved.
  const placed = useRef<number | null>(null);
  const onScroll = () => {
    if (pendingScroll.current) return;
    pendingScroll.current = requestAnimationFrame(() => {
      pendingScroll.current = 0;
      const own = placed.current !== null && scroller.current?.scrollTop === placed.current;
      placed.current = null;
      const inView = !own && scroller.current && linesInView(scroller.current);
      if (!inView) return;
      const next = windowAfterScroll(total, Math.max(0, inView.top), Math.min(total, inView.bottom), lines);
      if (next) setScrolled({ key, lines: next });
    });
  };

  // Before a paint, the lines in view that are not drawn yet: after the panel scrolled itself to a step, and
  // when it changes size (the full-window workbench shows more lines, and near the end of a file scrolls up
  // to do so). The observer is made once and calls the newest version.
  const coverView = useRef(() => {});
  coverView.current = () => {
    const inView = scroller.current && linesInView(scroller.current);
    const covering = inView && windowCovering(total, Math.max(0, inView.top), Math.min(total, inView.bottom), lines);
    if (covering) setScrolled({ key, lines: covering });
  };
  const drawn = sample !== undefined && code.status === 'ready';
  useEffect(() => {
    const element = scroller.current;
    if (!drawn || !element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => coverView.current());
    observer.observe(element);
    return () => observer.disconnect();
  }, [drawn]);

  // The step's lines are marked by one box behind them rather than by the lines' own style: moving it
  // repaints the box alone, where restyling lines made the browser paint the whole file again.
  // The panel scrolls to them first. Every read comes before the box is placed: each read after a write
  // laid the page out again, three more passes per step (1–1.5 ms of a 下一步 at 1× on /login/).
  // The box is hidden before the reads, though: still where the last step put it, it counts in how far the
  // panel can scroll, and in a file that ends above it, it let the scroll set below go past the end. The
  // browser pulled the scroll back before the paint, which read as the reader's own scroll, and the lines
  // around were drawn before the paint too (15–40 ms of /authorization/'s launching → ready at 4×).
  useLayoutEffect(() => {
    const element = scroller.current;
    const box = mark.current;
    if (!element || !box) return;
    box.hidden = true;
    const active = element.querySelectorAll<HTMLElement>('[data-code-active]');
    const first = active[0];
    const last = active[active.length - 1];
    const place = first && last && { top: first.offsetTop, width: first.offsetWidth, bottom: last.offsetTop + last.offsetHeight };
    // The file's tab, which a long row of files can leave out of view: the reader should see which file this is.
    const strip = tabs.current;
    const tab = strip?.querySelector<HTMLElement>('[aria-pressed="true"]');
    const tabScroll = strip && tab ? tabInView(strip.scrollLeft, strip.clientWidth, tab.offsetLeft, tab.offsetWidth) : null;
    element.scrollTop = place ? Math.max(0, place.top - STEP_OFFSET_PX) : 0;
    placed.current = element.scrollTop;
    coverView.current();
    if (strip && tabScroll !== null) strip.scrollLeft = tabScroll;
    if (place) {
      box.hidden = false;
      box.style.top = `${place.top}px`;
      box.style.inlineSize = `${place.width}px`;
      box.style.height = `${place.bottom - place.top}px`;
    }
  }, [file, range]);

  if (code.status !== 'ready') {
    return (
      <section className="sim-panel sim-code" aria-label="代码" aria-busy={code.status === 'loading'}>
        <div className="sim-code__header">
          <h3 className="sim-panel__title">代码</h3>
          <div className="sim-code__files" />
        </div>
        <p className="sim-code__status" role={code.status === 'failed' ? 'alert' : undefined}>
          {code.status === 'loading' ? '正在载入这一步的代码……' : `代码没能载入（${code.message}），刷新页面再试；正文里的代码不受影响。`}
        </p>
      </section>
    );
  }
  if (!sample) return null;
  return (
    <section className="sim-panel sim-code" aria-label="代码" data-palette={scope}>
      <div className="sim-code__header">
        <h3 className="sim-panel__title">代码</h3>
        <div className="sim-code__files" role="group" aria-label="代码文件" ref={tabs}>
          {samples.map((s) => (
            <button
              key={s.file}
              type="button"
              className="sim-code__file"
              aria-pressed={s.file === sample.file}
              onClick={() => setChosen(s.file)}
              // Tabbing along the row brings each tab whole into view, its focus ring included (scroll-padding).
              onFocus={(event) => event.currentTarget.scrollIntoView({ block: 'nearest', inline: 'nearest' })}
            >
              {s.title}
              {s.file === stepFile && <span className="sim-visually-hidden">（当前步骤）</span>}
            </button>
          ))}
        </div>
      </div>
      <div className="sim-code__body" ref={scroller} tabIndex={0} aria-label={`代码：${sample.title}`} onScroll={onScroll}>
        <span className="sim-code__mark" ref={mark} aria-hidden="true" hidden />
        <CodeFile key={sample.file} sample={sample} range={range} from={lines.from} to={lines.to} />
      </div>
    </section>
  );
}
