/**
 * A fake WeChat client for the companion mini program's tests, and the
 * require hook that lets Node load the mini program's TypeScript the way
 * DevTools does (types stripped, nothing else). No simulate, no jsdom:
 * importable from a Node-environment test too.
 *
 * The fake wx.request serializes like WeChat does (JSON body for POST with
 * the default content-type, query string for GET) and hands the server the
 * raw body, so a test sees what would cross the wire.
 */
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const require = createRequire(import.meta.url);
// A path string, not new URL(): under jsdom, URL is jsdom's and rejects file: URLs.
export const miniprogramRoot = `${resolve(dirname(fileURLToPath(import.meta.url)), '../../miniprogram/miniprogram')}/`;

type Extensions = Record<string, (module: { _compile(code: string, filename: string): void }, filename: string) => void>;

/** `.ts` after `.js` and before `.json`: `pages/login/login` must find login.ts, not login.json. */
function installTypeScriptHook(): void {
  const extensions = (Module as unknown as { _extensions: Extensions })._extensions;
  if (extensions['.ts']) return;
  const { '.js': js, ...rest } = extensions;
  for (const key of Object.keys(extensions)) delete extensions[key];
  extensions['.js'] = js!;
  extensions['.ts'] = (module, filename) => {
    const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2017, esModuleInterop: true },
    });
    module._compile(outputText, filename);
  };
  Object.assign(extensions, rest);
}

installTypeScriptHook();

/**
 * The mini program's own modules, loaded through the same require cache the
 * pages use. Typed by hand in the tests: importing their types would pull the
 * mini program's `wx` globals into the companion's Node type-check.
 */
export function mp<T>(path: string): T {
  return require(`${miniprogramRoot}${path}`) as T;
}

/** Runs a module's top level again (app.ts calls App() when loaded). */
export function mpFresh<T>(path: string): T {
  delete require.cache[require.resolve(`${miniprogramRoot}${path}`)];
  return mp<T>(path);
}

/** config.ts, as the tests switch the emulator on and off. */
export const mpConfig = () =>
  mp<{ config: { serverUrl: string; emulator: { baseUrl: string; userId: string } | null } }>('config').config;

export interface ServerRequest {
  method: string;
  url: string;
  header: Record<string, string>;
  /** Exactly the bytes WeChat would send. */
  rawBody: string;
  /** rawBody parsed as the server would (JSON), or {}. */
  body: Record<string, unknown>;
}

export type ServerReply = { status: number; data: unknown };
/** undefined: nobody listening (wx.request fails). A promise: a real server behind it. */
export type ServerHandler = (request: ServerRequest) => ServerReply | undefined | Promise<ServerReply | undefined>;

type Callbacks<T> = { success?: (res: T) => void; fail?: (err: { errMsg: string }) => void; complete?: () => void };

