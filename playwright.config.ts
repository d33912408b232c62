import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './tests/support/browser.js';

// E2E_PORT / E2E_OUT_DIR let a second build be tested beside the default one.
const PORT = Number(process.env.E2E_PORT ?? 4329);
const OUT_DIR = process.env.E2E_OUT_DIR ?? 'dist';

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: true,
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  // Two workers share two cores with the preview server; generous limits keep a busy machine from failing a correct page.
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    launchOptions: chromiumLaunchOptions(),
    trace: 'retain-on-failure',
  },
  // The tests run against the built site (npm test builds it first), served the way `npm start` serves it.
  webServer: {
    command: `npx astro preview --host 127.0.0.1 --port ${PORT} --outDir ${OUT_DIR}`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
