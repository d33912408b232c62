/**
 * Build-time only: reads the files a simulator or a chapter shows — the
 * companion's own mini program and server, and the developer-server core
 * they run — and highlights them with shiki into plain token data (light and
 * dark colours), so the browser ships no highlighter and renders no HTML
 * strings. Paths are relative to the repository root.
 */
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { codeToTokens, type BundledLanguage } from 'shiki';
import type { CodeToken, HighlightedCode, HighlightedSample } from '../kit/shell/highlighted.ts';
import { extractJsonKeyRegions, extractRegions } from './regions.ts';

const REPO_ROOT = process.cwd();

const languages: Record<string, BundledLanguage> = { '.ts': 'ts', '.wxml': 'html', '.json': 'json' };

/** A sample's code without region markers, with the language to highlight it as. */
export async function readSample(file: string): Promise<{ code: string; regions: Record<string, [number, number]>; lang: BundledLanguage }> {
  const source = await readFile(join(REPO_ROOT, file), 'utf8');
  const lang = languages[extname(file)];
  if (!lang) throw new Error(`no language for ${file}`);
  // JSON has no comments, so its regions are its top-level keys (app.json's `permission`).
  return { ...(lang === 'json' ? extractJsonKeyRegions(source) : extractRegions(source, file)), lang };
}

/** Collects token colours as [light, dark] pairs; index 0 is the code's own colour, which tokens leave unsaid. */
class Palette {
  readonly colours: [string, string][];
  readonly #index = new Map<string, number>();

  constructor(foreground: [string, string]) {
    this.colours = [foreground];
    this.#index.set(Palette.#key(foreground), 0);
  }

  // Shiki writes the same colour in upper case on tokens and in lower case for the text colour.
  static #key(colour: [string, string]): string {
    return colour.join(' ').toLowerCase();
  }

  indexOf(colour: [string, string]): number {
    const key = Palette.#key(colour);
    let index = this.#index.get(key);
    if (index === undefined) {
      index = this.colours.push(colour) - 1;
      this.#index.set(key, index);
    }
    return index;
  }
}

const THEMES = { light: 'github-light-high-contrast', dark: 'github-dark-high-contrast' } as const;

/**
 * One file as lines of tokens. Neighbouring tokens of one colour become one,
 * white space joins the token before it (its colour does not show), and text
 * in the code's own colour is a plain string: the panel draws far fewer elements.
 */
async function highlightSample(file: string, palette: Palette): Promise<HighlightedSample> {
  const { code, regions, lang } = await readSample(file);
  const { tokens } = await codeToTokens(code, { lang, themes: THEMES });
  const lines = tokens.map((line) => {
    const runs: { text: string; colour: number }[] = [];
    for (const token of line) {
      const style = (token.htmlStyle ?? {}) as Record<string, string>;
      const blank = token.content.trim() === '';
      const colour = !blank && style.color && style['--shiki-dark'] ? palette.indexOf([style.color, style['--shiki-dark']]) : 0;
      const last = runs.at(-1);
      if (last && (last.colour === colour || blank)) last.text += token.content;
      else runs.push({ text: token.content, colour });
    }
    return runs.map(({ text, colour }): CodeToken => (colour === 0 ? text : [text, colour]));
  });
  return { file, title: displayPath(file), lines, columns: columns(code), regions };
}

// East Asian wide characters (comments here are often Chinese) take about two columns of a monospace font.
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/gu;

/**
 * How many columns the longest line takes. The panel draws only the lines in
 * view, which cannot widen the file themselves, so it is made this wide.
 */
function columns(code: string): number {
  return Math.max(0, ...code.split('\n').map((line) => line.length + (line.match(WIDE)?.length ?? 0)));
}

// The chapter's JSON and its page's colour rules ask for the same files in one build: highlight them once.
const highlighted = new Map<string, Promise<HighlightedCode>>();

/** A chapter's code files, highlighted with one palette. */
export function highlightSamples(files: readonly string[]): Promise<HighlightedCode> {
  const key = JSON.stringify(files);
  let code = highlighted.get(key);
  if (!code) {
    code = highlightInOrder(files);
    highlighted.set(key, code);
  }
  return code;
}

async function highlightInOrder(files: readonly string[]): Promise<HighlightedCode> {
  const palette = new Palette(await foreground());
  // In order, so that the palette's indices do not depend on which file finishes first.
  const samples: HighlightedSample[] = [];
  for (const file of new Set(files)) samples.push(await highlightSample(file, palette));
  return { palette: palette.colours, samples };
}

/** The themes' own text colours, which most tokens share. */
async function foreground(): Promise<[string, string]> {
  // With two themes shiki gives the text colour as `#light;--shiki-dark:#dark`.
  const { fg = '' } = await codeToTokens('', { lang: 'ts', themes: THEMES });
  const [light, dark] = fg.split(';--shiki-dark:');
  if (!light || !dark) throw new Error(`unexpected theme colours: ${fg}`);
  return [light, dark];
}

/**
 * The palette as class rules for one chapter's code panel (`data-palette`),
 * in the light and the dark theme. They go into the page's HTML, never into a
 * style sheet added later, which would make the browser restyle the whole page.
 */
export function paletteCss(scope: string, palette: HighlightedCode['palette']): string {
  const panel = `.sim-code[data-palette="${scope}"]`;
  return palette
    .map(([light, dark], index) => {
      const selector = index === 0 ? `${panel} pre` : `${panel} .sim-c${index}`;
      return `${selector}{color:${light}}:root[data-theme='dark'] ${selector}{color:${dark}}`;
    })
    .join('');
}

/** How a file is named to readers: its path inside the companion, or inside the repository for the shared core. */
export function displayPath(file: string): string {
  return file.replace(/^companion\/miniprogram\/miniprogram\//, 'miniprogram/').replace(/^companion\//, '');
}
