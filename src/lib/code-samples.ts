/**
 * Build-time only: reads the code samples a simulator shows and highlights
 * them with shiki into plain token data (light and dark colours), so the
 * browser ships no highlighter and renders no HTML strings.
 */
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { codeToTokens, type BundledLanguage } from 'shiki';
import { extractRegions } from './regions.ts';

export interface CodeToken {
  text: string;
  light?: string;
  dark?: string;
}

export interface HighlightedSample {
  file: string;
  lines: CodeToken[][];
  regions: Record<string, [number, number]>;
}

const SAMPLES_ROOT = join(process.cwd(), 'src', 'code-samples');

const languages: Record<string, BundledLanguage> = { '.ts': 'ts', '.wxml': 'html', '.json': 'json' };

/** A sample's code without region markers, with the language to highlight it as. */
export async function readSample(file: string): Promise<{ code: string; regions: Record<string, [number, number]>; lang: BundledLanguage }> {
  const source = await readFile(join(SAMPLES_ROOT, file), 'utf8');
  const lang = languages[extname(file)];
  if (!lang) throw new Error(`no language for ${file}`);
  return { ...extractRegions(source, file), lang };
}

export async function highlightSample(file: string): Promise<HighlightedSample> {
  const { code, regions, lang } = await readSample(file);
  const { tokens } = await codeToTokens(code, { lang, themes: { light: 'github-light-high-contrast', dark: 'github-dark-high-contrast' } });
  const lines = tokens.map((line) =>
    line.map((token) => {
      const style = (token.htmlStyle ?? {}) as Record<string, string>;
      return { text: token.content, light: style.color, dark: style['--shiki-dark'] };
    }),
  );
  return { file, lines, regions };
}

export async function highlightSamples(files: readonly string[]): Promise<HighlightedSample[]> {
  return Promise.all([...new Set(files)].map(highlightSample));
}
