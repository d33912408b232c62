/**
 * GET /api/background-fetch/periodic and /pre as WeChat calls them: the test plays the WeChat
 * client (periodic: appid, token, timestamp) and WeChat's server (pre-fetch:
 * also path, query, scene, or a code WeChat generated when no token was set),
 * building each query with the world's own request builders, against the
 * companion server and the emulator over real HTTP.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backgroundFetchRoutes } from '../server/src/routes/background-fetch.ts';
import { createDeveloperServer, createMemorySessionStore } from '../../src/world/developer/developer-server.ts';
import { createLoginTokenIssuer } from '../../src/world/developer/login-token.ts';
import {
  MAX_FETCHED_BYTES,
  periodicRequest,
  preFetchRequest,
  toQueryString,
  type Credential,
} from '../../src/world/wechat/background-fetch.ts';
import { APPID, bearer, captureLog, manualClock, mintCode, setNextRotation, startServer, tapOldPhoneButton, serverConfig, useEmulator, useTempDir, type RunningServer } from './helpers.ts';

const emulator = useEmulator({ ada: { phoneNumber: '13800001111' }, bob: {} });
let server: RunningServer;
const clock = manualClock();
const log = captureLog();
const dir = useTempDir();
const ENTRY = { path: 'pages/background-fetch/background-fetch', query: 'item=42', scene: 1007 };

const periodic = (token: string | null, appid = APPID) =>
  server.request(`/api/background-fetch/periodic?${toQueryString(periodicRequest(appid, token, clock.now()))}`);
const preFetch = (credential: Credential) =>
  server.request(`/api/background-fetch/pre?${toQueryString(preFetchRequest(APPID, credential, ENTRY, clock.now()))}`);

async function loginAs(userId: string): Promise<string> {
  return (await server.login(await mintCode(emulator.url, userId))).json.token;
}

async function fetchTokenFor(userId: string): Promise<string> {
  const reply = await server.request('/api/background-fetch/token', { method: 'POST', headers: bearer(await loginAs(userId)) });
  expect(reply.status).toBe(200);
  return reply.json.token;
}

beforeAll(async () => {
  server = await startServer(serverConfig(emulator.url, `${dir.path}/companion.db`, { LOG_LEVEL: 'info' }), {
    clock,
    logStream: log.stream,
  });
});

afterAll(async () => {
  await server?.app.close();
});

describe('GET /api/background-fetch/periodic: periodic update (appid, token, timestamp)', () => {
  it('answers public data as a plain string when no token was set yet', async () => {
    const reply = await periodic(null);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(JSON.parse(reply.text)).toMatchObject({ kind: 'periodic', personal: false });
  });

  it('recognises the user by the token set after login, and answers that user’s digest', async () => {
    const token = await fetchTokenFor('ada');
    expect(token.length).toBeLessThanOrEqual(1024);
    expect(JSON.parse((await periodic(token)).text)).toMatchObject({ kind: 'periodic', personal: true });
  });

  it('answers public data for a forged, a login or an expired token, never an error WeChat would cache', async () => {
    const token = await fetchTokenFor('bob');
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    for (const wrong of [forged, await loginAs('bob'), 'not-a-token']) {
      const reply = await periodic(wrong);
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.text)).toMatchObject({ personal: false });
    }
    // A week later the token has expired (the server's clock only; WeChat's emulator keeps real time).
    clock.advance(7 * 24 * 60 * 60 * 1000 + 1000);
    expect(JSON.parse((await periodic(token)).text)).toMatchObject({ personal: false });
  });

  it('rejects another mini program’s appid and a query WeChat would not send', async () => {
    expect((await periodic(null, 'wxsomeoneelse0000')).status).toBe(403);
    expect((await server.request('/api/background-fetch/periodic?appid=' + APPID)).status).toBe(400);
    expect((await server.request(`/api/background-fetch/periodic?appid=${APPID}&timestamp=1&token=${'t'.repeat(1025)}`)).status).toBe(400);
  });

  it('never exchanges a code on this address: only WeChat’s server mints one, for a pre-fetch', async () => {
    const code = await mintCode(emulator.url, 'bob');
    const reply = await server.request(`/api/background-fetch/periodic?appid=${APPID}&timestamp=1&code=${code}`);
    expect(JSON.parse(reply.text)).toMatchObject({ kind: 'periodic', personal: false });
    // The code is still unused: a pre-fetch can redeem it.
    expect(JSON.parse((await preFetch({ code })).text)).toMatchObject({ kind: 'pre', personal: true });
  });
});

describe('GET /api/background-fetch/pre: pre-fetch (path, query, scene; token or code)', () => {
  it('answers the page’s own data for the token’s user', async () => {
    const token = await fetchTokenFor('ada');
    const data = JSON.parse((await preFetch({ token })).text);
    expect(data).toMatchObject({ kind: 'pre', personal: true, path: ENTRY.path, query: ENTRY.query, item: '42', scene: 1007 });
  });

  it('exchanges a code like a login and keeps the refreshed session_key, so decryption still works', async () => {
    const loginToken = await loginAs('ada');
    // WeChat's pre-generated code rotates session_key this time: "可能会刷新用户登录态".
    await setNextRotation(emulator.url, 'ada', 'rotate');
    const code = await mintCode(emulator.url, 'ada');
    expect(JSON.parse((await preFetch({ code })).text)).toMatchObject({ kind: 'pre', personal: true, item: '42' });
    // The old phone button encrypts with the key WeChat holds now: the server must hold the same one.
    const phone = await server.request('/api/phone/decrypt', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(loginToken) },
      body: JSON.stringify(await tapOldPhoneButton(emulator.url, 'ada')),
    });
    expect(phone.status).toBe(200);
    expect(phone.json.purePhoneNumber).toBe('13800001111');
  });

  it('is a pre-fetch by its address, even without path, query and scene (the page marks them 必填「否」)', async () => {
    const reply = await server.request(`/api/background-fetch/pre?appid=${APPID}&timestamp=1`);
    expect(JSON.parse(reply.text)).toMatchObject({ kind: 'pre', personal: false, path: '', item: null });
  });

  it('answers public data for a used or unknown code', async () => {
    const code = await mintCode(emulator.url, 'bob');
    expect(JSON.parse((await preFetch({ code })).text)).toMatchObject({ personal: true });
    expect(JSON.parse((await preFetch({ code })).text)).toMatchObject({ personal: false });
    expect(JSON.parse((await preFetch({ code: 'forged-code' })).text)).toMatchObject({ personal: false });
  });

  it('logs who asked and what kind, without the token', async () => {
    const token = await fetchTokenFor('bob');
    await preFetch({ token });
    const lines = log.lines.filter((line) => line.includes('"msg":"background fetch"')).map((line) => JSON.parse(line));
    expect(lines.some((line) => line.fetchType === 'pre' && line.credential === 'token' && line.known === true && line.scene === '1007')).toBe(true);
    expect(lines.some((line) => line.fetchType === 'periodic')).toBe(true);
    expect(log.lines.some((line) => line.includes(token))).toBe(false);
  });
});

describe('POST /api/background-fetch/token', () => {
  it('needs a login, and its token is not a login token', async () => {
    expect((await server.request('/api/background-fetch/token', { method: 'POST' })).status).toBe(401);
    const token = await fetchTokenFor('ada');
    expect((await server.request('/api/me', { headers: bearer(token) })).status).toBe(401);
  });
});

describe('an answer over 256 KB', () => {
  it('is replaced by a small stub, because WeChat would cache nothing at all', async () => {
    const app = Fastify();
    const silentWeChat = { code2Session: async () => ({ errcode: 40029, errmsg: 'invalid code' }) };
    const tokens = createLoginTokenIssuer({ secret: new TextEncoder().encode('x'.repeat(32)), clock, lifetimeSeconds: 60 });
    await app.register(backgroundFetchRoutes, {
      appid: APPID,
      developer: createDeveloperServer({ wechat: silentWeChat, sessions: createMemorySessionStore(), tokens, now: clock.now }),
      sessions: createMemorySessionStore(),
      fetchTokens: tokens,
      now: clock.now,
      content: () => ({ kind: 'periodic', big: 'x'.repeat(MAX_FETCHED_BYTES) }),
    });
    const reply = await app.inject({ method: 'GET', url: `/api/background-fetch/periodic?${toQueryString(periodicRequest(APPID, null, clock.now()))}` });
    expect(reply.statusCode).toBe(200);
    expect(Buffer.byteLength(reply.body)).toBeLessThanOrEqual(MAX_FETCHED_BYTES);
    expect(JSON.parse(reply.body)).toMatchObject({ kind: 'periodic', truncated: true });
    await app.close();
  });
});

describe('the emulator plays WeChat’s two requests against the configured URL', () => {
  /** A dev endpoint of the emulator, answering with its status and JSON (or nothing for 204). */
  async function play(path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const response = await fetch(`${emulator.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: response.status, json: response.status === 204 ? undefined : await response.json() };
  }
  const slot = (userId: string, fetchType: 'periodic' | 'pre') => play(`/__dev/background-fetch/data?userId=${userId}&fetchType=${fetchType}`);

  it('plays a kind only while its switch has an address, and never a URL off this machine', async () => {
    expect((await play('/__dev/background-fetch/periodic', { userId: 'ada' })).status).toBe(409);
    expect((await play('/__dev/background-fetch/config', { periodicUrl: 'https://example.com/api/background-fetch/periodic' })).status).toBe(400);
    expect((await play('/__dev/background-fetch/config', { url: `${server.url}/api/background-fetch` })).status).toBe(400);
    // Not URLs at all, or not http(s): a clear 400, never a 500 from the check itself.
    for (const periodicUrl of ['not a url', 'http://', '', 'ftp://127.0.0.1/x']) {
      expect(await play('/__dev/background-fetch/config', { periodicUrl })).toMatchObject({ status: 400, json: { error: { code: 'BAD_REQUEST' } } });
    }
    // 数据周期性更新 on, 数据预加载 off: the two switches are independent.
    expect((await play('/__dev/background-fetch/config', { periodicUrl: `${server.url}/api/background-fetch/periodic` })).status).toBe(204);
    expect((await play('/__dev/background-fetch/pre', { userId: 'bob', ...ENTRY })).json).toMatchObject({ error: { code: 'NO_FETCH_URL' } });
    const both = { periodicUrl: `${server.url}/api/background-fetch/periodic`, preUrl: `${server.url}/api/background-fetch/pre` };
    expect((await play('/__dev/background-fetch/config', both)).status).toBe(204);
  });

  it('periodic: only appid, token and timestamp; the answer lands in the periodic slot', async () => {
    expect((await slot('ada', 'periodic')).json).toEqual({ errMsg: 'getBackgroundFetchData:fail' });
    expect((await play('/__dev/background-fetch/token', { userId: 'ada', token: await fetchTokenFor('ada') })).status).toBe(204);
    const fetched = await play('/__dev/background-fetch/periodic', { userId: 'ada' });
    expect(fetched.json).toMatchObject({ status: 200, stored: 'cached' });
    expect(Object.keys(fetched.json.query).sort()).toEqual(['appid', 'timestamp', 'token']);
    const data = (await slot('ada', 'periodic')).json;
    expect(JSON.parse(data.fetchedData)).toMatchObject({ kind: 'periodic', personal: true });
    expect(data).not.toHaveProperty('path');
  });

  it('pre-fetch without a token carries a fresh login code, the page’s path, query and scene', async () => {
    const fetched = await play('/__dev/background-fetch/pre', { userId: 'bob', ...ENTRY });
    expect(fetched.json).toMatchObject({ status: 200, stored: 'cached', query: { path: ENTRY.path, query: ENTRY.query, scene: 1007 } });
    expect(fetched.json.query).toHaveProperty('code');
    expect(fetched.json.query).not.toHaveProperty('token');
    const data = (await slot('bob', 'pre')).json;
    expect(JSON.parse(data.fetchedData)).toMatchObject({ kind: 'pre', personal: true, item: '42' });
    expect(data).toMatchObject({ path: ENTRY.path, query: ENTRY.query, scene: 1007 });
  });

  it('keeps the token rule: 1 to 1024 characters', async () => {
    expect((await play('/__dev/background-fetch/token', { userId: 'ada', token: 'x'.repeat(1025) })).status).toBe(400);
    expect((await play('/__dev/background-fetch/token', { userId: 'ada', token: '' })).status).toBe(400);
  });
});
