import { useEffect, useRef, useState } from 'react';
import type { HighlightedSample } from './highlighted.ts';
import type { CodeSamples } from './useCodeSamples.ts';
import type { Frame } from '../engine/engine.ts';

const NO_SAMPLES: readonly HighlightedSample[] = [];

/** The real code behind the current step, highlighted at build time; the step's lines are marked. */
export function CodePanel({ code, frame }: { code: CodeSamples; frame: Frame }) {
  const samples = code.status === 'ready' ? code.samples : NO_SAMPLES;
  const [chosen, setChosen] = useState<string | null>(null);
  const stepFile = frame.code?.file ?? null;
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => setChosen(null), [stepFile, frame.code?.region]);

  const file = chosen ?? stepFile ?? samples[0]?.file;
  const sample = samples.find((s) => s.file === file);
  const range = sample && frame.code && frame.code.file === sample.file ? sample.regions[frame.code.region] : undefined;

  useEffect(() => {
    const element = scroller.current;
    const first = element?.querySelector<HTMLElement>('.sim-code__line--active');
    if (element) element.scrollTop = first ? Math.max(0, first.offsetTop - 24) : 0;
  }, [file, range?.[0]]);

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
    <section className="sim-panel sim-code" aria-label="代码">
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
        <pre>
          <code>
            {sample.lines.map((line, index) => {
              const number = index + 1;
              const active = range !== undefined && number >= range[0] && number <= range[1];
              return (
                <span key={index} className={active ? 'sim-code__line sim-code__line--active' : 'sim-code__line'} data-code-active={active || undefined}>
                  <span className="sim-code__number" aria-hidden="true">
                    {number}
                  </span>
                  {line.map((token, t) => (
                    <span key={t} style={{ color: token.light, ['--dark' as string]: token.dark }}>
                      {token.text}
                    </span>
                  ))}
                  {'\n'}
                </span>
              );
            })}
          </code>
        </pre>
      </div>
    </section>
  );
}
