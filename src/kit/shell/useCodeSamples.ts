import { useEffect, useState } from 'react';
import type { HighlightedCode } from './highlighted.ts';

/** The code panel's files: fetched apart from the page (before hydration: EARLY_REQUESTS), so the page's HTML does not carry them twice. */
export type CodeSamples = { status: 'loading' } | { status: 'ready'; code: HighlightedCode } | { status: 'failed'; message: string };

/**
 * Where the build writes a chapter's highlighted code (src/pages/code/): a chapter's slug is its flow's name
 * (the registry test checks it). Simulator.astro asks for it before the island hydrates.
 */
export const codeSamplesUrl = (flow: string) => `${import.meta.env.BASE_URL.replace(/\/$/, '')}/code/${flow}.json`;

// One request per chapter and page, however often the island re-renders or remounts.
const requests = new Map<string, Promise<HighlightedCode>>();

/**
 * Where Simulator.astro's inline script leaves the request it made before the island hydrated: while the page
 * was still loading when a shared link is about to restore a step, or as the reader scrolled to within a screen
 * of the simulator. By the time the island hydrates, the files are there and parsed. On a shared link asked for
 * later instead, the response's body waited behind the replay and the drawing of the restored step, and the
 * code panel said it was loading for a further 100–250 ms on a mid-range phone.
 */
export const EARLY_REQUESTS = '__simulatorCode';

declare global {
  interface Window {
    [EARLY_REQUESTS]?: Record<string, Promise<unknown>>;
  }
}

/** The early request for `url`, once: a retry after a failure asks again. */
function takeEarly(url: string): Promise<HighlightedCode> | undefined {
  const early = typeof window === 'undefined' ? undefined : window[EARLY_REQUESTS];
  const pending = early?.[url];
  if (early) delete early[url];
  return pending as Promise<HighlightedCode> | undefined;
}

function request(url: string): Promise<HighlightedCode> {
  let pending = requests.get(url);
  if (!pending) {
    pending =
      takeEarly(url) ??
      fetch(url).then(async (response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return (await response.json()) as HighlightedCode;
      });
    // A failed request may be retried by the next mount instead of failing forever.
    pending.catch(() => requests.delete(url));
    requests.set(url, pending);
  }
  return pending;
}

/** The chapter's highlighted code files, from the JSON the build wrote next to the page (src/pages/code/). */
export function useCodeSamples(url: string): CodeSamples {
  const [code, setCode] = useState<CodeSamples>({ status: 'loading' });
  useEffect(() => {
    let current = true;
    request(url).then(
      (code) => current && setCode({ status: 'ready', code }),
      (error: unknown) => current && setCode({ status: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      current = false;
    };
  }, [url]);
  return code;
}
