/**
 * `npm run bench:companion`: requests/s and latency of POST /api/login and
 * GET /api/me on loopback, each as a share of a bare fastify route (the
 * ceiling) measured in the same run. The ceiling and /api/me alternate over
 * a few rounds, so that a neighbour's load on a shared machine lands on both
 * sides of a ratio instead of skewing it.
 * Emulator, server and ceiling each run in their own process (the real entry
 * points), so autocannon in this process does not steal their event loop.
 * Every login needs a fresh, unused code, so they are minted in advance,
 * spread over enough test users to stay under WeChat's 100 per user per minute.
 * GET /api/me carries the tokens of many signed-in users in turn, as a server
 * sees them, rather than one token over and over.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Options, type Result } from 'autocannon';
import { OFFLINE_APPID, OFFLINE_SECRET } from '../emulator/src/app.ts';
import { freePort } from '../free-port.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const LOGINS = 4_000;
const WARMUP_LOGINS = 500;
const CODES_PER_USER = 90;
const CONNECTIONS = 50;
const SECONDS = 4;
const ROUNDS = 3;
const WARMUP_SECONDS = 2;
/** Users signed in before GET /api/me runs, each with a token of its own. */
const SIGNED_IN = 1_000;

interface Measurement {
  result: Result;
  perSecond: number;
}

interface Run extends Measurement {
  /** CPU the serving process used during the run. */
  cpuMs: number | undefined;
}

