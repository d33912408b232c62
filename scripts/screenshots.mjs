/**
 * Screenshots of built pages at desktop and phone widths, light and dark, for
 * a person to look at. Usage: node scripts/screenshots.mjs [path…] after
 * `npm run build`; images go to screenshots/.
 *
 * The preview server runs inside this process (Astro's programmatic
 * `preview`), on a free port: when the script ends, however it ends, the
 * server ends with it, and it never shoots pages from another server.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium } from '@playwright/test';
import { preview } from 'astro';
import { chromiumLaunchOptions } from '../tests/support/browser.js';

const paths = process.argv.slice(2).length ? process.argv.slice(2) : ['/', '/login/'];

/** A loopback port nobody listens on now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
  });
}

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const server = await preview({ logLevel: 'warn', server: { host: '127.0.0.1', port } });

try {
  mkdirSync('screenshots', { recursive: true });
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    for (const path of paths) {
      for (const width of [1280, 390]) {
        for (const theme of ['light', 'dark']) {
          const page = await browser.newPage({ viewport: { width, height: width > 500 ? 900 : 844 } });
          await page.addInitScript((t) => localStorage.setItem('starlight-theme', t), theme);
          await page.goto(`${origin}${path}`);
          await page.evaluate(() => document.querySelector('[data-flow]')?.scrollIntoView());
          await page.waitForTimeout(600);
          const name = `screenshots/${path.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'home'}-${width}-${theme}`;
          await page.screenshot({ path: `${name}.png`, fullPage: false });
          const simulator = page.locator('[data-flow]').first();
          if (await simulator.count()) await simulator.screenshot({ path: `${name}-simulator.png` });
          await page.close();
        }
      }
    }
  } finally {
    await browser.close();
  }
} finally {
  await server.stop();
}
