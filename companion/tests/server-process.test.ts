import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APPID, SECRET, TOKEN_SECRET, bearer, mintCode, useEmulator, useTempDir } from './helpers.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const emulator = useEmulator({ hana: {} });
const dir = useTempDir();
/** `npm run companion:server` as a real process; resolves once it logs where it listens. */
async function startProcess(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'companion/server/src/server.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      WECHAT_APPID: APPID,
      WECHAT_SECRET: SECRET,
      WECHAT_API_BASE: emulator.url,
      TOKEN_SECRET,
      PORT: '0',
      DATABASE: `${dir.path}/companion.db`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => void (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => void (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 15_000);
    child.stdout?.on('data', () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return { child, url, output: () => output };
}

const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });

describe('the server process', () => {
  it('shuts down cleanly on SIGTERM and keeps sessions across a restart', async () => {
    const first = await startProcess();
    const login = await fetch(`${first.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: await mintCode(emulator.url, 'hana') }),
    }).then((r) => r.json());
    expect(await stop(first.child)).toBe(0);
    expect(first.output()).toContain('shutting down');

    const second = await startProcess();
    try {
      const me = await fetch(`${second.url}/api/me`, { headers: bearer(login.token) });
      expect(me.status).toBe(200);
      expect(await me.json()).toEqual({ openid: emulator.world.openid(APPID, 'hana') });
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
    for (const output of [first.output(), second.output()]) {
      expect(output).not.toContain(SECRET);
      expect(output).not.toContain(TOKEN_SECRET);
      expect(output).not.toMatch(/session_?key/i);
    }
  });
});
