/**
 * npm run bench: what a reader's browser pays on each built page, measured
 * in headless Chromium against `astro preview` of dist/. Numbers only;
 * nothing here passes or fails.
 *
 * Per page: HTML bytes (raw and gzipped); the JavaScript the page really
 * loads (every script response, gzipped here so that the figure does not
 * depend on the preview server), first without any interaction (load, then
 * idle: Starlight fetches some things on idle) and then after every
 * simulator on it has scrolled into view and hydrated.
 *
 * Per simulator page, at 1× and 4× CPU (DevTools CPU throttling; 4× is
 * roughly a mid-range phone):
 * - click → paint: a step's button clicked in the page, until the frame
 *   after the simulator's DOM changed has painted (a requestAnimationFrame,
 *   then a task posted from it at user-blocking priority, so that it runs
 *   before the work the page itself put off until after that paint: Preact
 *   runs effects in a timeout posted from its own requestAnimationFrame, and
 *   a task of normal priority ran after them, charging the click for work
 *   done once the reader already saw the step): 20 steps from step 0, and 20 from the link
 *   to step 180, since drawing can grow with the history. A step is 下一步
 *   whenever it is available and a reader's control otherwise; the 下一步
 *   clicks also get a median of their own, and the slowest of all 40 clicks
 *   shows a hitch a median hides (a step into a file the code panel has not
 *   shown yet was one). Each click starts once the page
 *   is idle again, as a reader's next click would: the shell draws the
 *   panels below the controls a moment after the step itself.
 * - 后退一步 from the 200-step link: click → paint of BACK_CLICKS steps back,
 *   timed as above; the clicks above never go back. The controller shows a
 *   kept frame where it has one; after a restored link, the frames before it
 *   come from a replay it runs once the page is idle (the bench waits for
 *   that, as a reader who reads the step first would).
 * - a new step after 后退一步: the same link, BACK_CLICKS steps back untimed,
 *   then one step timed as above (下一步, else a reader's control). The
 *   simulation is past the cursor, so the step needs one at the cursor: the
 *   spare the controller replayed while the page was idle, or a replay of
 *   its own. One click per load, so read it as one sample, not a median.
 * - CPU time per step: the main thread's CPU time (from a trace) from each
 *   of those clicks to the next, a mean, so it includes what the page does
 *   after the paint: work no click → paint figure sees (every link the page
 *   wrote once made Chromium decode an SVG page icon again). Thread time
 *   leaves out the time the page waits for a busy host's CPU.
 * - deep-link restore for 0, 50 and 200 steps: from the island's hydration
 *   (astro:hydrate, after its props are parsed) until the simulator says
 *   data-ready (which it does once the restored step is drawn, the panels
 *   it draws a moment later included), the code panel has drawn its file
 *   (it arrives by a fetch of its own), and that frame has painted; the longest long task that
 *   overlaps that window. The links are the URLs the page itself wrote while
 *   the walk stepped, so the bench follows the link format as it evolves.
 *   Median of RESTORE_RUNS loads with a warm HTTP cache, so the network
 *   is out of the figure. For the longest link, also the reader's whole wait:
 *   from the navigation to the same painted frame (loading, parsing and
 *   running the page's scripts and the island's included).
 *
 * Usage: npm run bench [-- --build-seconds=N | --no-build] [-- --pages=/login/,/share/].
 * --pages measures only those pages (paths as served), for a quick look at one chapter. Without a build flag,
 * it runs `astro build` first and times it; with --build-seconds (or
 * BENCH_BUILD_SECONDS) the build already ran and took N seconds. Run it
 * niced on a shared machine: `nice -n 10 npm run bench`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { freePort } from '../companion/free-port.ts';
import { chromiumLaunchOptions } from '../tests/support/browser.js';

const DIST = 'dist';
const WALK_STEPS = 200;
const LINK_STEPS = [0, 50, 200];
const LONGEST_LINK = LINK_STEPS.at(-1);
const CLICK_WINDOW = 20;
const BACK_CLICKS = 5;
/** walkInPage's options for BACK_CLICKS presses of 后退一步 and nothing else. */
const BACK_WALK = { count: BACK_CLICKS, press: '后退一步', only: true };
const RESTORE_RUNS = 3;
const CPU_RATES = [1, 4];
/** Long enough for Starlight's idle-time imports to have started and finished. */
const SETTLE_MS = 2000;

