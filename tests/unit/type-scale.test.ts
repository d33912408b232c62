/**
 * The simulators draw text in a few sizes only. Each size a page has not used yet costs the browser a font
 * lookup the first time it lays out text in it (on Linux a round trip to the browser process per size and
 * font), and a restored shared link lays out all of the simulator at once: going from 15 sizes to 7 took
 * 13–60 ms off a 200-step restore at a phone's speed. A new size belongs in this scale, not beside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * 10, 11, 12, 13, 15 and 16 px at the root size, and the 1.4rem letter of a phone's avatar. Inline code keeps
 * 0.85em of the text around it, and Starlight's own `--sl-text-*` sizes are ones the page around already uses.
 */
const SCALE = new Set(['0.625rem', '0.6875rem', '0.75rem', '0.8125rem', '0.9375rem', '1rem', '1.4rem', '0.85em', 'inherit']);

function stylesheetsUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return stylesheetsUnder(path);
    return entry.name.endsWith('.css') ? [path] : [];
  });
}

const stylesheets = [...stylesheetsUnder('src/kit'), ...stylesheetsUnder('src/chapters')];

describe('the simulators\' type scale', () => {
  it('reads the shell\'s stylesheet and every chapter\'s phone', () => {
    expect(stylesheets).toContain('src/kit/shell/simulator.css');
    expect(stylesheets.length).toBeGreaterThanOrEqual(7);
  });

  it.each(stylesheets)('%s sets font sizes from the scale only', (path) => {
    const css = readFileSync(path, 'utf8');
    const sizes = [
      ...[...css.matchAll(/font-size:\s*([^;}]+?)\s*[;}]/g)].map((match) => match[1]!),
      // The `font` shorthand carries a size too (`font: 600 0.7rem/1.2 sans-serif`).
      ...[...css.matchAll(/font:\s*[^;}]*?(\d*\.?\d+(?:rem|px|em))/g)].map((match) => match[1]!),
    ];
    const outside = sizes.filter((size) => !SCALE.has(size) && !size.startsWith('var(--sl-text-'));
    expect(outside).toEqual([]);
  });
});
