import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The islands run on Preact in the browser (astro.config.mjs), so the shell's tests render them on Preact too.
  resolve: {
    alias: [
      { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
      { find: /^react$/, replacement: 'preact/compat' },
    ],
  },
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx'],
    environment: 'node',
  },
});
