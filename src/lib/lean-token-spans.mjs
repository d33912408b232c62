/**
 * An Expressive Code plugin: fewer elements for the same colours. The
 * highlighter wraps every token in a span carrying its colour in each theme,
 * spaces and plain identifiers included, so the whole files of the companion
 * a chapter shows cost about 12 bytes of HTML per character of code (/launch-app/:
 * 3,840 characters in 45 KB). A token in the code's own colour loses its span,
 * since the line already has that colour, and neighbours of one colour share
 * a span. The page draws the same, with a fifth to a quarter fewer elements in
 * its code blocks for the browser to parse and keep (/login/: 7,841 → 5,871)
 * and 8–21% less HTML (/login/: 419 → 330 KB).
 * Plain JS because ec.config.mjs loads it without a TypeScript loader.
 */

import { elements } from './hast-elements.mjs';

/** A token's colours as Expressive Code writes them, `--0:#D6DEEB;--1:#403F53`: one custom property per theme. */
const TOKEN_STYLE = /^--\d+:#[0-9a-f]+(?:;--\d+:#[0-9a-f]+)*$/i;

/** The style a token in the code's own colour gets in every theme: such a span only repeats what the line has. */
function plainStyle(styleVariants) {
  const colours = styleVariants.map((variant) => variant.resolvedStyleSettings.get('codeForeground'));
  if (!colours.every((colour) => typeof colour === 'string' && /^#[0-9a-f]+$/i.test(colour))) return null;
  return colours.map((colour, index) => `--${index}:${colour}`).join(';').toLowerCase();
}

const isTokenSpan = (node) =>
  node.type === 'element' && node.tagName === 'span' && !node.properties?.className && TOKEN_STYLE.test(String(node.properties?.style ?? ''));

const isText = (node) => node.type === 'text';

/** Tokens in the code's own colour become their text; then neighbouring texts, and token spans of one colour holding text only, join. */
export function leanChildren(parent, plain) {
  const out = [];
  for (const child of parent.children) {
    const unwrap = isTokenSpan(child) && String(child.properties.style).toLowerCase() === plain && child.children.every(isText);
    for (const node of unwrap ? child.children : [child]) {
      const last = out.at(-1);
      if (last && isText(last) && isText(node)) last.value += node.value;
      else if (last && isTokenSpan(last) && isTokenSpan(node) && last.properties.style === node.properties.style && [...last.children, ...node.children].every(isText)) {
        last.children = [{ type: 'text', value: last.children.map((t) => t.value).join('') + node.children.map((t) => t.value).join('') }];
      } else out.push(isText(node) ? { ...node } : node);
    }
  }
  parent.children = out;
}

/** @returns {import('@astrojs/starlight/expressive-code').ExpressiveCodePlugin} */
export function leanTokenSpans() {
  return {
    name: 'lean-token-spans',
    hooks: {
      postprocessRenderedLine({ renderData, styleVariants }) {
        const plain = plainStyle(styleVariants);
        if (plain === null) return;
        // Innermost first, so that a wrapper (the indent's) sees its tokens already joined.
        const parents = [...elements(renderData.lineAst, (node) => node.children?.some((child) => isTokenSpan(child) || isText(child)))].reverse();
        for (const parent of parents) leanChildren(parent, plain);
      },
    },
  };
}
