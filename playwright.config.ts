import { defineConfig } from '@playwright/test';
import { freePort } from './companion/free-port.ts';
import { chromiumLaunchOptions } from './tests/support/browser.js';

// The preview server gets a port nobody is using, so a server someone else left running on a fixed port is
// never tested by mistake. The runner loads this file first and its workers inherit the environment, so
// setting E2E_PORT here makes every process agree on the port. E2E_OUT_DIR tests another build directory.
process.env.E2E_PORT ??= String(await freePort());
const PORT = Number(process.env.E2E_PORT);
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
    // Recording a trace snapshots the whole page before every action; on the chapters' 9,000–11,000-element
    // pages that made the suite 2.6× slower (login + phone-number specs: 265 s → 101 s) and pushed the slowest
    // test past its timeout. A failure is retried once on CI, and that retry records the trace.
    trace: 'on-first-retry',
  },
  // The tests run against the built site (npm test builds it first), served the way `npm start` serves it.
  webServer: {
    command: `npx astro preview --host 127.0.0.1 --port ${PORT} --outDir ${OUT_DIR}`,
    url: `http://127.0.0.1:${PORT}/`,
    // Never reuse: whatever already answers on this port is not the build under test.
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
