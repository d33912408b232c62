/**
 * `npm run companion`: the WeChat API emulator and the developer server
 * together, wired to each other, for offline play. Nothing here talks to the
 * real WeChat. If either process stops, the other is stopped too.
 *
 * The emulator adopts unknown wx.login codes for the demo user, so the mini
 * program opened in WeChat DevTools logs in through its own wx.login. Once the
 * emulator listens, the 订阅消息 page's templates are created on it with the
 * page's own ids, its event pushes go to the server's /api/wechat/events, and
 * its background fetches (周期性更新, 数据预拉取) to /api/background-fetch/periodic and /pre.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DEMO_USER_ID, OFFLINE_APPID, OFFLINE_SECRET } from './emulator/src/app.ts';
import { MISSED_TURN, TABLE_READY } from './miniprogram/miniprogram/pages/subscribe-message/templates.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const emulatorPort = process.env.EMULATOR_PORT || '4000';
const appid = process.env.WECHAT_APPID || OFFLINE_APPID;
const secret = process.env.WECHAT_SECRET || OFFLINE_SECRET;
const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
const serverUrl = `http://127.0.0.1:${process.env.PORT || '3000'}`;
const eventsUrl = `${serverUrl}/api/wechat/events`;
/** The admin console's two download addresses, one per switch. */
const backgroundFetchUrls = { periodicUrl: `${serverUrl}/api/background-fetch/periodic`, preUrl: `${serverUrl}/api/background-fetch/pre` };
/** The 消息推送 Token shared by the emulator and the server; dev-only, like the AppSecret above. */
const pushToken = process.env.WECHAT_PUSH_TOKEN || 'offlineEmulatorPushToken';
const templates = [TABLE_READY, MISSED_TURN];
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
    WECHAT_API_BASE: emulatorUrl,
    TOKEN_SECRET: process.env.TOKEN_SECRET || randomBytes(48).toString('base64'),
    WECHAT_PUSH_TOKEN: pushToken,
    // The server checks the page's data against the same keywords before it calls the emulator.
    SUBSCRIBE_TEMPLATES: process.env.SUBSCRIBE_TEMPLATES || JSON.stringify(Object.fromEntries(templates.map((t) => [t.id, t.keywords]))),
  }),
];

async function emulatorPost(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${emulatorUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path} → ${response.status} ${await response.text()}`);
}

/** What the 订阅消息 and background-fetch pages need offline, done through the emulator's dev-only API as a reader would with curl. */
async function setUpOffline(): Promise<void> {
  for (let tries = 0; !(await fetch(emulatorUrl).then(() => true, () => false)); tries++) {
    if (tries === 300) throw new Error(`nothing answers at ${emulatorUrl}`);
    await sleep(100);
  }
  for (const { id, title, keywords } of templates) await emulatorPost('/__dev/subscribe-templates', { id, title, keywords });
  await emulatorPost('/__dev/push-config', { url: eventsUrl, token: pushToken });
  await emulatorPost('/__dev/background-fetch/config', backgroundFetchUrls);
}
setUpOffline().then(
  () =>
    console.log(
      `[companion] 订阅消息: templates ${templates.map((t) => t.id).join(', ')} created on the emulator; its pushes go to ${eventsUrl}, its background fetches to ${backgroundFetchUrls.periodicUrl} and ${backgroundFetchUrls.preUrl}.`,
    ),
  (error: unknown) => console.error(`[companion] could not set up the emulator for 订阅消息 and background fetch: ${error instanceof Error ? error.message : String(error)}`),
);

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
