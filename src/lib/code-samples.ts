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
import type { HighlightedSample } from '../kit/shell/highlighted.ts';
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

export async function highlightSample(file: string): Promise<HighlightedSample> {
  const { code, regions, lang } = await readSample(file);
  const { tokens } = await codeToTokens(code, { lang, themes: { light: 'github-light-high-contrast', dark: 'github-dark-high-contrast' } });
  const lines = tokens.map((line) =>
    line.map((token) => {
      const style = (token.htmlStyle ?? {}) as Record<string, string>;
      return { text: token.content, light: style.color, dark: style['--shiki-dark'] };
    }),
  );
  return { file, title: displayPath(file), lines, regions };
}

export async function highlightSamples(files: readonly string[]): Promise<HighlightedSample[]> {
  return Promise.all([...new Set(files)].map(highlightSample));
}

/** How a file is named to readers: its path inside the companion, or inside the repository for the shared core. */
export function displayPath(file: string): string {
  return file.replace(/^companion\/miniprogram\/miniprogram\//, 'miniprogram/').replace(/^companion\//, '');
}
