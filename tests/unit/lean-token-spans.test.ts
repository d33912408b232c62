/**
 * The chapters' code blocks with fewer spans: every character keeps the
 * colour it had in each theme, and the spans that changed nothing are gone.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExpressiveCode, ExpressiveCodeTheme, loadShikiTheme } from '@astrojs/starlight/expressive-code';
import { leanTokenSpans } from '../../src/lib/lean-token-spans.mjs';
import { readSample } from '../../src/lib/code-samples.ts';

interface Node {
  type: string;
  tagName?: string;
  value?: string;
  properties?: { className?: unknown; style?: unknown };
  children?: Node[];
}

const FILES = ['companion/miniprogram/miniprogram/utils/launch-app-rule.ts', 'companion/miniprogram/miniprogram/pages/login/login.wxml'];

/** The site's code themes, Starlight's dark and light Night Owl: they split code into the same tokens. */
const starlightThemes = () => {
  const themes = join(dirname(createRequire(import.meta.url).resolve('@astrojs/starlight/expressive-code')), 'integrations/expressive-code/themes');
  return ['night-owl-dark', 'night-owl-light'].map((name) => ExpressiveCodeTheme.fromJSONString(readFileSync(join(themes, `${name}.jsonc`), 'utf8')));
};

/** Two themes that split code differently, so that one theme's token spans nest inside the other's. */
const unlikeThemes = async () => [await loadShikiTheme('night-owl'), await loadShikiTheme('github-light')];

async function render(code: string, language: string, lean: boolean, themes: ExpressiveCodeTheme[]) {
  const engine = new ExpressiveCode({ themes, plugins: lean ? [leanTokenSpans()] : [] });
  const { renderedGroupAst } = await engine.render({ code, language });
  const plain = engine.styleVariants.map((variant, index) => `--${index}:${variant.resolvedStyleSettings.get('codeForeground')}`).join(';');
  return { ast: renderedGroupAst as Node, plain: plain.toLowerCase() };
}

/** Each character of the code, with the colours it is drawn in: its nearest token span's, else the line's own. */
function colouredText(ast: Node, plain: string): string[] {
  const out: string[] = [];
  const walk = (node: Node, style: string) => {
    if (node.type === 'text') for (const char of node.value!) out.push(`${char} ${style}`);
    const own = node.type === 'element' && node.tagName === 'span' && !node.properties?.className && node.properties?.style;
    const next = own ? String(own).toLowerCase() : style;
    for (const child of node.children ?? []) walk(child, next);
  };
  const lines = [...elementsOf(ast)].filter((node) => (node.properties?.className as string[] | undefined)?.includes('ec-line'));
  for (const line of lines) walk(line, plain);
  return out;
}

function* elementsOf(node: Node): Generator<Node> {
  if (node.type === 'element') yield node;
  for (const child of node.children ?? []) yield* elementsOf(child);
}

const spans = (ast: Node) => [...elementsOf(ast)].filter((node) => node.tagName === 'span').length;

describe('leanTokenSpans', () => {
  it.each(FILES)('%s: every character keeps its colours', async (file) => {
    const { code, lang } = await readSample(file);
    const before = await render(code, lang, false, starlightThemes());
    const after = await render(code, lang, true, starlightThemes());
    const colours = colouredText(after.ast, after.plain);
    expect(colours).toEqual(colouredText(before.ast, before.plain));
    // Not vacuous: the file has text in the code's own colour and in others.
    expect(colours.some((c) => c.endsWith(` ${after.plain}`))).toBe(true);
    expect(colours.some((c) => !c.endsWith(` ${after.plain}`))).toBe(true);
    expect(spans(after.ast)).toBeLessThan(spans(before.ast));
  });

  it('spends a fifth fewer spans or more on a TypeScript file', async () => {
    const { code, lang } = await readSample(FILES[0]!);
    const before = spans((await render(code, lang, false, starlightThemes())).ast);
    expect(spans((await render(code, lang, true, starlightThemes())).ast)).toBeLessThan(before * 0.8);
  });

  it.each(FILES)('%s: with themes whose tokens nest, every character keeps its colours too', async (file) => {
    const { code, lang } = await readSample(file);
    const before = await render(code, lang, false, await unlikeThemes());
    const after = await render(code, lang, true, await unlikeThemes());
    expect(colouredText(after.ast, after.plain)).toEqual(colouredText(before.ast, before.plain));
  });

  it('leaves no span in the code’s own colour, and no two neighbouring spans of one colour', async () => {
    const { code, lang } = await readSample(FILES[0]!);
    const { ast, plain } = await render(code, lang, true, starlightThemes());
    let checked = 0;
    for (const node of elementsOf(ast)) {
      const children = node.children ?? [];
      children.forEach((child, index) => {
        const style = child.type === 'element' && child.tagName === 'span' && !child.properties?.className ? String(child.properties?.style ?? '').toLowerCase() : null;
        expect(style).not.toBe(plain);
        const previous = children[index - 1];
        if (style && previous?.type === 'element' && previous.tagName === 'span' && !previous.properties?.className) {
          expect(String(previous.properties?.style ?? '').toLowerCase()).not.toBe(style);
        }
        if (child.type === 'text') expect(previous?.type).not.toBe('text');
        checked += 1;
      });
    }
    expect(checked).toBeGreaterThan(500);
  });
});
