/**
 * `npm run companion`: the WeChat API emulator and the developer server
 * together, wired to each other, for offline play. Nothing here talks to the
 * real WeChat. If either process stops, the other is stopped too.
 *
 * The emulator adopts unknown wx.login codes for the demo user, so the mini
 * program opened in WeChat DevTools logs in through its own wx.login.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DEMO_USER_ID, OFFLINE_APPID, OFFLINE_SECRET } from './emulator/src/app.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const emulatorPort = process.env.EMULATOR_PORT || '4000';
const appid = process.env.WECHAT_APPID || OFFLINE_APPID;
const secret = process.env.WECHAT_SECRET || OFFLINE_SECRET;
if (!process.env.TOKEN_SECRET) {
  // The emulator forgets its users on exit, so tokens from an earlier offline run are worthless anyway.
  console.log('[companion] TOKEN_SECRET not set: using a random one for this run (tokens end with it).');
}

function start(entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
}

const children = [
  start('companion/emulator/src/main.ts', {
    WECHAT_APPID: appid,
    WECHAT_SECRET: secret,
    EMULATOR_PORT: emulatorPort,
    EMULATOR_DEVTOOLS_USER: DEMO_USER_ID,
  }),
  start('companion/server/src/server.ts', {
    WECHAT_APPID: appid,
    WECHAT_SECRET: secret,
    WECHAT_API_BASE: `http://127.0.0.1:${emulatorPort}`,
    TOKEN_SECRET: process.env.TOKEN_SECRET || randomBytes(48).toString('base64'),
  }),
];

let exitCode: number | undefined;
for (const child of children) {
  child.once('exit', (code, signal) => {
    exitCode ??= code ?? (signal ? 1 : 0);
    for (const other of children) if (other.exitCode === null && other.signalCode === null) other.kill('SIGTERM');
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}
