import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, decodeJwt } from 'jose';
import { TOKEN_SECRET, bearer, captureLog, manualClock, mintCode, registerUser, serverConfig, startServer, useEmulator, useTempDir, type RunningServer } from './helpers.ts';

const emulator = useEmulator();
let server: RunningServer;
let token: string;
const clock = manualClock();
const log = captureLog();
const dir = useTempDir();

const json = (body: string, contentType = 'application/json'): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': contentType },
  body,
});

/** After every rejection the server must still log a user in and answer /api/me. */
async function expectStillServing() {
  const login = await server.login(await mintCode(emulator.url, 'bob'));
  expect(login.status).toBe(200);
  expect((await server.request('/api/me', { headers: bearer(login.json.token) })).status).toBe(200);
}

beforeAll(async () => {
  server = await startServer(
    serverConfig(emulator.url, `${dir.path}/companion.db`, { TOKEN_TTL_SECONDS: '600', LOG_LEVEL: 'debug' }),
    { clock, logStream: log.stream },
  );
  await registerUser(emulator.url, 'bob');
  token = (await server.login(await mintCode(emulator.url, 'bob'))).json.token;
});

afterAll(async () => {
  await server?.app.close();
});

describe('the login token', () => {
  const secret = new TextEncoder().encode(TOKEN_SECRET);
  const forge = (key: Uint8Array, claims: { sub: string; iss?: string }) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub)
      .setIssuer(claims.iss ?? 'miniprogram-lab-companion')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key);

  it.each([
    ['no Authorization header', undefined, 'TOKEN_MISSING'],
    ['a non-Bearer scheme', 'Basic Ym9iOmJvYg==', 'TOKEN_MISSING'],
    ['an empty Bearer', 'Bearer ', 'TOKEN_MISSING'],
    ['garbage after Bearer', 'Bearer not-a-token', 'TOKEN_INVALID'],
  ])('rejects %s with 401', async (_name, authorization, code) => {
    const response = await server.request('/api/me', authorization ? { headers: { authorization } } : {});
    expect(response).toMatchObject({ status: 401, json: { error: { code } } });
  });

  it('rejects a token signed with another key, or with alg none, or with an edited payload', async () => {
    const { sub } = decodeJwt(token);
    const otherKey = await forge(new TextEncoder().encode('another-secret-that-is-also-32-bytes-long!'), { sub: sub! });
    const [header, , signature] = token.split('.');
    const edited = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(token), sub: 'oSomeoneElse' })).toString('base64url')}.${signature}`;
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${token.split('.')[1]}.`;
    for (const forged of [otherKey, edited, none]) {
      const response = await server.request('/api/me', { headers: { authorization: `Bearer ${forged}` } });
      expect(response).toMatchObject({ status: 401, json: { error: { code: 'TOKEN_INVALID' } } });
    }
  });

  it('reads the Bearer scheme in any case, as HTTP defines it', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      expect((await server.request('/api/me', { headers: { authorization: `${scheme} ${token}` } })).status).toBe(200);
    }
  });

  it('rejects a correctly signed token for an openid that never logged in', async () => {
    const stranger = await forge(secret, { sub: 'oNeverLoggedIn0000000000000' });
    expect(await server.request('/api/me', { headers: bearer(stranger) })).toMatchObject({
      status: 401,
      json: { error: { code: 'SESSION_UNKNOWN' } },
    });
  });

  it('expires after TOKEN_TTL_SECONDS', async () => {
    const fresh = (await server.login(await mintCode(emulator.url, 'bob'))).json.token;
    // The token's times are whole seconds and this clock runs on from the login: 598 s leaves a second for
    // the request itself to arrive (599 failed on a loaded machine when the login fell late in its second).
    clock.advance(598_000);
    expect((await server.request('/api/me', { headers: bearer(fresh) })).status).toBe(200);
    clock.advance(3_000);
    expect(await server.request('/api/me', { headers: bearer(fresh) })).toMatchObject({
      status: 401,
      json: { error: { code: 'TOKEN_EXPIRED' } },
    });
    await expectStillServing();
  });
});

