/**
 * Defects 2, 6 and 7 of issue 18, on raw sockets where fetch would tidy the
 * request up: slow bodies and idle connections are cut off, the connection
 * count is capped, every 4xx fastify or Node's parser produces is in the
 * envelope, and a correctly signed token with a non-string subject is a 401.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { TOKEN_SECRET, serverConfig, startServer, useEmulator, useTempDir, type RunningServer } from './helpers.ts';

const emulator = useEmulator();
let server: RunningServer;
let port: number;
const dir = useTempDir();

beforeAll(async () => {
  server = await startServer(
    serverConfig(emulator.url, `${dir.path}/companion.db`, {
      REQUEST_TIMEOUT_MS: '1000',
      KEEP_ALIVE_TIMEOUT_MS: '1000',
      MAX_CONNECTIONS: '3',
    }),
  );
  port = Number(new URL(server.url).port);
});

afterAll(async () => {
  await server?.app.close();
});

interface RawExchange {
  /** Everything the server sent before it closed the socket (or before `waitMs` ran out). */
  text: string;
  closed: boolean;
  elapsedMs: number;
}

/** Write `chunks` (a string, or strings with pauses between them), then read until the server closes or `waitMs` passes. */
function raw(chunks: Array<string | number>, waitMs = 4000): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let text = '';
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('close', () => finish(true));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    socket.once('connect', async () => {
      for (const chunk of chunks) {
        if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk));
        else if (!socket.destroyed) socket.write(chunk);
      }
    });
  });
}

/** Status and parsed JSON body of the first response in a raw exchange. */
function firstResponse(text: string): { status: number; body: unknown } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  const [, rest = ''] = text.split('\r\n\r\n');
  const chunked = /transfer-encoding: chunked/i.test(text.split('\r\n\r\n')[0] ?? '');
  const payload = chunked ? rest.split('\r\n')[1] ?? '' : rest;
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    body = payload;
  }
  return { status, body };
}

const envelope = (code: string) => ({ error: { code, message: expect.any(String) } });

describe('timeouts and the connection cap', () => {
  it('answers a body that trickles in past REQUEST_TIMEOUT_MS with 408 and closes the socket', async () => {
    const head = 'POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n';
    // One byte every 300 ms: never idle for long, never done.
    const drip = Array.from({ length: 12 }, () => [300, ' ']).flat();
    const exchange = await raw([head, '{"code":', ...drip], 6000);
    expect(exchange.closed).toBe(true);
    expect(exchange.elapsedMs).toBeLessThan(4000);
    expect(firstResponse(exchange.text)).toEqual({ status: 408, body: envelope('REQUEST_TIMEOUT') });
  });

  it('closes an idle keep-alive connection after KEEP_ALIVE_TIMEOUT_MS', async () => {
    const exchange = await raw(['GET /api/me HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n'], 5000);
    expect(firstResponse(exchange.text).status).toBe(401);
    expect(exchange.closed).toBe(true);
    expect(exchange.elapsedMs).toBeLessThan(3500);
  });

  it('drops connections beyond MAX_CONNECTIONS and serves again once one closes', async () => {
    const held = await Promise.all(
      Array.from({ length: 3 }, () => new Promise<Socket>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => resolve(socket));
        socket.on('error', () => undefined);
      })),
    );
    try {
      const refused = await raw(['GET /api/me HTTP/1.1\r\nHost: x\r\n\r\n'], 2000);
      expect(refused).toMatchObject({ closed: true, text: '' });
    } finally {
      for (const socket of held) socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await server.request('/api/me')).status).toBe(401);
  });
});

describe('one error envelope for everything', () => {
  const cases: Array<[name: string, status: number, code: string, request: string]> = [
    ['an undecodable URL', 400, 'BAD_URL', 'GET /api/me%zz HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a malformed request line', 400, 'MALFORMED_REQUEST', 'GARBAGE\r\n\r\n'],
    ['a bad Content-Length', 400, 'MALFORMED_REQUEST', 'POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n'],
    ['an unknown path', 404, 'NOT_FOUND', 'GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['the wrong method on a known path', 405, 'METHOD_NOT_ALLOWED', 'DELETE /api/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    [
      'a body over 1 MiB',
      413,
      'PAYLOAD_TOO_LARGE',
      `POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\nConnection: close\r\n\r\n{}`,
    ],
    ['headers over 16 KiB', 431, 'HEADERS_TOO_LARGE', `GET /api/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
  ];

  it.each(cases)('%s → %i %s', async (_name, status, code, request) => {
    const exchange = await raw([request], 3000);
    expect(firstResponse(exchange.text)).toEqual({ status, body: envelope(code) });
  });

  it('names the allowed methods on 405', async () => {
    const exchange = await raw(['PUT /api/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], 3000);
    expect(exchange.text).toMatch(/\r\nallow: GET\r\n/i);
  });
});

describe('login token claims', () => {
  const signed = (payload: Record<string, unknown>) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('miniprogram-lab-companion')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(TOKEN_SECRET));

  it.each([
    ['a number', 12345],
    ['an object', { openid: 'oAnyone' }],
    ['an array', ['oAnyone']],
    ['an empty string', ''],
  ])('answers a correctly signed token whose sub is %s with 401 TOKEN_INVALID', async (_name, sub) => {
    const response = await server.request('/api/me', { headers: { authorization: `Bearer ${await signed({ sub })}` } });
    expect(response).toMatchObject({ status: 401, json: envelope('TOKEN_INVALID') });
  });
});
