import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The repository's node_modules, so running from the root leaves no companion/node_modules behind.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite', import.meta.url)),
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['tests/**/*.test.ts'],
    // The mini program's tests render pages in a DOM and run with vitest.miniprogram.config.ts (npm run test:miniprogram).
    exclude: ['tests/miniprogram/**', '**/node_modules/**'],
    environment: 'node',
    // Each file starts real servers (and maybe redis-server) on loopback; a slow CI box needs the headroom.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
