import { useEffect, useState } from 'react';

/**
 * `value` as it was at the last paint: a render that uses it draws a moment after one that uses `value`,
 * in a task of its own, once the browser has painted what changed now. A value that changes again before
 * then is skipped, so fast clicking draws only the newest. (React's useDeferredValue did this; the
 * runtime the site ships, Preact, returns the value unchanged, so the shell schedules it itself.)
 */
export function useAfterPaint<T>(value: T): T {
  const [later, setLater] = useState(value);
  useEffect(() => {
    if (Object.is(later, value)) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // rAF runs just before the next paint; the timeout, just after it.
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setLater(() => value), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [value, later]);
  return later;
}
