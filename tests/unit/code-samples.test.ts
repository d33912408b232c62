/**
 * The code panel's files as the build highlights them: the tokens of a line
 * give back the line exactly, colours are shared through one palette per
 * chapter, and no element is spent where it changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { highlightSamples, paletteCss, readSample } from '../../src/lib/code-samples.ts';
import type { CodeToken } from '../../src/kit/shell/highlighted.ts';

const FILES = ['src/world/developer/developer-server.ts', 'companion/miniprogram/miniprogram/app.json', 'companion/miniprogram/miniprogram/pages/login/login.wxml'];
const text = (token: CodeToken) => (typeof token === 'string' ? token : token[0]);
const colour = (token: CodeToken) => (typeof token === 'string' ? 0 : token[1]);

describe('highlightSamples', async () => {
  const { palette, samples } = await highlightSamples([...FILES, FILES[0]!]);

  it('gives each file once, in order', () => expect(samples.map((sample) => sample.file)).toEqual(FILES));

  it.each(FILES)('%s: the tokens of each line are the line', async (file) => {
    const { code, regions } = await readSample(file);
    const sample = samples.find((s) => s.file === file)!;
    expect(sample.lines.map((line) => line.map(text).join(''))).toEqual(code.split('\n'));
    expect(sample.regions).toEqual(regions);
    // Every line fits the width the panel gives the file; a wide character counts two columns.
    expect(sample.columns).toBe(Math.max(...code.split('\n').map((line) => [...line].reduce((n, c) => n + (/[\u2e80-\ua4cf\uff00-\uff60]/u.test(c) ? 2 : 1), 0))));
  });

  it('starts the palette with the themes’ text colour and lists each colour once', () => {
    expect(palette[0]).toEqual(['#0e1116', '#f0f3f6']);
    const keys = palette.map((pair) => pair.join(' ').toLowerCase());
    expect(new Set(keys).size).toBe(keys.length);
    expect(palette.length).toBeGreaterThan(3);
  });

  it('joins neighbours of one colour, gives white space no colour, and leaves the text colour unsaid', () => {
    for (const sample of samples) {
      for (const line of sample.lines) {
        line.forEach((token, index) => {
          if (typeof token !== 'string') {
            expect(token[1]).toBeGreaterThan(0);
            expect(token[1]).toBeLessThan(palette.length);
            expect(token[0].trim()).not.toBe('');
          }
          if (index > 0) expect(colour(token)).not.toBe(colour(line[index - 1]!));
        });
      }
    }
  });

  it('highlights a chapter once however often its files are asked for', async () => {
    expect(await highlightSamples([...FILES, FILES[0]!])).toBe(await highlightSamples([...FILES, FILES[0]!]));
  });
});

describe('paletteCss', () => {
  it('colours the chapter panel’s code and each token class, in the light and the dark theme', () => {
    const css = paletteCss('login', [['#111111', '#eeeeee'], ['#aa0000', '#ff8888']]);
    expect(css).toBe(
      '.sim-code[data-palette="login"] pre{color:#111111}:root[data-theme=\'dark\'] .sim-code[data-palette="login"] pre{color:#eeeeee}' +
        '.sim-code[data-palette="login"] .sim-c1{color:#aa0000}:root[data-theme=\'dark\'] .sim-code[data-palette="login"] .sim-c1{color:#ff8888}',
    );
  });
});