const args = process.argv.slice(2);
const givenBuildSeconds = args.find((arg) => arg.startsWith('--build-seconds='))?.split('=')[1] ?? process.env.BENCH_BUILD_SECONDS;

// ---------------------------------------------------------------------------
// Build and serve

/** Runs a child to completion; rejects on a non-zero exit. */
function run(command, commandArgs) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${commandArgs.join(' ')} exited with ${code}`))));
  });
}

const ASTRO = join('node_modules', 'astro', 'astro.js');

async function build() {
  if (givenBuildSeconds !== undefined) return `${Number(givenBuildSeconds).toFixed(1)} s (given)`;
  if (args.includes('--no-build')) return 'not measured (--no-build)';
  const started = performance.now();
  await run(process.execPath, [ASTRO, 'build']);
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
}

async function preview() {
  const port = await freePort();
  const child = spawn(process.execPath, [ASTRO, 'preview', '--host', '127.0.0.1', '--port', String(port)], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/`)).ok) return { base, stop: () => child.kill('SIGTERM') };
    } catch {
      // Not listening yet.
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error('astro preview did not come up');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function* htmlFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* htmlFiles(path);
    else if (name.endsWith('.html') && name !== '404.html' && !isRedirect(path)) yield path;
  }
}

/** A redirect (astro.config.mjs `redirects`) is written as a page that only refreshes to another: not a page to measure. */
const isRedirect = (file) => /^<!doctype html><title>Redirecting to: /i.test(readFileSync(file, 'utf8').slice(0, 64));

const pagePath = (file) => '/' + relative(DIST, file).replace(/index\.html$/, '').replace(/\.html$/, '');

// ---------------------------------------------------------------------------
// In the page

/**
 * Installed before any page script: records when this flow's island
 * hydrates, when it reports data-ready, when that frame has painted, and
 * every long task.
 */
function instrument(flow) {
  const bench = { hydrated: null, ready: null, painted: null, longTasks: [] };
  window.__bench = bench;
  const afterNextPaint = (callback) => requestAnimationFrame(() => scheduler.postTask(callback, { priority: 'user-blocking' }));
  document.addEventListener(
    'astro:hydrate',
    (event) => {
      if (bench.hydrated === null && event.target.querySelector?.(`[data-flow="${flow}"]`)) bench.hydrated = performance.now();
    },
    true,
  );
  // Finished when the restored step is drawn and so is the code panel's file, which arrives by a fetch
  // of its own: until then the panel says it is loading, and the reader does not have the whole picture.
  const observer = new MutationObserver(() => {
    const root = document.querySelector(`[data-flow="${flow}"][data-ready="true"]`);
    if (bench.ready !== null || !root || root.querySelector('.sim-code[aria-busy="true"]')) return;
    bench.ready = performance.now();
    observer.disconnect();
    afterNextPaint(() => (bench.painted = performance.now()));
  });
  observer.observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready', 'aria-busy'] });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) bench.longTasks.push([entry.startTime, entry.duration]);
  }).observe({ type: 'longtask', buffered: true });
}

/**
 * Steps a simulator `count` times, in the page so that no round trip to the
 * bench sits between steps: 下一步 (or the step bar's button named `press`)
 * when it is available, otherwise one of the reader's enabled controls (by a
 * fixed stride, like the e2e walks), unless `only` that button. Each
 * step is timed from the click until the frame after the simulator's DOM
 * changed has painted; then the walk waits for the link the page writes.
 * Stops early when nothing can be pressed or a press changes nothing.
 */
