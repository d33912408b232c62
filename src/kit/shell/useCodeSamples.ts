import { useEffect, useState } from 'react';
import type { HighlightedCode } from './highlighted.ts';

/** The code panel's files: fetched after hydration, so the page's HTML does not carry them twice. */
export type CodeSamples = { status: 'loading' } | { status: 'ready'; code: HighlightedCode } | { status: 'failed'; message: string };

// One request per chapter and page, however often the island re-renders or remounts.
const requests = new Map<string, Promise<HighlightedCode>>();

function request(url: string): Promise<HighlightedCode> {
  let pending = requests.get(url);
  if (!pending) {
    pending = fetch(url).then(async (response) => {
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