/** A WeChat client whose answers each test sets, recording every call. */
export function createFakeWx() {
  const storage = new Map<string, unknown>();
  const requests: ServerRequest[] = [];
  const calls: string[] = [];
  let nextCode = 1;
  const state = {
    loginFails: false,
    sessionValid: true,
    authSetting: {} as Record<string, boolean>,
    /** What the dialog answers for a scope WeChat has not asked about yet. */
    userAnswers: {} as Record<string, boolean>,
    server: (() => undefined) as ServerHandler,
  };

  const later = (fn: () => void) => setTimeout(fn, 0);
  const settle = <T>(options: Callbacks<T>, result: { ok: true; res: T } | { ok: false; errMsg: string }) =>
    later(() => {
      if (result.ok) options.success?.(result.res);
      else options.fail?.({ errMsg: result.errMsg });
      options.complete?.();
    });

  /** WeChat asks once per scope and remembers the answer; a remembered refusal fails without a dialog. */
  const askScope = (scope: string): boolean => {
    if (!(scope in state.authSetting)) state.authSetting[scope] = state.userAnswers[scope] ?? true;
    return state.authSetting[scope]!;
  };

  const wx = {
    getStorageSync: (key: string) => (storage.has(key) ? structuredClone(storage.get(key)) : ''),
    setStorageSync: (key: string, value: unknown) => void storage.set(key, structuredClone(value)),
    removeStorageSync: (key: string) => void storage.delete(key),
    login(options: Callbacks<{ code: string; errMsg: string }>) {
      calls.push('login');
      settle(options, state.loginFails ? { ok: false, errMsg: 'login:fail timeout' } : { ok: true, res: { code: `wx-code-${nextCode++}`, errMsg: 'login:ok' } });
    },
    checkSession(options: Callbacks<{ errMsg: string }>) {
      calls.push('checkSession');
      settle(options, state.sessionValid ? { ok: true, res: { errMsg: 'checkSession:ok' } } : { ok: false, errMsg: 'checkSession:fail session time out' });
    },
    getSetting(options: Callbacks<{ authSetting: Record<string, boolean>; errMsg: string }>) {
      calls.push('getSetting');
      settle(options, { ok: true, res: { authSetting: { ...state.authSetting }, errMsg: 'getSetting:ok' } });
    },
    authorize(options: Callbacks<{ errMsg: string }> & { scope: string }) {
      calls.push(`authorize ${options.scope}`);
      settle(options, askScope(options.scope) ? { ok: true, res: { errMsg: 'authorize:ok' } } : { ok: false, errMsg: 'authorize:fail auth deny' });
    },
    getLocation(options: Callbacks<{ latitude: number; longitude: number; errMsg: string }>) {
      calls.push('getLocation');
      settle(
        options,
        askScope('scope.userLocation')
          ? { ok: true, res: { latitude: 39.9042, longitude: 116.4074, errMsg: 'getLocation:ok' } }
          : { ok: false, errMsg: 'getLocation:fail auth deny' },
      );
    },
    request(options: Callbacks<{ statusCode: number; data: unknown; header: Record<string, string> }> & {
      url: string;
      method?: string;
      header?: Record<string, string>;
      data?: Record<string, unknown>;
    }) {
      const method = options.method ?? 'GET';
      const header = Object.fromEntries(Object.entries(options.header ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      const contentType = header['content-type'] ?? 'application/json';
      let url = options.url;
      let rawBody = '';
      if (method === 'GET' && options.data) url += `?${new URLSearchParams(options.data as Record<string, string>)}`;
      else if (options.data) rawBody = contentType.includes('json') ? JSON.stringify(options.data) : String(new URLSearchParams(options.data as Record<string, string>));
      const request: ServerRequest = { method, url, header, rawBody, body: rawBody && contentType.includes('json') ? JSON.parse(rawBody) : {} };
      requests.push(request);
      calls.push(`request ${method} ${new URL(url).pathname}`);
      void Promise.resolve(state.server(request)).then((reply) => {
        if (!reply) {
          settle(options, { ok: false, errMsg: 'request:fail connect ECONNREFUSED' });
          return;
        }
        // WeChat parses the body as JSON (dataType: 'json'); a round trip keeps the fake honest about what survives.
        settle(options, { ok: true, res: { statusCode: reply.status, data: JSON.parse(JSON.stringify(reply.data)), header: {} } });
      });
    },
  };

  return { wx, storage, requests, calls, state };
}

export type FakeWx = ReturnType<typeof createFakeWx>;

/** Installs a fresh fake over simulate's global wx (and a getApp for pages that read the app's host). */
export function installFakeWx(): FakeWx {
  const fake = createFakeWx();
  const global = globalThis as unknown as { wx?: object };
  global.wx = Object.assign(global.wx ?? {}, fake.wx);
  return fake;
}

export function setApp(globalData: Record<string, unknown>): void {
  (globalThis as unknown as { getApp: () => unknown }).getApp = () => ({ globalData });
}

export const pathOf = (request: ServerRequest) => new URL(request.url).pathname;
