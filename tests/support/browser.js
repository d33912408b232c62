/**
 * Which Chromium the browser tests and scripts drive. CHROMIUM_PATH wins;
 * otherwise Debian's /usr/bin/chromium if present (this project's machines
 * cannot download Playwright's own build); otherwise Playwright's bundled browser.
 * Plain JS so that Node scripts can import it without a TypeScript loader.
 */
import { existsSync } from 'node:fs';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** @returns {string | undefined} */
export function chromiumExecutable() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined;
}

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launch options for Playwright's chromium.launch / `use.launchOptions`. */
export function chromiumLaunchOptions() {
  const executablePath = chromiumExecutable();
  return { args: chromiumArgs, ...(executablePath ? { executablePath } : {}) };
}
