/**
 * The phone's real demonstration, in the reader's own browser: a ball moved
 * by requestAnimationFrame on the page's main thread, and fib(n) run either
 * on that same thread (the ball freezes) or in a real Web Worker (it keeps
 * moving), measured from the frames actually drawn.
 *
 * It only ever runs from a tap on the phone's own buttons, never while a
 * shared link is replayed, and nothing here runs during server rendering:
 * the animation starts in an effect, the worker on the first tap.
 */
import { useEffect, useRef, useState, type RefObject } from 'react';
import { measureFrames, type FrameStats } from './frame-meter.ts';
import { REAL_MAX_N, slowFib } from './fib.ts';
import type { FibReply } from './fib.worker.ts';

export type RealWhere = 'main' | 'worker';

export type RealRun =
  | { status: 'running'; where: RealWhere; n: number }
  | ({ status: 'done'; where: RealWhere; n: number; value: number; elapsedMs: number } & FrameStats);

/** Frames kept for measuring: a few seconds' worth at 60 fps. */
const KEPT_FRAMES = 600;
/** How far the ball travels, as a fraction of its track, per millisecond. */
const BALL_SPEED = 1 / 900;

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));

export function useRealFib(ball: RefObject<HTMLElement | null>) {
  const [run, setRun] = useState<RealRun | null>(null);
  const frames = useRef<number[]>([]);
  const worker = useRef<Worker | null>(null);
  const busy = useRef(false);
  const nextId = useRef(1);

  // Starts or stops the ball: it moves while the phone is on screen, and always while a job is measured
  // (the measurement is the frames it records). Off screen it would only cost the page every frame.
  const sync = useRef<() => void>(() => {});

  // The ball: its position is computed on the main thread every frame, like the official demo's canvas ball.
  useEffect(() => {
    const element = ball.current;
    if (!element) return;
    let handle = 0;
    let onScreen = false;
    const tick = (now: number) => {
      // When the callback really ran, not the frame's nominal time: a blocked thread runs none in between.
      const kept = frames.current;
      kept.push(performance.now());
      if (kept.length > KEPT_FRAMES) kept.splice(0, kept.length - KEPT_FRAMES);
      const phase = (now * BALL_SPEED) % 2;
      element.style.setProperty('--wk-ball', String(phase < 1 ? phase : 2 - phase));
      handle = requestAnimationFrame(tick);
    };
    // With reduced motion the ball moves only while a job the reader started is measured.
    const calm = window.matchMedia('(prefers-reduced-motion: reduce)');
    const update = () => {
      const wanted = busy.current || (onScreen && !calm.matches);
      if (wanted && !handle) handle = requestAnimationFrame(tick);
      if (!wanted && handle) {
        cancelAnimationFrame(handle);
        handle = 0;
      }
    };
    sync.current = update;
    // A fast scroll can cross the edge twice before the callback runs: the last entry is the current one.
    const visibility = new IntersectionObserver((entries) => {
      onScreen = entries.at(-1)!.isIntersecting;
      update();
    });
    visibility.observe(element.parentElement ?? element);
    calm.addEventListener('change', update);
    return () => {
      calm.removeEventListener('change', update);
      visibility.disconnect();
      cancelAnimationFrame(handle);
      sync.current = () => {};
    };
  }, [ball]);

  useEffect(
    () => () => {
      worker.current?.terminate();
      worker.current = null;
    },
    [],
  );

  function inWorker(n: number): Promise<number> {
    worker.current ??= new Worker(new URL('./fib.worker.ts', import.meta.url), { type: 'module' });
    const id = nextId.current++;
    const current = worker.current;
    return new Promise((resolve, reject) => {
      const onMessage = ({ data }: MessageEvent<FibReply>) => {
        if (data.id !== id) return;
        current.removeEventListener('message', onMessage);
        resolve(data.value);
      };
      current.addEventListener('message', onMessage);
      current.onerror = (event) => reject(new Error(event.message));
      current.postMessage({ id, n });
    });
  }

  /** Runs fib(n) for real; a second tap while one runs is ignored. */
  async function start(where: RealWhere, requested: number): Promise<void> {
    if (busy.current) return;
    busy.current = true;
    sync.current();
    const n = Math.min(requested, REAL_MAX_N);
    setRun({ status: 'running', where, n });
    try {
      // Let the ball draw a couple of frames first, so the measurement starts from a moving ball.
      await nextFrame();
      await nextFrame();
      const begin = performance.now();
      const value = where === 'main' ? slowFib(n) : await inWorker(n);
      const finish = performance.now();
      // Two more frames, so the first frame after the job is on record.
      await nextFrame();
      await nextFrame();
      setRun({ status: 'done', where, n, value, elapsedMs: Math.round(finish - begin), ...measureFrames(frames.current, begin, finish) });
    } catch {
      setRun(null);
    } finally {
      busy.current = false;
      sync.current();
    }
  }

  return { run, start };
}
