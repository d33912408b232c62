import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { APPID, SECRET, advanceEmulatorClock, bearer, captureLog, injectFault, mintCode, registerUser, serverConfig, startServer, testConfig, useEmulator, useTempDir, type RunningServer } from './helpers.ts';

const emulator = useEmulator();
let server: RunningServer;
const log = captureLog();
const dir = useTempDir();
const sessionKeysSeen = new Set<string>();

/** Every session_key WeChat handed out for this user so far, to look for later in responses and logs. */
function rememberSessionKey(userId: string) {
  const key = emulator.world.currentSessionKey(APPID, userId);
  if (key) sessionKeysSeen.add(key);
}

beforeAll(async () => {
  server = await startServer(
    serverConfig(emulator.url, `${dir.path}/companion.db`, { LOG_LEVEL: 'trace' }),
    { logStream: log.stream },
  );
  await registerUser(emulator.url, 'alice');
  await registerUser(emulator.url, 'mallory', { highRisk: true });
});

afterAll(async () => {
  await server?.app.close();
});

describe('POST /api/login against the emulator', () => {
  it('exchanges a fresh code for a token that /api/me accepts', async () => {
    const code = await mintCode(emulator.url, 'alice');
    rememberSessionKey('alice');
    const { status, json, headers } = await server.login(code);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(json).sort()).toEqual(['expiresIn', 'token']);
    expect(json.expiresIn).toBe(7200);

    const claims = decodeJwt(json.token);
    expect(claims.sub).toBe(emulator.world.openid(APPID, 'alice'));
    expect(JSON.stringify(claims)).not.toMatch(/session_key|sessionKey/);

    const me = await server.request('/api/me', { headers: bearer(json.token) });
    expect(me).toMatchObject({ status: 200, json: { openid: emulator.world.openid(APPID, 'alice') } });
  });

  const rejections: Array<[string, () => Promise<string>, number, string]> = [
    ['an unknown code (40029)', async () => 'no-such-code-0123456789', 401, 'WECHAT_40029'],
    [
      'an expired code (40029)',
      async () => {
        const code = await mintCode(emulator.url, 'alice');
        await advanceEmulatorClock(emulator.url, 5 * 60 * 1000 + 1000);
        return code;
      },
      401,
      'WECHAT_40029',
    ],
    [
      'a reused code (40163)',
      async () => {
        const code = await mintCode(emulator.url, 'alice');
        expect((await server.login(code)).status).toBe(200);
        return code;
      },
      401,
      'WECHAT_40163',
    ],
    [
      'the minute quota (45011)',
      async () => {
        await injectFault(emulator.url, 45011);
        return mintCode(emulator.url, 'alice');
      },
      429,
      'WECHAT_45011',
    ],
    [
      'a system error (-1)',
      async () => {
        await injectFault(emulator.url, -1);
        return mintCode(emulator.url, 'alice');
      },
      502,
      'WECHAT_-1',
    ],
    ['a high-risk user (40226)', async () => mintCode(emulator.url, 'mallory'), 403, 'WECHAT_40226'],
  ];

  it.each(rejections)('maps %s to HTTP %i', async (_name, codeFor, status, errorCode) => {
    const code = await codeFor();
    rememberSessionKey('alice');
    rememberSessionKey('mallory');
    const response = await server.login(code);
    expect(response.status).toBe(status);
    expect(response.json).toEqual({ error: { code: errorCode, message: expect.any(String) } });
    expect(response.json.error.message.length).toBeGreaterThan(4);
  });

  it('answers 502 when WeChat cannot be reached', async () => {
    const unreachable = await startServer(
      testConfig({ WECHAT_API_BASE: 'http://127.0.0.1:9', WECHAT_TIMEOUT_MS: '1000', DATABASE: `${dir.path}/down.db` }),
      { logStream: log.stream },
    );
    try {
      const response = await unreachable.login('any-code-at-all');
      expect(response).toMatchObject({ status: 502, json: { error: { code: 'WECHAT_UNREACHABLE' } } });
    } finally {
      await unreachable.app.close();
    }
  });

  it('answers 500 SERVER_MISCONFIGURED, without saying more, when the AppSecret is wrong', async () => {
    const misconfigured = await startServer(
      testConfig({ WECHAT_API_BASE: emulator.url, WECHAT_SECRET: 'not-the-secret-of-this-app', DATABASE: `${dir.path}/bad.db` }),
      { logStream: log.stream },
    );
    try {
      const response = await misconfigured.login(await mintCode(emulator.url, 'alice'));
      rememberSessionKey('alice');
      expect(response).toMatchObject({ status: 500, json: { error: { code: 'SERVER_MISCONFIGURED' } } });
      server.bodies.push(...misconfigured.bodies);
    } finally {
      await misconfigured.app.close();
    }
  });

  it('rate-limits login per client, in the error envelope', async () => {
    const limited = await startServer(
      serverConfig(emulator.url, `${dir.path}/limited.db`, { LOGIN_RATE_LIMIT_PER_MINUTE: '3' }),
    );
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.login(`code-${i}-0123456789`)).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const last = await limited.login('code-x-0123456789');
      expect(last.json).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
      expect((await limited.request('/api/me')).status).toBe(401);
    } finally {
      await limited.app.close();
    }
  });

  it.each([
    ['ignores X-Forwarded-For by default, so clients cannot pick their own bucket', {}, [401, 401, 429]],
    ['keys on X-Forwarded-For behind a trusted proxy', { TRUST_PROXY: '127.0.0.1' }, [401, 401, 401]],
  ])('%s', async (_name, env, expected) => {
    const limited = await startServer(
      serverConfig(emulator.url, `${dir.path}/proxy.db`, { LOGIN_RATE_LIMIT_PER_MINUTE: '2', ...env }),
    );
    try {
      const statuses = [];
      for (const client of ['203.0.113.1', '203.0.113.1', '203.0.113.2']) {
        const response = await limited.request('/api/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
          body: JSON.stringify({ code: 'unknown-code-0123456789' }),
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual(expected);
    } finally {
      await limited.app.close();
    }
  });

  it('lets a busy user retry 30 times a minute with the default limit', async () => {
    const defaults = await startServer(serverConfig(emulator.url, `${dir.path}/defaults.db`));
    try {
      const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => defaults.login(`retry-${i}-0123456789`).then((r) => r.status)));
      expect(new Set(statuses)).toEqual(new Set([401]));
    } finally {
      await defaults.app.close();
    }
  });

  it('never puts session_key or the AppSecret in a response body or a log line', async () => {
    expect(sessionKeysSeen.size).toBeGreaterThan(0);
    expect(log.lines.length).toBeGreaterThan(10);
    const everything = [...server.bodies, ...log.lines];
    for (const text of everything) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toMatch(/session_?key/i);
      for (const key of sessionKeysSeen) expect(text).not.toContain(key);
    }
  });
});
