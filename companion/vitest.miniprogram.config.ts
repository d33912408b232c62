import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The companion mini program's tests: its pages rendered by
 * miniprogram-simulate, talking real HTTP to the companion server and the
 * WeChat emulator on 127.0.0.1. Node environment plus a hand-made DOM
 * (tests/miniprogram/dom.ts), because the server runs in the same process.
 */
export default defineConfig({
  cacheDir: fileURLToPath(new URL('../node_modules/.vite', import.meta.url)),
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['tests/miniprogram/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/miniprogram/dom.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
