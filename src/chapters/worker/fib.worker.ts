/**
 * A real Web Worker (the browser's): it receives `{ id, n }`, runs the same
 * slow fib the main thread would, and answers with the id, the way the
 * companion's wx worker answers by jobId.
 */
import { REAL_MAX_N, slowFib } from './fib.ts';

export interface FibRequest {
  id: number;
  n: number;
}

export interface FibReply {
  id: number;
  n: number;
  value: number;
  ms: number;
}

/** The worker's global scope, typed without pulling the whole webworker lib into the site's build. */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<FibRequest>) => void) | null;
  postMessage(reply: FibReply): void;
};

scope.onmessage = ({ data }) => {
  // Messages come from our own page, but a bound keeps a bad one from pinning the thread.
  const n = Math.min(Math.max(0, Math.trunc(Number(data?.n) || 0)), REAL_MAX_N);
  const start = performance.now();
  const value = slowFib(n);
  scope.postMessage({ id: Number(data?.id) || 0, n, value, ms: performance.now() - start });
};
