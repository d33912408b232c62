/**
 * An Expressive Code plugin: scrollable code blocks are `role="region"`
 * landmarks, and a page with several unnamed ones fails axe's
 * landmark-unique rule. Each gets a name from its title and its position.
 */
import type { ExpressiveCodePlugin } from '@astrojs/starlight/expressive-code';

interface HastNode {
  type: string;
  tagName?: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
}

function* preElements(node: HastNode): Generator<HastNode> {
  if (node.type === 'element' && node.tagName === 'pre') yield node;
  for (const child of node.children ?? []) yield* preElements(child);
}

export function labelCodeBlocks(): ExpressiveCodePlugin {
  return {
    name: 'label-code-blocks',
    hooks: {
      postprocessRenderedBlock({ codeBlock, renderData }) {
        const position = (codeBlock.parentDocument?.positionInDocument?.groupIndex ?? 0) + 1;
        const title = codeBlock.props.title;
        const label = `代码示例 ${position}${title ? `：${title}` : `（${codeBlock.language}）`}`;
        for (const pre of preElements(renderData.blockAst as HastNode)) {
          pre.properties = { ...pre.properties, ariaLabel: label };
        }
      },
    },
  };
}
