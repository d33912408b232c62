/**
 * Screenshots of built pages at desktop and phone widths, light and dark, for
 * a person to look at. Usage: node scripts/screenshots.mjs [path…] after
 * `npm run build`; images go to screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from '../tests/support/browser.js';

const PORT = 4339;
const paths = process.argv.slice(2).length ? process.argv.slice(2) : ['/', '/login/'];
const server = spawn('npx', ['astro', 'preview', '--host', '127.0.0.1', '--port', String(PORT)], { stdio: 'ignore' });

try {
  for (let i = 0; i < 50; i++) {
    if (await fetch(`http://127.0.0.1:${PORT}/`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  mkdirSync('screenshots', { recursive: true });
  const browser = await chromium.launch(chromiumLaunchOptions());
  for (const path of paths) {
    for (const width of [1280, 390]) {
      for (const theme of ['light', 'dark']) {
        const page = await browser.newPage({ viewport: { width, height: width > 500 ? 900 : 844 } });
        await page.addInitScript((t) => localStorage.setItem('starlight-theme', t), theme);
        await page.goto(`http://127.0.0.1:${PORT}${path}`);
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
  await browser.close();
} finally {
  server.kill();
}
