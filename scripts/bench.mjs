/**
 * npm run bench: builds the site, then prints for every built page the
 * JavaScript it loads (gzipped, following static imports; islands counted
 * too, though they load only when scrolled into view) and the build time.
 * Numbers only; nothing here passes or fails.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const DIST = 'dist';

const started = performance.now();
execFileSync('npx', ['astro', 'build'], { stdio: 'ignore' });
const buildSeconds = (performance.now() - started) / 1000;

function* htmlFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* htmlFiles(path);
    else if (name.endsWith('.html')) yield path;
  }
}

const fileOf = (url) => join(DIST, url.split('?')[0]);

/** Every module a script reaches through static imports (the browser fetches them before running it). */
function closure(entry, seen = new Set()) {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const code = readFileSync(entry, 'utf8');
  for (const match of code.matchAll(/(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+\.js)["']/g)) {
    closure(resolve(dirname(entry), match[1]), seen);
  }
  return seen;
}

const rows = [];
for (const page of htmlFiles(DIST)) {
  const html = readFileSync(page, 'utf8');
  const eager = new Set();
  const lazy = new Set();
  for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g)) closure(resolve(fileOf(m[1])), eager);
  for (const m of html.matchAll(/<script[^>]*type="module"[^>]*>([\s\S]*?)<\/script>/g)) {
    for (const i of m[1].matchAll(/["'](\/_astro\/[^"']+\.js)["']/g)) closure(resolve(fileOf(i[1])), eager);
  }
  for (const m of html.matchAll(/(?:component-url|renderer-url)="([^"]+)"/g)) closure(resolve(fileOf(m[1])), lazy);
  const size = (files) => [...files].reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0);
  const eagerBytes = size(eager);
  const lazyOnly = new Set([...lazy].filter((f) => !eager.has(f)));
  rows.push({
    page: '/' + relative(DIST, page).replace(/index\.html$/, '').replace(/\.html$/, ''),
    eagerKiB: (eagerBytes / 1024).toFixed(1),
    islandKiB: (size(lazyOnly) / 1024).toFixed(1),
    totalKiB: ((eagerBytes + size(lazyOnly)) / 1024).toFixed(1),
    islands: (html.match(/<astro-island/g) ?? []).length,
  });
}

rows.sort((a, b) => a.page.localeCompare(b.page));
console.log(`build time: ${buildSeconds.toFixed(1)} s (${rows.length} pages)`);
console.log('gzipped JavaScript per page (KiB): eager = loaded with the page; island = loaded when a simulator scrolls into view');
console.table(rows);
