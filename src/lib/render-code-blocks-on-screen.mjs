/**
 * An Expressive Code plugin: a code block is laid out and painted only while
 * it is on screen or near it (`content-visibility: auto`). A chapter shows
 * whole files of the companion, so on /login/ the blocks are 7,400 of the
 * page's 8,600 elements. Laying them all out was most of what loading the
 * page cost, and every step of the simulator paid for them in paint
 * bookkeeping even while they were screens away. At 4× CPU, opening a link
 * to step 200 kept the main thread busy 1.1–1.2 s instead of 2.5, its longest
 * task 180 ms instead of 710–810; a click from step 180 took 52 ms instead
 * of 73, the slowest of 40 clicks 109 instead of 156 (`npm run bench`).
 *
 * A block skipped this way takes the height of its lines until it is first
 * drawn, then keeps its real height (`auto`): the page does not jump as the
 * reader scrolls past blocks, nor when a link lands below them. On a narrow
 * screen a long title may wrap to a second line, which the estimate misses
 * by that line. The text stays in the page for find-in-page, screen readers
 * and the copy button.
 * Plain JS because ec.config.mjs loads it without a TypeScript loader.
 */

import { elements } from './hast-elements.mjs';

/** The title bar of a titled or terminal frame, above the code. */
const TITLE_BAR = '2.1rem';
/** The code's lines, the padding above and below them, and the frame's two 1px borders. */
const linesHeight = 'var(--ec-lines) * var(--ec-codeFontSize) * var(--ec-codeLineHt) + 2 * var(--ec-codePadBlk) + 2px';

/** @returns {import('@astrojs/starlight/expressive-code').ExpressiveCodePlugin} */
export function renderCodeBlocksOnScreen() {
  return {
    name: 'render-code-blocks-on-screen',
    // figure.frame outranks Expressive Code's own `.frame { all: unset }`, which would otherwise undo this.
    baseStyles: `
      figure.frame {
        content-visibility: auto;
        contain-intrinsic-block-size: auto calc(${linesHeight});
      }
      figure.frame:is(.has-title, .is-terminal) {
        contain-intrinsic-block-size: auto calc(${linesHeight} + ${TITLE_BAR});
      }
    `,
    hooks: {
      postprocessRenderedBlock({ codeBlock, renderData }) {
        const figure = renderData.blockAst;
        const style = figure.properties?.style ? `${figure.properties.style};` : '';
        figure.properties = { ...figure.properties, style: `${style}--ec-lines:${codeBlock.getLines().length}` };
        // Expressive Code makes a block that scrolls sideways a keyboard stop once it sees the block's size, and it
        // sees nothing of a block not drawn yet: Tab would pass over every block below the screen. So each block
        // starts as a stop, and the same script takes the stop away from a block that turns out not to scroll.
        for (const pre of elements(figure, (node) => node.tagName === 'pre')) {
          pre.properties = { ...pre.properties, tabIndex: 0, role: 'region' };
        }
      },
    },
  };
}