async function walkInPage({ flow, count, stride = 0, press = '下一步', only = false }) {
  const root = document.querySelector(`[data-flow="${flow}"]`);
  const enabled = (buttons) => [...buttons].filter((button) => button.getAttribute('aria-disabled') !== 'true');
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const steps = [];
  for (let index = 0; index < count; index++) {
    const bar = root.querySelectorAll('[role="group"][aria-label="流程"] button, [role="group"][aria-label="历史"] button');
    const pressed = enabled(bar).find((button) => button.textContent.trim() === press);
    const others = only ? [] : enabled(root.querySelectorAll('[aria-label="操作"] button'));
    const button = pressed ?? others[(index * 7 + stride) % Math.max(others.length, 1)];
    if (!button) break;
    const href = location.href;
    // Where this step's share of main-thread CPU begins (stepCpu): the trace records the mark.
    performance.mark('bench-step');
    const ms = await new Promise((resolve) => {
      const timeout = setTimeout(() => {
        observer.disconnect();
        resolve(null);
      }, 10_000);
      const observer = new MutationObserver((records) => {
        // What moves by itself (the Worker chapter's ball, every frame) changes only inline styles;
        // a step's answer changes content: the click is timed to the latter.
        if (records.every((record) => record.attributeName === 'style')) return;
        observer.disconnect();
        requestAnimationFrame(() =>
          scheduler.postTask(
            () => {
              clearTimeout(timeout);
              resolve(performance.now() - started);
            },
            { priority: 'user-blocking' },
          ),
        );
      });
      observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
      const started = performance.now();
      button.click();
    });
    if (ms === null) break;
    // The link is written in an effect after the commit.
    for (const deadline = performance.now() + 5000; location.href === href && performance.now() < deadline; ) await pause(5);
    // A reader's next click finds the previous step finished, including what the shell draws a moment
    // later (the panels below the controls): the next click is not charged for it.
    await new Promise((resolve) => requestIdleCallback(resolve, { timeout: 2000 }));
    steps.push({ ms, next: button === pressed, href: location.href });
  }
  // Closes the last step's share of CPU.
  performance.mark('bench-step');
  return steps;
}

// ---------------------------------------------------------------------------
// Measurements

async function throttle(page, rate) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
}

/** Waits until no request has been in flight for a while (Playwright's networkidle, with a cap). */
async function settle(page) {
  await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => {});
  await page.waitForTimeout(SETTLE_MS);
  await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => {});
}

const gz = (buffer) => gzipSync(buffer).length;
const kib = (bytes) => (bytes / 1024).toFixed(1);

/** HTML and JavaScript weight of one page, in a fresh context (cold cache). */
async function weigh(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const scripts = new Map();
  /** @type {Promise<Buffer | null> | null} */
  let html = null;
  page.on('response', (response) => {
    const type = response.request().resourceType();
    const javascript = type === 'script' || /javascript/.test(response.headers()['content-type'] ?? '');
    if (type === 'document' && response.url().split('#')[0] === url) html = response.body().catch(() => null);
    else if (javascript && response.ok() && !scripts.has(response.url())) scripts.set(response.url(), response.body().then(gz, () => 0));
  });
  const total = async () => {
    const sizes = await Promise.all(scripts.values());
    return { bytes: sizes.reduce((sum, size) => sum + size, 0), count: sizes.length };
  };

  await page.goto(url, { waitUntil: 'load' });
  await settle(page);
  const before = await total();
  const flows = await page.locator('[data-flow]').evaluateAll((roots) => roots.map((root) => root.getAttribute('data-flow')));
  for (const flow of flows) {
    const root = page.locator(`[data-flow="${flow}"]`);
    await root.scrollIntoViewIfNeeded();
    await page.waitForFunction((name) => document.querySelector(`[data-flow="${name}"]`)?.getAttribute('data-ready') === 'true', flow, { timeout: 60_000 });
  }
  await settle(page);
  const after = await total();
  // Set by the response listener above, which the type checker cannot see.
  const document = await /** @type {Promise<Buffer | null> | null} */ (html);
  await context.close();
  return { flows, before, after, htmlRaw: document?.length ?? 0, htmlGz: document ? gz(document) : 0 };
}

