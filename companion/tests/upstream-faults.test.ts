/**
 * Defects 4 and 5 of issue 18: a WeChat (or something pretending to be it)
 * that redirects, answers nonsense, or does not answer. Each fault must end
 * as a 502 in the envelope, with a log line naming the endpoint and errcode
 * and nothing secret, and must not follow a redirect with the AppSecret.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SECRET, bearer, captureLog, injectTransportFault, mintCode, mintPhoneCode, serverConfig, startServer, useEmulator, useTempDir, type RunningServer, type TransportFault } from './helpers.ts';

const emulator = useEmulator({ ivy: { phoneNumber: '13711112222' } });
const dir = useTempDir();
const log = captureLog();
const servers: RunningServer[] = [];
/** Where a redirect points: it records whatever reaches it, which must be nothing. */
let thief: Server;
let thiefUrl: string;
const stolen: string[] = [];

const WECHAT_TIMEOUT_MS = 300;

beforeAll(async () => {
  thief = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      stolen.push(`${request.method} ${request.url} ${body}`);
      response.end('{"openid":"oStolen","session_key":"c3RvbGVu"}');
    });
  });
  await new Promise<void>((resolve) => thief.listen(0, '127.0.0.1', resolve));
  const address = thief.address();
  thiefUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.app.close()));
  await new Promise((resolve) => thief?.close(resolve));
});

/** A server of its own for each case, so no access_token is cached from an earlier one. */
async function freshServer(): Promise<RunningServer> {
  const server = await startServer(
    serverConfig(emulator.url, `${dir.path}/${servers.length}.db`, { WECHAT_TIMEOUT_MS: String(WECHAT_TIMEOUT_MS), LOG_LEVEL: 'info' }),
    { logStream: log.stream },
  );
  servers.push(server);
  return server;
}

async function login(server: RunningServer) {
  return server.login(await mintCode(emulator.url, 'ivy'));
}

async function phoneCode(server: RunningServer) {
  const { token } = (await login(server)).json;
  return server.request('/api/phone/code', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body: JSON.stringify({ code: await mintPhoneCode(emulator.url, 'ivy') }),
  });
}

type Api = 'jscode2session' | 'stable_token' | 'getuserphonenumber';
const redirect = (): TransportFault => ({ redirect: `${thiefUrl}/steal` });

// input → expected status / code; `errcode` is what the log line must carry when the reply had a numeric one.
const cases: Array<[name: string, status: number, code: string, api: Api, fault: () => TransportFault, errcode?: number]> = [
  ['jscode2session answering {}', 502, 'WECHAT_BAD_RESPONSE', 'jscode2session', () => ({ json: {} })],
  ['jscode2session answering a string errcode', 502, 'WECHAT_BAD_RESPONSE', 'jscode2session', () => ({ json: { errcode: '40029', errmsg: 'invalid code' } })],
  ['jscode2session answering an object openid', 502, 'WECHAT_BAD_RESPONSE', 'jscode2session', () => ({ json: { openid: { id: 1 }, session_key: 'a2V5' } })],
  ['jscode2session answering an empty openid', 502, 'WECHAT_BAD_RESPONSE', 'jscode2session', () => ({ json: { openid: '', session_key: 'a2V5' } })],
  ['jscode2session answering errcode 0 without openid', 502, 'WECHAT_BAD_RESPONSE', 'jscode2session', () => ({ json: { errcode: 0, errmsg: 'ok' } }), 0],
  ['jscode2session answering null', 502, 'WECHAT_BAD_RESPONSE', 'jscode2session', () => ({ json: null })],
  ['jscode2session answering HTML', 502, 'WECHAT_BAD_RESPONSE', 'jscode2session', () => ({ text: '<html>502 Bad Gateway</html>' })],
  ['jscode2session redirecting elsewhere', 502, 'WECHAT_BAD_RESPONSE', 'jscode2session', redirect],
  ['jscode2session never answering', 502, 'WECHAT_UNREACHABLE', 'jscode2session', () => ({ hang: true })],
  ['stable_token without access_token', 502, 'WECHAT_BAD_RESPONSE', 'stable_token', () => ({ json: { expires_in: 7200 } })],
  ['stable_token with a numeric access_token', 502, 'WECHAT_BAD_RESPONSE', 'stable_token', () => ({ json: { access_token: 42, expires_in: 7200 } })],
  ['stable_token redirecting elsewhere', 502, 'WECHAT_BAD_RESPONSE', 'stable_token', redirect],
  ['stable_token never answering', 502, 'WECHAT_UNREACHABLE', 'stable_token', () => ({ hang: true })],
  ['getuserphonenumber without phone_info', 502, 'WECHAT_BAD_RESPONSE', 'getuserphonenumber', () => ({ json: { errcode: 0, errmsg: 'ok' } }), 0],
  [
    'getuserphonenumber with a broken watermark',
    502,
    'WECHAT_BAD_RESPONSE',
    'getuserphonenumber',
    () => ({ json: { errcode: 0, errmsg: 'ok', phone_info: { phoneNumber: '1', purePhoneNumber: '1', countryCode: 86 } } }),
    0,
  ],
  ['getuserphonenumber answering plain text', 502, 'WECHAT_BAD_RESPONSE', 'getuserphonenumber', () => ({ text: 'ok' })],
  ['getuserphonenumber redirecting elsewhere', 502, 'WECHAT_BAD_RESPONSE', 'getuserphonenumber', redirect],
];

describe('a WeChat that answers nonsense, redirects or hangs', () => {
  it.each(cases)('%s → %i %s', async (_name, status, code, api, fault, errcode) => {
    const server = await freshServer();
    const getuserphonenumber = vi.spyOn(emulator.world, 'getuserphonenumber');
    const before = log.lines.length;
    await injectTransportFault(emulator.url, api, fault());
    const started = Date.now();
    const response = api === 'jscode2session' ? await login(server) : await phoneCode(server);
    vi.restoreAllMocks();

    expect(response.status).toBe(status);
    expect(response.json).toEqual({ error: { code, message: expect.any(String) } });
    // A hang ends with our timeout, not the emulator's.
    expect(Date.now() - started).toBeLessThan(WECHAT_TIMEOUT_MS * 10);
    expect(stolen).toEqual([]);
    if (api === 'stable_token') {
      // Never `?access_token=undefined`: without a token, getuserphonenumber is not called at all.
      expect(getuserphonenumber).not.toHaveBeenCalled();
    }

    const lines = log.lines.slice(before).map((line) => JSON.parse(line));
    if (code === 'WECHAT_BAD_RESPONSE') {
      const report = lines.find((line) => line.msg === 'WeChat answered with something unusable');
      expect(report).toMatchObject({ level: 40, endpoint: api, problem: expect.any(String) });
      expect(report.errcode).toBe(errcode);
    }
    for (const line of log.lines.slice(before)) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain('a2V5');
    }
    // The fault was one reply: the next request is served normally.
    expect((await (api === 'jscode2session' ? login(server) : phoneCode(server))).status).toBe(200);
  });
});
