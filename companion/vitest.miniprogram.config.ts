import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The companion mini program's tests: pages rendered by miniprogram-simulate
 * in jsdom with a fake wx, plus checks on the generated flows bundle.
 */
export default defineConfig({
  cacheDir: fileURLToPath(new URL('../node_modules/.vite', import.meta.url)),
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['tests/miniprogram/**/*.test.ts'],
    environment: 'jsdom',
    globalSetup: ['tests/miniprogram/build-bundle.ts'],
    testTimeout: 20_000,
  },
});
