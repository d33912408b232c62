/**
 * Vitest setup: the DOM miniprogram-simulate renders into, without
 * vitest's jsdom environment. That environment replaces Node's URL with
 * jsdom's, and the companion server these tests run in the same process
 * needs Node's (`fileURLToPath(new URL(..., import.meta.url))`). So jsdom
 * fills in the globals Node lacks (window, document, Element…), plus the
 * event classes: j-component dispatches `new CustomEvent()` on jsdom nodes,
 * which accept only jsdom's events. Node's own internals keep their own.
 */
import { createRequire } from 'node:module';

// jsdom ships no types and @types/jsdom is not installed; this is all of it the setup uses.
const { JSDOM } = createRequire(import.meta.url)('jsdom') as {
  JSDOM: new (html: string, options: { pretendToBeVisual: boolean; url: string }) => { window: object };
};

const { window } = new JSDOM('<!doctype html><html><head></head><body></body></html>', {
  pretendToBeVisual: true,
  url: 'http://localhost/',
});
const target = globalThis as unknown as Record<string, unknown>;
const JSDOM_WINS = new Set(['Event', 'CustomEvent']);
for (const key of Object.getOwnPropertyNames(window)) {
  if (key in target && !JSDOM_WINS.has(key)) continue;
  // A getter, not a copy: some (localStorage…) throw until used, and the page never uses them.
  Object.defineProperty(target, key, {
    configurable: true,
    get: () => (window as unknown as Record<string, unknown>)[key],
    set: (value: unknown) => Object.defineProperty(target, key, { configurable: true, writable: true, value }),
  });
}
