/**
 * The simulator's deep link: which steps the reader has taken, kept in the
 * page URL so that reloading or sharing the link restores the same step.
 *
 * Format, version 1: a query parameter named after the flow slug whose value
 * is `1.` followed by control ids joined with `.`:
 *   /login/?login=1.login.next.next.plus-6m.next
 * Only the ids are stored; the world is rebuilt by replaying them, so the
 * link never carries codes, keys or tokens. A new format must bump the
 * version; a link with an unknown version, an unknown id or a malformed value
 * is reported to the reader and the simulator starts fresh.
 */
export const DEEP_LINK_VERSION = '1';
export const MAX_LINK_STEPS = 200;
const MAX_ID_LENGTH = 32;
const ID = new RegExp(`^[a-z0-9][a-z0-9-]{0,${MAX_ID_LENGTH - 1}}$`);
/** Long enough for every link the page can write: MAX_LINK_STEPS ids of the longest kind, and the version. */
const MAX_LINK_LENGTH = DEEP_LINK_VERSION.length + MAX_LINK_STEPS * (MAX_ID_LENGTH + 1);

export type ParsedDeepLink =
  | { kind: 'empty' }
  | { kind: 'steps'; steps: string[] }
  | { kind: 'invalid'; reason: string };

export function parseDeepLink(raw: string | null, knownIds: ReadonlySet<string>): ParsedDeepLink {
  if (raw === null || raw === '') return { kind: 'empty' };
  // Too many steps reads the same however long the ids are; anything else over the length is no link the page wrote.
  if (stepsInLink(raw) > MAX_LINK_STEPS) return { kind: 'invalid', reason: `链接里的步骤超过 ${MAX_LINK_STEPS} 步` };
  if (raw.length > MAX_LINK_LENGTH) return { kind: 'invalid', reason: '链接太长' };
  const [version, ...steps] = raw.split('.');
  if (version !== DEEP_LINK_VERSION) return { kind: 'invalid', reason: '链接的格式版本无法识别' };
  for (const [index, step] of steps.entries()) {
    if (!ID.test(step) || !knownIds.has(step)) {
      return { kind: 'invalid', reason: `链接里的第 ${index + 1} 步不是这个模拟器的操作` };
    }
  }
  return { kind: 'steps', steps };
}

/** How many steps a link's value holds, valid or not; Simulator.astro's landing script counts the same way. */
export function stepsInLink(raw: string | null): number {
  return raw ? raw.split('.').length - 1 : 0;
}

export function formatDeepLink(steps: readonly string[]): string {
  return [DEEP_LINK_VERSION, ...steps].join('.');
}

/** The same URL with this flow's steps set (or removed when there are none); other parameters and the hash stay. */
export function withDeepLink(href: string, flow: string, steps: readonly string[]): string {
  const url = new URL(href);
  if (steps.length === 0) url.searchParams.delete(flow);
  else url.searchParams.set(flow, formatDeepLink(steps));
  return url.pathname + url.search + url.hash;
}
