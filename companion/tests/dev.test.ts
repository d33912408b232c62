/**
 * `npm run companion` (companion/dev.ts) as a real process: the emulator and
 * the server wired together, with what the 订阅消息 page needs offline already
 * set up — its templates on the emulator under the page's own ids, the server's
 * SUBSCRIBE_TEMPLATES and push Token, and the emulator's pushes pointed at the
 * server — so 模拟叫号 works without a single curl.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../free-port.ts';
import { MISSED_TURN, TABLE_READY } from '../miniprogram/miniprogram/pages/subscribe-message/templates.ts';
import { bearer, mintCode, useTempDir } from './helpers.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const dir = useTempDir();

let child: ChildProcess;
let output = '';
let emulatorUrl: string;
let serverUrl: string;

beforeAll(async () => {
  const [emulatorPort, serverPort] = await Promise.all([freePort(), freePort()]);
  emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  serverUrl = `http://127.0.0.1:${serverPort}`;
  child = spawn(process.execPath, ['--import', 'tsx', 'companion/dev.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, EMULATOR_PORT: String(emulatorPort), PORT: String(serverPort), DATABASE: `${dir.path}/companion.db` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => void (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => void (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run companion did not get ready:\n${output}`)), 30_000);
    const check = () => {
      if (output.includes(`Server listening at ${serverUrl}`) && output.includes('[companion] 订阅消息: templates')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', () => reject(new Error(`npm run companion exited:\n${output}`)));
  });
}, 40_000);

afterAll(async () => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const code = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  child.kill('SIGTERM');
  expect(await code).toBe(0);
});

async function post(url: string, body: unknown, token?: string): Promise<{ status: number; json: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? bearer(token) : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** What the page's 模拟叫号 sends. */
const callNumber = (token: string, data: Record<string, { value: string }>) =>
  post(`${serverUrl}/api/subscribe/send`, { templateId: TABLE_READY.id, data, page: 'pages/subscribe-message/subscribe-message' }, token);

const TABLE_READY_DATA = {
  thing1: { value: '小馆子（南山店）' },
  character_string2: { value: 'A042' },
  phrase3: { value: '请入座' },
  thing4: { value: '请在 10 分钟内到店，过号需重新取号' },
};

describe('npm run companion, offline 订阅消息', () => {
  it('has the page’s templates, so a user who accepted in the popup gets 模拟叫号 once, then 43101', async () => {
    const login = await post(`${serverUrl}/api/login`, { code: await mintCode(emulatorUrl, 'demo') });
    expect(login.status).toBe(200);
    const token = login.json.token as string;

    // The user taps 叫号时通知我 and leaves only 叫号提醒 switched on.
    const popup = await post(`${emulatorUrl}/__dev/subscribe-request`, {
      userId: 'demo',
      tmplIds: [TABLE_READY.id, MISSED_TURN.id],
      accept: [TABLE_READY.id],
    });
    expect(popup.json).toMatchObject({ ok: true, result: { [TABLE_READY.id]: 'accept', [MISSED_TURN.id]: 'reject' } });

    const sent = await callNumber(token, TABLE_READY_DATA);
    expect(sent.status).toBe(200);
    expect(sent.json).toEqual({ msgid: expect.any(Number) });
    const again = await callNumber(token, TABLE_READY_DATA);
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('SUBSCRIBE_43101');
  });

  it('configures the server with the same keywords: an extra key is refused before WeChat is called', async () => {
    const { token } = (await post(`${serverUrl}/api/login`, { code: await mintCode(emulatorUrl, 'demo') })).json;
    // WeChat (and the emulator) ignore extra keys; only the server's SUBSCRIBE_TEMPLATES check catches this one.
    const extra = await callNumber(token, { ...TABLE_READY_DATA, thing9: { value: '多出来的' } });
    expect(extra.status).toBe(400);
    expect(extra.json.error.code).toBe('SUBSCRIBE_47003');
    expect(extra.json.error.message).toContain('data.thing9');
  });

  it('delivers the emulator’s pushes to /api/wechat/events with a matching Token', async () => {
    const pushes = await post(`${emulatorUrl}/__dev/push-events`, {});
    expect(pushes.status).toBe(200);
    expect(pushes.json.pushed.map((p: { Event: string }) => p.Event)).toEqual(['subscribe_msg_popup_event', 'subscribe_msg_sent_event']);
    expect(pushes.json.pushed.every((p: { status: number }) => p.status === 200)).toBe(true);

    const { token } = (await post(`${serverUrl}/api/login`, { code: await mintCode(emulatorUrl, 'demo') })).json;
    const estimate = await fetch(`${serverUrl}/api/subscribe/estimate`, { headers: bearer(token) });
    expect(estimate.status).toBe(200);
    expect((await estimate.json()).templates[TABLE_READY.id]).toMatchObject({ left: 0 });
  });
});

describe('npm run companion, offline background fetch', () => {
  it('points the emulator’s periodic fetch at the server, which answers public data before a token is set', async () => {
    const fetched = await post(`${emulatorUrl}/__dev/background-fetch/periodic`, { userId: 'demo' });
    expect(fetched.json).toMatchObject({ status: 200, stored: 'cached' });
    const data = await fetch(`${emulatorUrl}/__dev/background-fetch/data?userId=demo&fetchType=periodic`);
    expect(JSON.parse((await data.json()).fetchedData)).toMatchObject({ kind: 'periodic', personal: false });
  });

  it('points the pre-fetch at its own address, which answers the page it opens', async () => {
    const fetched = await post(`${emulatorUrl}/__dev/background-fetch/pre`, { userId: 'demo', path: 'pages/background-fetch/background-fetch', query: 'item=7' });
    expect(fetched.json).toMatchObject({ status: 200, stored: 'cached' });
    const data = await fetch(`${emulatorUrl}/__dev/background-fetch/data?userId=demo&fetchType=pre`);
    expect(JSON.parse((await data.json()).fetchedData)).toMatchObject({ kind: 'pre', item: '7' });
  });
});
