/**
 * An Expressive Code plugin: scrollable code blocks are `role="region"`
 * landmarks, and a page with several unnamed ones fails axe's
 * landmark-unique rule. Each gets a name from its title and its position.
 * Plain JS because ec.config.mjs loads it without a TypeScript loader.
 */

/** @param {any} node @returns {Generator<any>} */
function* preElements(node) {
  if (node.type === 'element' && node.tagName === 'pre') yield node;
  for (const child of node.children ?? []) yield* preElements(child);
}

/** @returns {import('@astrojs/starlight/expressive-code').ExpressiveCodePlugin} */
export function labelCodeBlocks() {
  return {
    name: 'label-code-blocks',
    hooks: {
      postprocessRenderedBlock({ codeBlock, renderData }) {
        const position = (codeBlock.parentDocument?.positionInDocument?.groupIndex ?? 0) + 1;
        const title = codeBlock.props.title;
        const label = `代码示例 ${position}${title ? `：${title}` : `（${codeBlock.language}）`}`;
        for (const pre of preElements(renderData.blockAst)) {
          pre.properties = { ...pre.properties, ariaLabel: label };
        }
      },
    },
  };
}
