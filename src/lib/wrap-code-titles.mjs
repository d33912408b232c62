/**
 * An Expressive Code plugin: a code block's title is a file path, and on a phone it must wrap rather than lose
 * its end (.wxml or .ts). A line break may come after each "/", so the path breaks between folders, not inside
 * a name; site.css lets a name that is still too long break anywhere.
 * Plain JS because ec.config.mjs loads it without a TypeScript loader.
 */

import { elements } from './hast-elements.mjs';

/** @param {any} node */
const isTitle = (node) => [node.properties?.className ?? []].flat().includes('title');

/** @returns {import('@astrojs/starlight/expressive-code').ExpressiveCodePlugin} */
export function wrapCodeTitles() {
  return {
    name: 'wrap-code-titles',
    hooks: {
      postprocessRenderedBlock({ renderData }) {
        for (const title of elements(renderData.blockAst, isTitle)) {
          title.children = title.children.flatMap((/** @type {any} */ child) =>
            child.type === 'text'
              ? child.value.split(/(?<=\/)/).flatMap((/** @type {string} */ part, /** @type {number} */ index) =>
                  index === 0 ? [{ type: 'text', value: part }] : [{ type: 'element', tagName: 'wbr', properties: {}, children: [] }, { type: 'text', value: part }],
                )
              : [child],
          );
        }
      },
    },
  };
}
