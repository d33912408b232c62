import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { CodeToken, HighlightedSample } from './highlighted.ts';
import type { CodeSamples } from './useCodeSamples.ts';
import type { Frame } from '../engine/engine.ts';

const NO_SAMPLES: readonly HighlightedSample[] = [];

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
 * One file. Once drawn it stays in the page while another file is on screen,
 * hidden with content-visibility, which keeps its layout: coming back to a
 * file costs little, and a step that only moves the marked lines redraws
 * those lines alone.
 */
const CodeFile = memo(function CodeFile({ sample, range, shown }: { sample: HighlightedSample; range: readonly [number, number] | undefined; shown: boolean }) {
  return (
    <pre
      className={shown ? 'sim-code__view' : 'sim-code__view sim-code__view--hidden'}
      aria-hidden={shown ? undefined : true}
      style={{ ['--sim-code-columns' as string]: sample.columns }}
    >
      <code>
        {sample.lines.map((line, index) => (
          <CodeLine key={index} tokens={line} number={index + 1} active={range !== undefined && index + 1 >= range[0] && index + 1 <= range[1]} />
        ))}
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
  const [drawn, setDrawn] = useState<readonly string[]>([]);
  const stepFile = frame.code?.file ?? null;
  const scroller = useRef<HTMLDivElement>(null);
  const mark = useRef<HTMLSpanElement>(null);

  useEffect(() => setChosen(null), [stepFile, frame.code?.region]);

  const file = chosen ?? stepFile ?? samples[0]?.file;
  const sample = samples.find((s) => s.file === file);
  const range = sample && frame.code && frame.code.file === sample.file ? sample.regions[frame.code.region] : undefined;
  if (sample && !drawn.includes(sample.file)) setDrawn([...drawn, sample.file]);

  // The step's lines are marked by one box behind them rather than by the lines' own style: moving it
  // repaints the box alone, where restyling lines made the browser paint the whole file again.
  // The panel then scrolls to them.
  useLayoutEffect(() => {
    const element = scroller.current;
    const box = mark.current;
    if (!element || !box) return;
    const lines = element.querySelectorAll<HTMLElement>('.sim-code__view:not(.sim-code__view--hidden) [data-code-active]');
    const first = lines[0];
    const last = lines[lines.length - 1];
    box.hidden = !first;
    if (first && last) {
      box.style.top = `${first.offsetTop}px`;
      box.style.inlineSize = `${first.offsetWidth}px`;
      box.style.height = `${last.offsetTop + last.offsetHeight - first.offsetTop}px`;
    }
    element.scrollTop = first ? Math.max(0, first.offsetTop - 24) : 0;
  }, [file, range]);

  if (code.status !== 'ready') {
    return (
      <section className="sim-panel sim-code" aria-label="代码" aria-busy={code.status === 'loading'}>
        <h3 className="sim-panel__title">代码</h3>
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
        <div className="sim-code__files" role="group" aria-label="代码文件">
          {samples.map((s) => (
            <button
              key={s.file}
              type="button"
              className="sim-code__file"
              aria-pressed={s.file === sample.file}
              onClick={() => setChosen(s.file)}
            >
              {s.title}
              {s.file === stepFile && <span className="sim-visually-hidden">（当前步骤）</span>}
            </button>
          ))}
        </div>
      </div>
      <div className="sim-code__body" ref={scroller} tabIndex={0} aria-label={`代码：${sample.title}`}>
        <span className="sim-code__mark" ref={mark} aria-hidden="true" hidden />
        {drawn.map((name) => {
          const view = samples.find((s) => s.file === name);
          return view && <CodeFile key={name} sample={view} range={name === sample.file ? range : undefined} shown={name === sample.file} />;
        })}
      </div>
    </section>
  );
}