/** Opens a page of the simulator (a deep link brings it on screen by itself; otherwise scroll to it) and waits until it is ready. */
async function openSimulator(context, url, flow) {
  const page = await context.newPage();
  await page.goto(url);
  if (!new URL(url).searchParams.has(flow)) await page.locator(`[data-flow="${flow}"]`).scrollIntoViewIfNeeded();
  await page.waitForFunction((name) => document.querySelector(`[data-flow="${name}"]`)?.getAttribute('data-ready') === 'true', flow, { timeout: 120_000 });
  await settle(page);
  return page;
}

/** The links the page writes while a simulator walks WALK_STEPS steps: links[n] restores step n. */
async function walkLinks(browser, url, flow) {
  const context = await browser.newContext();
  const page = await openSimulator(context, url, flow);
  const steps = await page.evaluate(walkInPage, { flow, count: WALK_STEPS, stride: 3 });
  await context.close();
  return [url, ...steps.map((step) => step.href)];
}

/**
 * Runs `work` under a trace and returns, for each step walkInPage took, the
 * main thread's CPU time from its click until the next one (ms): the paint,
 * and everything the page does after it, the link it writes and the panels it
 * draws a moment later included. A task counts for the step in which it
 * ends: the click runs inside the task that marks the step. The column shows
 * — rather than a figure when the trace has no such tasks (a Chromium that
 * names them otherwise) or one without a thread time: wall time is no
 * stand-in for it.
 */
async function stepCpu(page, work) {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (event) => events.push(...event.value));
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { categories: 'toplevel,blink.user_timing', transferMode: 'ReportEvents' });
  const result = await work();
  await cdp.send('Tracing.end');
  await complete;
  const marks = events.filter((event) => event.name === 'bench-step').sort((a, b) => a.ts - b.ts);
  if (marks.length < 2) return { result, cpu: [] };
  const { pid, tid } = marks[0];
  const tasks = [];
  const runTasks = events.filter((e) => e.name === 'ThreadControllerImpl::RunTask' && e.ph === 'X' && e.pid === pid && e.tid === tid);
  // Outer tasks first where two start together, so that the next check keeps the outer one.
  for (const event of runTasks.sort((a, b) => a.ts - b.ts || b.dur - a.dur)) {
    // A task run inside another (a nested loop) is already in its parent's time.
    const last = tasks.at(-1);
    if (!last || event.ts >= last.ts + last.dur) tasks.push(event);
  }
  if (tasks.length === 0 || tasks.some((task) => task.tdur === undefined)) return { result, cpu: [] };
  const cpu = marks.slice(1).map((end, index) => {
    const start = marks[index].ts;
    const within = tasks.filter((task) => task.ts + task.dur > start && task.ts + task.dur <= end.ts);
    return within.reduce((sum, task) => sum + task.tdur, 0) / 1000;
  });
  return { result, cpu };
}

/**
 * Click → paint of the steps `walk` takes (walkInPage's options; CLICK_WINDOW steps forward by default)
 * from the step a link restores, and what each cost in main-thread CPU (stepCpu).
 */
async function clickWindow(browser, link, flow, rate, walk = { count: CLICK_WINDOW, stride: 5 }, before = null) {
  const context = await browser.newContext();
  const page = await openSimulator(context, link, flow);
  await throttle(page, rate);
  // Untimed steps first (walkInPage's options), waited for like every step.
  if (before) await page.evaluate(walkInPage, { flow, ...before });
  const { result, cpu } = await stepCpu(page, () => page.evaluate(walkInPage, { flow, ...walk }));
  const steps = result.map((step, index) => ({ ...step, cpu: cpu[index] ?? null }));
  await context.close();
  return steps;
}

