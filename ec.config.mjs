// Expressive Code options live here (not in astro.config) so that Starlight's <Code> component can use them too.
import { codeBlocksInSearch } from './src/lib/code-blocks-in-search.mjs';
import { copyFromLines } from './src/lib/copy-from-lines.mjs';
import { labelCodeBlocks } from './src/lib/label-code-blocks.mjs';
import { leanTokenSpans } from './src/lib/lean-token-spans.mjs';
import { renderCodeBlocksOnScreen } from './src/lib/render-code-blocks-on-screen.mjs';
import { wrapCodeTitles } from './src/lib/wrap-code-titles.mjs';

/** @type {import('@astrojs/starlight/expressive-code').StarlightExpressiveCodeOptions} */
export default {
  plugins: [labelCodeBlocks(), copyFromLines(), renderCodeBlocksOnScreen(), leanTokenSpans(), codeBlocksInSearch(), wrapCodeTitles()],
};
