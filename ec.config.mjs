// Expressive Code options live here (not in astro.config) so that Starlight's <Code> component can use them too.
import { labelCodeBlocks } from './src/lib/label-code-blocks.mjs';

/** @type {import('@astrojs/starlight/expressive-code').StarlightExpressiveCodeOptions} */
export default {
  plugins: [labelCodeBlocks()],
};