/** Loads a deep link in a warm context and times the restore. */
async function restore(context, url, flow, rate) {
  const page = await context.newPage();
  await throttle(page, rate);
  await page.goto(url);
  // Without a step in the link the reader scrolls to the simulator, which hydrates it.
  if (!new URL(url).searchParams.has(flow)) await page.locator(`[data-flow="${flow}"]`).scrollIntoViewIfNeeded();
  await page.waitForFunction(() => window.__bench.painted !== null, null, { timeout: 120_000 });
  const result = await page.evaluate(({ flow, wanted }) => {
    const { hydrated, painted, longTasks } = window.__bench;
    const overlapping = longTasks.filter(([start, duration]) => start < painted && start + duration > hydrated);
    return {
      ms: painted - hydrated,
      // performance.now() counts from the navigation.
      fromNavigation: painted,
      longest: Math.max(0, ...overlapping.map(([, duration]) => duration)),
      // A link the page could not restore is dropped from the URL when the simulator starts over.
      restored: new URL(location.href).searchParams.get(flow) === wanted,
    };
  }, { flow, wanted: new URL(url).searchParams.get(flow) });
  await page.close();
  return result;
}

function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// For CPU time per step. The steps mix cheap controls with costly 下一步 clicks, so a median jumps from one
// kind to the other as the mix shifts (18 and 28 ms in two runs of /login/); the mean is the walk's total per step.
function mean(values) {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

const ms = (value) => (value === null ? '—' : `${Math.round(value)}`);

function interactionCells(row) {
  const restoreCells = LINK_STEPS.map((n) => {
    const r = row.restores.get(n);
    if (!r) return '—';
    return r.restored ? ms(r.ms) : `${ms(r.ms)} (not restored)`;
  });
  const taskCells = LINK_STEPS.map((n) => ms(row.restores.get(n)?.longest ?? null));
  const wait = ms(row.restores.get(LONGEST_LINK)?.fromNavigation ?? null);
  return [row.path, `${row.rate}×`, row.steps, `${ms(row.next)} (${row.nextClicks})`, ms(row.early), ms(row.late), ms(row.slowest), ms(row.back), ms(row.branch), ms(row.cpu), ...restoreCells, ...taskCells, wait];
}

// ---------------------------------------------------------------------------

const buildTime = await build();
const server = await preview();
const browser = await chromium.launch(chromiumLaunchOptions());
try {
  const only = args.find((arg) => arg.startsWith('--pages='))?.slice('--pages='.length).split(',');
  const pages = [...htmlFiles(DIST)].map(pagePath).filter((path) => !only || only.includes(path)).sort();
  const weights = [];
  const interaction = [];
  for (const path of pages) {
    const url = server.base + path;
    // Progress goes to stderr, so that stdout is only the tables.
    console.error(`${path}: weighing`);
    const weight = await weigh(browser, url);
    weights.push({ path, ...weight });
    console.error(`  HTML ${kib(weight.htmlRaw)} KiB (${kib(weight.htmlGz)} gz) · JS ${kib(weight.before.bytes)} → ${kib(weight.after.bytes)} KiB gz`);
    const flow = weight.flows[0];
    if (!flow) continue;
    console.error(`${path}: ${WALK_STEPS}-step walk`);
    const links = await walkLinks(browser, url, flow);
    for (const rate of CPU_RATES) {
      console.error(`${path}: clicks and deep links at ${rate}× CPU`);
      const early = await clickWindow(browser, links[0], flow, rate);
      const lateLink = links[WALK_STEPS - CLICK_WINDOW];
      const late = lateLink ? await clickWindow(browser, lateLink, flow, rate) : [];
      const lastLink = links[WALK_STEPS];
      const back = lastLink ? await clickWindow(browser, lastLink, flow, rate, BACK_WALK) : [];
      if (lastLink && back.length < BACK_CLICKS) throw new Error(`${flow}: 后退一步 could be pressed ${back.length} times of ${BACK_CLICKS}`);
      const branch = lastLink ? await clickWindow(browser, lastLink, flow, rate, { count: 1, stride: 5 }, BACK_WALK) : [];
      const context = await browser.newContext();
      await context.addInitScript(instrument, flow);
      // One load first so that every later one finds the scripts in the HTTP cache.
      await restore(context, url, flow, rate);
      const restores = new Map();
      for (const count of LINK_STEPS) {
        const link = links[count];
        if (!link) continue;
        const runs = [];
        for (let i = 0; i < RESTORE_RUNS; i++) runs.push(await restore(context, link, flow, rate));
        restores.set(count, {
          ms: median(runs.map((r) => r.ms)),
          fromNavigation: median(runs.map((r) => r.fromNavigation)),
          longest: median(runs.map((r) => r.longest)),
          restored: runs.every((r) => r.restored),
        });
      }
      await context.close();
      const clicks = [...early, ...late];
      const row = {
        path,
        rate,
        steps: links.length - 1,
        nextClicks: clicks.filter((c) => c.next).length,
        next: median(clicks.filter((c) => c.next).map((c) => c.ms)),
        early: median(early.map((c) => c.ms)),
        late: lateLink ? median(late.map((c) => c.ms)) : null,
        slowest: clicks.length > 0 ? Math.max(...clicks.map((c) => c.ms)) : null,
        back: median(back.map((c) => c.ms)),
        branch: median(branch.map((c) => c.ms)),
        cpu: mean(clicks.map((c) => c.cpu).filter((cpu) => cpu !== null)),
        restores,
      };
      interaction.push(row);
      console.error(`  ${interactionCells(row).join(' | ')}`);
    }
  }

  console.log(`build: ${buildTime} · ${pages.length} pages · ${chromiumLaunchOptions().executablePath ?? 'Playwright Chromium'}\n`);
  console.log('Weight (KiB; JS gzipped here, counted per script response the page loaded; "scripts" is how many)\n');
  console.log('| page | HTML raw | HTML gz | JS before interaction | scripts | JS after hydration | scripts | simulators |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const w of weights) {
    console.log(
      `| ${w.path} | ${kib(w.htmlRaw)} | ${kib(w.htmlGz)} | ${kib(w.before.bytes)} | ${w.before.count} | ${kib(w.after.bytes)} | ${w.after.count} | ${w.flows.join(', ') || '—'} |`,
    );
  }
  const restoreHeads = LINK_STEPS.map((n) => `restore ${n}`).join(' | ');
  const taskHeads = LINK_STEPS.map((n) => `long task ${n}`).join(' | ');
  console.log(
    `\nInteraction (ms, medians). click → paint: ${CLICK_WINDOW} steps from step 0 and ${CLICK_WINDOW} from step ${WALK_STEPS - CLICK_WINDOW} (下一步 where available, else a reader's control); ` +
      `the 下一步 column is those clicks on 下一步; slowest click is the slowest of all of them. ` +
      `后退一步: ${BACK_CLICKS} steps back from step ${WALK_STEPS}; new step after it: one step from there (one click). ` +
      `CPU time per step: the main thread's, from a click to the next, after-paint work included, a mean over the same clicks. restore: a deep link to ${LINK_STEPS.join('/')} steps, hydration → painted, and the longest long task in that window, ${RESTORE_RUNS} loads each; the last column is the ${LONGEST_LINK}-step link from the navigation to the same painted frame.\n`,
  );
  console.log(`| page | CPU | steps walked | 下一步 (clicks) | from step 0 | from step ${WALK_STEPS - CLICK_WINDOW} | slowest click | 后退一步 from step ${WALK_STEPS} | new step after it | CPU time per step | ${restoreHeads} | ${taskHeads} | restore ${LONGEST_LINK} from navigation |`);
  console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|${LINK_STEPS.map(() => '---:').join('|')}|${LINK_STEPS.map(() => '---:').join('|')}|---:|`);
  for (const row of interaction) console.log(`| ${interactionCells(row).join(' | ')} |`);
} finally {
  await browser.close();
  server.stop();
}
