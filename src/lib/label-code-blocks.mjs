/**
 * An Expressive Code plugin: scrollable code blocks are `role="region"`
 * landmarks, and a page with several unnamed ones fails axe's
 * landmark-unique rule. Each gets a name from its title and its position.
 * Plain JS because ec.config.mjs loads it without a TypeScript loader.
 */

import { elements } from './hast-elements.mjs';

/** @returns {import('@astrojs/starlight/expressive-code').ExpressiveCodePlugin} */
export function labelCodeBlocks() {
  return {
    name: 'label-code-blocks',
    hooks: {
      postprocessRenderedBlock({ codeBlock, renderData }) {
        const position = (codeBlock.parentDocument?.positionInDocument?.groupIndex ?? 0) + 1;
        const title = codeBlock.props.title;
        const label = `代码示例 ${position}${title ? `：${title}` : `（${codeBlock.language}）`}`;
        for (const pre of elements(renderData.blockAst, (node) => node.tagName === 'pre')) {
          pre.properties = { ...pre.properties, ariaLabel: label };
        }
      },
    },
  };
}