interface Row {
  name: string;
  runs: Run[];
  /** Each run's requests/s as a share of the ceiling's in the same round. */
  ratios: number[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;

const children: ChildProcess[] = [];
function start(entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

/**
 * CPU time a process has used so far, in ms (Linux /proc; utime + stime in
 * clock ticks of 10 ms), or undefined elsewhere. CPU per request is a second
 * ratio to the ceiling that a busy machine hardly moves, unlike requests/s.
 */
function cpuMs(pid: number | undefined): number | undefined {
  const stat = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(stat)) return undefined;
  const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Runs a measurement and the CPU the process behind it used meanwhile. */
async function measured(child: ChildProcess, task: () => Promise<Measurement>): Promise<Run> {
  const before = cpuMs(child.pid);
  const measurement = await task();
  const after = cpuMs(child.pid);
  return { ...measurement, cpuMs: before === undefined || after === undefined ? undefined : after - before };
}

/**
 * A run, and its requests per second from its start to its last response.
 * autocannon's own rate is the mean of whole one-second samples, the last of
 * them mostly idle in a run of a fixed count: 4,000 logins read as 4,000 / 3
 * = 1,333 req/s whether they took 2.1 s or 2.9.
 */
async function load(options: Options): Promise<Measurement> {
  const started = performance.now();
  let last = started;
  const run = autocannon(options);
  run.on('response', () => {
    last = performance.now();
  });
  const result = await run;
  return { result, perSecond: result.requests.total === 0 ? 0 : result.requests.total / ((last - started) / 1000) };
}

async function waitFor(url: string): Promise<void> {
  // Generous: tsx compiles each entry on start, which takes a while on a busy machine.
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not come up`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function post(url: string, body: unknown): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${url} → ${response.status} ${await response.text()}`);
  return response.json();
}

/** Runs `task(i)` for i < count with at most `width` in flight. */
async function pool<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'companion-bench-'));
try {
  const [emulatorPort, serverPort, helloPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const emulator = `http://127.0.0.1:${emulatorPort}`;
  const server = `http://127.0.0.1:${serverPort}`;
  const hello = `http://127.0.0.1:${helloPort}`;
  start('companion/emulator/src/main.ts', { WECHAT_APPID: OFFLINE_APPID, WECHAT_SECRET: OFFLINE_SECRET, EMULATOR_PORT: String(emulatorPort) });
  const serverProcess = start('companion/server/src/server.ts', {
    WECHAT_APPID: OFFLINE_APPID,
    WECHAT_SECRET: OFFLINE_SECRET,
    WECHAT_API_BASE: emulator,
    PORT: String(serverPort),
    TOKEN_SECRET: 'bench-token-secret-at-least-32-bytes-long',
    DATABASE: join(dir, 'bench.db'),
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const helloProcess = start('companion/bench/hello.ts', { PORT: String(helloPort) });
  await Promise.all([waitFor(emulator), waitFor(server), waitFor(hello)]);

  const total = LOGINS + WARMUP_LOGINS + SIGNED_IN;
  const users = Math.max(SIGNED_IN, Math.ceil(total / CODES_PER_USER));
  await pool(users, 32, (i) => post(`${emulator}/__dev/users`, { id: `bench-${i}` }));
  const codes: string[] = await pool(total, 64, async (i) => (await post(`${emulator}/__dev/login-code`, { userId: `bench-${i % users}` })).code);
  console.log(`minted ${codes.length} codes for ${users} test users`);

  // The first SIGNED_IN codes belong to as many different users.
  const signedIn: string[] = await pool(SIGNED_IN, 32, async (i) => (await post(`${server}/api/login`, { code: codes[i] })).token);
  codes.splice(0, SIGNED_IN);
  // Each connection goes through every user's request in turn; autocannon builds each request once.
  const meRequests = signedIn.map((token) => ({ method: 'GET' as const, path: '/api/me', headers: { authorization: `Bearer ${token}` } }));
  const meRun = (duration = SECONDS) => load({ url: server, connections: CONNECTIONS, duration, requests: meRequests });
  const loginRun = (amount: number) =>
    load({
      url: server,
      connections: CONNECTIONS,
      amount,
      requests: [
        {
          method: 'POST',
          path: '/api/login',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => ({ ...request, body: JSON.stringify({ code: codes.pop() }) }),
        },
      ],
    });
  const helloRun = (duration = SECONDS) => load({ url: hello, connections: CONNECTIONS, duration });

  // Warm-up: let V8 optimise every path before anything is measured.
  await helloRun(WARMUP_SECONDS);
  await meRun(WARMUP_SECONDS);
  await loginRun(WARMUP_LOGINS);

  const ceilingRuns: Run[] = [];
  const meRuns: Run[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    ceilingRuns.push(await measured(helloProcess, () => helloRun()));
    meRuns.push(await measured(serverProcess, () => meRun()));
  }
  const login = await measured(serverProcess, () => loginRun(LOGINS));

  const rate = (run: Run) => run.perSecond;
  const ceiling = median(ceilingRuns.map(rate));
  /** CPU ms per thousand requests, over all runs of a row. */
  const cpuPerThousand = (runs: Run[]) => {
    if (runs.some((run) => run.cpuMs === undefined)) return undefined;
    return (runs.reduce((sum, run) => sum + run.cpuMs!, 0) / runs.reduce((sum, run) => sum + run.result.requests.total, 0)) * 1000;
  };
  const ceilingCpu = cpuPerThousand(ceilingRuns);
  const rows: Row[] = [
    { name: 'GET / (bare fastify, ceiling)', runs: ceilingRuns, ratios: ceilingRuns.map((run) => rate(run) / ceiling) },
    { name: `GET /api/me (${SIGNED_IN} users' tokens in turn: each signature checked once, each session remembered from its login)`, runs: meRuns, ratios: meRuns.map((run, i) => rate(run) / rate(ceilingRuns[i]!)) },
    // Logins spend one-time codes, so they run once, against the median ceiling.
    { name: 'POST /api/login (jscode2session via emulator + SQLite write + sign)', runs: [login], ratios: [rate(login) / ceiling] },
  ];

  console.log(`\n${CONNECTIONS} connections, loopback; server logs at info level, the ceiling does not log.`);
  console.log(`GET routes: median of ${ROUNDS} alternating rounds of ${SECONDS} s; the ratio's range across rounds in brackets.`);
  console.log('CPU: the serving process\'s CPU per 1000 requests (/proc), and the ceiling\'s as a share of it: a ratio a busy machine hardly moves.\n');
  console.log('| route | req/s | share of ceiling | CPU ms / 1000 req | share of ceiling by CPU | p50 ms | p99 ms | requests | non-2xx | errors |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { name, runs, ratios } of rows) {
    const spread = ratios.length > 1 ? ` (${percent(Math.min(...ratios))}–${percent(Math.max(...ratios))})` : '';
    const sum = (pick: (r: Result) => number) => runs.reduce((total, run) => total + pick(run.result), 0);
    const cpu = cpuPerThousand(runs);
    const cpuCells = cpu === undefined || ceilingCpu === undefined ? '— | —' : `${Math.round(cpu)} | ${percent(ceilingCpu / cpu)}`;
    console.log(
      `| ${name} | ${Math.round(median(runs.map(rate)))} | ${percent(median(ratios))}${spread} | ${cpuCells} | ${median(runs.map((run) => run.result.latency.p50))} | ${median(runs.map((run) => run.result.latency.p99))} | ${sum((r) => r.requests.total)} | ${sum((r) => r.non2xx)} | ${sum((r) => r.errors + r.timeouts)} |`,
    );
  }
  if (rows.some(({ runs }) => runs.some(({ result }) => result.non2xx > 0 || result.errors > 0))) {
    console.error('\nSome requests failed: the numbers above do not measure the happy path.');
    process.exitCode = 1;
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
  rmSync(dir, { recursive: true, force: true });
}
