import { useRef } from 'react';
import type { PhoneProps } from '../../kit/shell/SimulatorShell.tsx';
import { PhoneFrame } from '../../kit/shell/PhoneFrame.tsx';
import { PhoneToast } from '../../kit/shell/PhoneToast.tsx';
import { FIB_PRESETS, REFUSAL_TEXT, type CreateRefusal } from '../../world/wechat/worker.ts';
import { REAL_MAX_N } from './fib.ts';
import type { WorkerContext } from './machine.ts';
import { fibControl } from './simulation.ts';
import { useRealFib, type RealRun, type RealWhere } from './use-real-fib.ts';
import './phone.css';

const WHERE_WORDS: Record<RealWhere, string> = { main: '主线程', worker: 'Web Worker' };

const errorText = (error: string | null) => (error === null ? null : error in REFUSAL_TEXT ? REFUSAL_TEXT[error as CreateRefusal] : error);

/** What the reader's own browser just measured; the numbers are real, not simulated. */
function RealResult({ run }: { run: RealRun | null }) {
  if (!run) {
    return <p className="wk-real">点下面两个“算”的按钮，会在你的浏览器里真的算一次，并量出小球掉了多少帧。</p>;
  }
  if (run.status === 'running') {
    return (
      <p className="wk-real" data-real-where={run.where} data-real-status="running">
        正在{WHERE_WORDS[run.where]}里真的算 fib({run.n})…
      </p>
    );
  }
  return (
    <p
      className={run.dropped > 2 ? 'wk-real wk-real--janky' : 'wk-real'}
      data-real-where={run.where}
      data-real-status="done"
      data-drawn={run.drawn}
      data-longest-frame={run.longestMs}
      data-dropped={run.dropped}
    >
      真实测量：{WHERE_WORDS[run.where]}算 fib({run.n}) 用了 {run.elapsedMs} ms，期间画了 {run.drawn} 帧，最长一帧 {run.longestMs} ms，掉了 {run.dropped} 帧。
    </p>
  );
}

/**
 * The companion's worker page: a ball the main thread moves every frame, the
 * two ways to run fib(n), and what the simulated worker answered. The two
 * buttons that compute also run the job for real in the reader's browser.
 */
export function WorkerPhone({ phone, named, frame, press }: PhoneProps<WorkerContext>) {
  const ball = useRef<HTMLSpanElement>(null);
  const { run, start } = useRealFib(ball);
  const { context, busy } = frame;
  const n = FIB_PRESETS.find((value) => frame.active.includes(fibControl(value))) ?? REAL_MAX_N;
  const can = (id: string) => frame.enabled.includes(id);
  const tap = (id: string, real?: RealWhere) => {
    if (!can(id)) return;
    press(id);
    if (real) void start(real, n);
  };
  const result = context.lastResult;

  return (
    <PhoneFrame phone={phone} named={named} title="多线程 Worker" clock={frame.clock} overlay={<PhoneToast busy={busy} error={errorText(context.lastError)} />}>
      <div className="wk-page">
        <div className="wk-track" aria-hidden="true">
          <span className="wk-ball" ref={ball} />
        </div>
        <p className="wk-caption">小球的位置由主线程每一帧计算一次</p>
        <RealResult run={run} />
        <dl className="wk-status">
          <dt>Worker</dt>
          <dd data-worker={context.hasWorker ? 'created' : 'none'}>{context.hasWorker ? (context.job ? `计算中（job ${context.job.id}）` : '已创建') : '未创建'}</dd>
          <dt>结果</dt>
          <dd>{result ? `fib(${result.n}) = ${result.value}（${result.where === 'main' ? '主线程' : 'Worker'}）` : '—'}</dd>
          {context.echo && (
            <>
              <dt>Worker 回显</dt>
              <dd data-echo={context.echo.count ?? 'undefined'}>{context.echo.count === null ? '文档没保证' : `count = ${context.echo.count}`}</dd>
            </>
          )}
        </dl>
        <div className="wk-buttons">
          <button type="button" className="wk-button" aria-disabled={!can('create')} onClick={() => tap('create')}>
            创建 Worker
          </button>
          <button type="button" className="wk-button wk-button--warn" aria-disabled={!can('run-main')} onClick={() => tap('run-main', 'main')}>
            主线程算 fib({n})
          </button>
          <button type="button" className="wk-button wk-button--primary" aria-disabled={!can('run-worker')} onClick={() => tap('run-worker', 'worker')}>
            Worker 算 fib({n})
          </button>
        </div>
      </div>
    </PhoneFrame>
  );
}
