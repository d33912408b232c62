/**
 * Test harness: the emulator and the server on 127.0.0.1 port 0, talking
 * real HTTP, with a captured log stream so tests can read every log line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildEmulator, type Emulator } from '../emulator/src/app.ts';
import { buildApp, type AppDeps } from '../server/src/app.ts';
import { loadConfig, type Config } from '../server/src/config.ts';

export const APPID = 'wxtestcompanion000';
export const SECRET = 'test-app-secret-0123456789abcdef';
export const TOKEN_SECRET = 'test-token-secret-that-is-at-least-32-bytes-long';

export interface RunningEmulator extends Emulator {
  url: string;
}

export async function startEmulator(): Promise<RunningEmulator> {
  const emulator = buildEmulator({ appid: APPID, secret: SECRET });
  const url = await emulator.app.listen({ host: '127.0.0.1', port: 0 });
  return { ...emulator, url };
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'companion-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A temporary directory for one test file, removed after all its tests. */
export function useTempDir(): { path: string } {
  const dir = tempDir();
  afterAll(() => dir.remove());
  return dir;
}

/**
 * The emulator for one test file, with these users registered. Call it before the file's own hooks:
 * vitest runs before-hooks in order and after-hooks in reverse, so the emulator is up before the file
 * starts its servers and closes after they are closed.
 */
export function useEmulator(users: Record<string, Record<string, unknown>> = {}): RunningEmulator {
  let running: RunningEmulator | undefined;
  beforeAll(async () => {
    running = await startEmulator();
    for (const [id, extra] of Object.entries(users)) await registerUser(running.url, id, extra);
  });
  afterAll(async () => {
    await running?.app.close();
  });
  return new Proxy({} as RunningEmulator, {
    get(_, key) {
      if (!running) throw new Error('the emulator starts in beforeAll; use it inside hooks and tests');
      return Reflect.get(running, key);
    },
  });
}

/** Phone-number rate limits high enough to stay out of the way of tests about something else. */
export const NO_PHONE_LIMITS = { PHONE_RATE_LIMIT_PER_USER_PER_MINUTE: '1000', PHONE_RATE_LIMIT_PER_CLIENT_PER_MINUTE: '1000' } as const;

export function testConfig(env: Record<string, string>): Config {
  return loadConfig({ WECHAT_APPID: APPID, WECHAT_SECRET: SECRET, TOKEN_SECRET, PORT: '0', ...env });
}

/**
 * What almost every server under test runs on: WeChat is the emulator at `wechatUrl`, the database the
 * file `database`, and the log silent unless `env` sets LOG_LEVEL; the rest of `env` is added as it is.
 */
export function serverConfig(wechatUrl: string, database: string, env: Record<string, string> = {}): Config {
  return testConfig({ WECHAT_API_BASE: wechatUrl, DATABASE: database, LOG_LEVEL: 'silent', ...env });
}

export interface CapturedLog {
  stream: { write(line: string): void };
  lines: string[];
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(line) } };
}

export interface Reply {
  status: number;
  headers: Headers;
  json: any;
  text: string;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** Every response body read through `request`, for the "never in a response" checks. */
  bodies: string[];
  request(path: string, init?: RequestInit): Promise<Reply>;
  login(code: string): Promise<Reply>;
}

export async function startServer(config: Config, deps: AppDeps = {}): Promise<RunningServer> {
  const app = await buildApp(config, deps);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const bodies: string[] = [];
  const request: RunningServer['request'] = async (path, init) => {
    const response = await fetch(`${url}${path}`, init);
    const text = await response.text();
    bodies.push(text);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  };
  const login = (code: string) =>
    request('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  return { app, url, bodies, request, login };
}

async function devPost(emulatorUrl: string, path: string, body: unknown): Promise<any> {
  const response = await fetch(`${emulatorUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} → ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

/**
 * Two companion servers the way two processes would run: each its own app, database and Redis connection,
 * one Redis between them.
 */
export async function twoInstancesOnOneRedis(emulatorUrl: string, redisUrl: string, dir: string, env: Record<string, string> = {}): Promise<RunningServer[]> {
  return Promise.all(
    ['a', 'b'].map((name) =>
      startServer(serverConfig(emulatorUrl, `${dir}/${name}.db`, { REDIS_URL: redisUrl, ...NO_PHONE_LIMITS, ...env })),
    ),
  );
}

/** POST /api/phone/code as the mini program sends it. */
export function postPhoneCode(server: RunningServer, token: string, code: string): Promise<Reply> {
  return server.request('/api/phone/code', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body: JSON.stringify({ code }),
  });
}

export async function registerUser(emulatorUrl: string, id: string, extra: Record<string, unknown> = {}): Promise<{ openid: string }> {
  return devPost(emulatorUrl, '/__dev/users', { id, ...extra });
}

export async function mintCode(emulatorUrl: string, userId: string): Promise<string> {
  return (await devPost(emulatorUrl, '/__dev/login-code', { userId })).code;
}

/** What the new getPhoneNumber button hands the mini program: a one-time code for /api/phone/code. */
export async function mintPhoneCode(emulatorUrl: string, userId: string): Promise<string> {
  return (await devPost(emulatorUrl, '/__dev/phone-code', { userId })).code;
}

/** What the old getPhoneNumber button's e.detail carries: encrypted with the session_key WeChat holds right now. */
export async function tapOldPhoneButton(emulatorUrl: string, userId: string): Promise<{ encryptedData: string; iv: string }> {
  return devPost(emulatorUrl, '/__dev/phone-encrypted-data', { userId });
}

/** Decide whether the user's next wx.login refreshes session_key. */
export async function setNextRotation(emulatorUrl: string, userId: string, next: 'rotate' | 'keep' | 'auto'): Promise<void> {
  await devPost(emulatorUrl, '/__dev/rotation', { userId, next });
}

export async function injectFault(emulatorUrl: string, errcode: -1 | 45011): Promise<void> {
  await devPost(emulatorUrl, '/__dev/faults', { api: 'jscode2session', errcode });
}

export type TransportFault = { json: unknown } | { text: string } | { redirect: string } | { hang: true };

/** Make the emulator's next `times` replies on `api` misbehave on the wire (see /__dev/transport-faults). */
export async function injectTransportFault(
  emulatorUrl: string,
  api: 'jscode2session' | 'stable_token' | 'getuserphonenumber',
  fault: TransportFault,
  times = 1,
): Promise<void> {
  await devPost(emulatorUrl, '/__dev/transport-faults', { api, fault, times });
}

export async function advanceEmulatorClock(emulatorUrl: string, advanceMs: number): Promise<void> {
  await devPost(emulatorUrl, '/__dev/clock', { advanceMs });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A clock tests move by hand, on top of real time so that the emulator and jose agree on "now". */
export function manualClock() {
  let offsetMs = 0;
  return { now: () => Date.now() + offsetMs, advance: (ms: number) => void (offsetMs += ms) };
}