describe('bodies', () => {
  it.each([
    ['malformed JSON', 400, 'MALFORMED_JSON', json('{"code": ')],
    ['an empty JSON body', 400, 'MALFORMED_JSON', json('')],
    ['a number where the code goes', 400, 'BAD_REQUEST', json('{"code": 123}')],
    ['an empty code', 400, 'BAD_REQUEST', json('{"code": ""}')],
    ['an array', 400, 'BAD_REQUEST', json('["abc"]')],
    ['an unknown field', 400, 'BAD_REQUEST', json('{"code": "abc", "session_key": "x"}')],
    ['no body at all', 400, 'BAD_REQUEST', { method: 'POST' }],
    ['a form body', 415, 'UNSUPPORTED_MEDIA_TYPE', json('code=abc', 'application/x-www-form-urlencoded')],
  ] as const)('rejects %s with %i %s and keeps serving', async (_name, status, code, init) => {
    const response = await server.request('/api/login', init);
    expect(response.status).toBe(status);
    expect(response.json).toEqual({ error: { code, message: expect.any(String) } });
    await expectStillServing();
  });

  it('names the unknown field in the message', async () => {
    const response = await server.request('/api/login', json('{"code": "abc", "openid": "x"}'));
    expect(response.json.error.message).toContain('openid');
  });

  it('rejects a body over 1 MiB with 413, whether announced by content-length or streamed', async () => {
    const big = JSON.stringify({ code: 'x'.repeat(1024 * 1024 + 10) });
    expect(await server.request('/api/login', json(big))).toMatchObject({
      status: 413,
      json: { error: { code: 'PAYLOAD_TOO_LARGE' } },
    });
    await expectStillServing();

    const chunks = new ReadableStream({
      start(controller) {
        const chunk = new TextEncoder().encode('x'.repeat(256 * 1024));
        controller.enqueue(new TextEncoder().encode('{"code":"'));
        for (let i = 0; i < 5; i++) controller.enqueue(chunk);
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      },
    });
    const streamed = await server.request('/api/login', { ...json(''), body: chunks, duplex: 'half' } as RequestInit);
    expect(streamed).toMatchObject({ status: 413, json: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    await expectStillServing();
  });

  it('accepts a body just under 1 MiB as far as the schema (code too long → 400, not 413)', async () => {
    const response = await server.request('/api/login', json(JSON.stringify({ code: 'x'.repeat(1024 * 1024 - 100) })));
    expect(response.status).toBe(400);
  });

  it('answers unknown routes with a 404 envelope', async () => {
    expect(await server.request('/api/nope?secret=1')).toMatchObject({ status: 404, json: { error: { code: 'NOT_FOUND' } } });
  });
});

describe('logging', () => {
  it('censors session_key, secrets, tokens and Authorization wherever they appear in a log object', () => {
    const before = log.lines.length;
    server.app.log.info({ session_key: 'SK-ROOT', secret: 'SECRET-ROOT', nested: { session_key: 'SK-1', secret: 'S-1', sessionKey: 'SK-2' } }, 'probe');
    server.app.log.info({ a: { b: { session_key: 'SK-DEEP' } }, headers: { authorization: 'Bearer AUTH-1' } }, 'probe');
    const probe = log.lines.slice(before).join('\n');
    expect(probe).toContain('[redacted]');
    for (const value of ['SK-ROOT', 'SECRET-ROOT', 'SK-1', 'S-1', 'SK-2', 'SK-DEEP', 'AUTH-1']) expect(probe).not.toContain(value);
  });

  it('never logs the bearer token or a query string, even at debug level', () => {
    const all = log.lines.join('\n');
    expect(all).toContain('/api/me');
    expect(all).not.toContain(token);
    expect(all).not.toContain('secret=1');
  });
});

describe('request logging at info level', () => {
  it('writes nothing for requests that went well and one line, with the path, for a refused one', async () => {
    const quiet = captureLog();
    const info = await startServer(serverConfig(emulator.url, `${dir.path}/info.db`, { LOG_LEVEL: 'info' }), {
      logStream: quiet.stream,
    });
    try {
      const { token: fresh } = (await info.login(await mintCode(emulator.url, 'bob'))).json;
      const before = quiet.lines.length;
      for (let i = 0; i < 5; i++) expect((await info.request('/api/me', { headers: bearer(fresh) })).status).toBe(200);
      expect(quiet.lines.slice(before)).toEqual([]);

      expect((await info.request('/api/me?probe=1', { headers: { authorization: `Bearer ${fresh}x` } })).status).toBe(401);
      expect(quiet.lines.slice(before).map((line) => JSON.parse(line))).toEqual([
        expect.objectContaining({ level: 30, msg: 'request refused', req: expect.objectContaining({ method: 'GET', url: '/api/me' }), res: { statusCode: 401 } }),
      ]);
      expect(quiet.lines.join('\n')).not.toContain(fresh);
    } finally {
      await info.app.close();
    }
  });
});
