/**
 * An Expressive Code plugin: code blocks stay in the site search (an API or field name may appear only there),
 * but weigh less than prose (Pagefind's data-pagefind-weight; prose weighs 1), so results and their excerpts
 * come from the explanation first rather than from a line of SQL or WXML.
 * Plain JS because ec.config.mjs loads it without a TypeScript loader.
 */

import { elements } from './hast-elements.mjs';

const CODE_WEIGHT = '0.2';

/** @returns {import('@astrojs/starlight/expressive-code').ExpressiveCodePlugin} */
export function codeBlocksInSearch() {
  return {
    name: 'code-blocks-in-search',
    hooks: {
      postprocessRenderedBlock({ renderData }) {
        for (const pre of elements(renderData.blockAst, (node) => node.tagName === 'pre')) {
          pre.properties = { ...pre.properties, dataPagefindWeight: CODE_WEIGHT };
        }
      },
    },
  };
}
