/**
 * Runs the companion mini program's own files in Node, as DevTools would:
 * TypeScript with its types stripped, CommonJS modules, App() and Page().
 *
 * miniprogram-simulate renders pages in jsdom but knows only Component();
 * `Page` here turns a page definition into one (data stays data, every
 * handler and lifecycle becomes a method, which is where a Component page
 * keeps them), and tests call the lifecycles WeChat would call. Module state
 * (the single in-flight login, the pending privacy request) lives in the
 * mini program's modules, so `startMiniProgram` drops them all: each test is
 * a fresh launch.
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

export interface SimNode {
  dom: HTMLElement;
  dispatchEvent(name: string, options?: { detail?: unknown }): void;
  querySelector(selector: string): SimNode | null;
  querySelectorAll(selector: string): SimNode[];
}

export interface SimPage extends SimNode {
  data: Record<string, unknown>;
  instance: Record<string, (...args: unknown[]) => unknown>;
  attach(parent: Element): void;
}

interface Simulate {
  load(path: string, options?: { rootPath?: string }): string;
  render(id: string, properties?: Record<string, unknown>): SimPage;
}

type Definition = Record<string, unknown> & { data?: Record<string, unknown> };
type Global = {
  Component(definition: Definition): void;
  Page(definition: Definition): void;
  App(definition: Definition): void;
  getApp(): Definition;
  wx: object;
};
const global = globalThis as unknown as Global;

// Loading simulate defines the global Component and a thin wx, which each test's fake WeChat replaces.
const simulate = require('miniprogram-simulate') as Simulate;

global.Page = (definition) => {
  const { data = {}, ...rest } = definition;
  const methods: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (typeof value !== 'function') throw new Error(`Page option "${key}" is neither data nor a function; the harness would drop it`);
    methods[key] = value;
  }
  global.Component({ data, methods });
};

let app: Definition | undefined;
global.App = (definition) => {
  app = definition;
};
global.getApp = () => {
  if (!app) throw new Error('getApp() before App()');
  return app;
};

export interface MiniProgramConfig {
  serverUrl: string;
  emulator: { baseUrl: string; userId: string } | null;
}

/**
 * A fresh launch: forget every module of the mini program, install this
 * test's WeChat, and point config.ts where the test's server listens (the
 * file's own values are for DevTools).
 */
export function startMiniProgram(wx: object, settings: MiniProgramConfig): void {
  unloadPages();
  for (const key of Object.keys(require.cache)) if (key.startsWith(miniprogramRoot)) delete require.cache[key];
  app = undefined;
  global.wx = wx;
  Object.assign(mp<{ config: MiniProgramConfig }>('config').config, settings);
}

/** A module of the mini program, from the same require cache its pages use. */
export function mp<T>(path: string): T {
  return require(`${miniprogramRoot}${path}`) as T;
}

/** Loads app.ts (App() runs) and calls onLaunch, as WeChat does on a cold start. */
export function launchApp(): Definition {
  mp('app');
  const launched = global.getApp();
  (launched.onLaunch as (() => void) | undefined)?.call(launched);
  return launched;
}

const openPages: SimPage[] = [];

/** Opens a page from app.json: onLoad with the query, then onShow. */
export function openPage(route: string, query: Record<string, string> = {}): SimPage {
  const id = simulate.load(`${miniprogramRoot}${route}`, { rootPath: miniprogramRoot });
  const page = simulate.render(id);
  page.attach(document.createElement('parent-wrapper'));
  void page.instance.onLoad?.(query);
  void page.instance.onShow?.();
  openPages.push(page);
  return page;
}

export function unloadPages(): void {
  for (const page of openPages.splice(0)) void page.instance.onUnload?.();
}

/** Whether the selector matches (simulate answers undefined, not null, when nothing does). */
export function has(page: SimPage, selector: string): boolean {
  return Boolean(page.querySelector(selector));
}

export function node(page: SimPage, selector: string): SimNode {
  const found = page.querySelector(selector);
  if (!found) throw new Error(`no ${selector} on the page`);
  return found;
}

export function text(page: SimPage, selector: string): string {
  return page.querySelector(selector)?.dom.textContent?.trim() ?? '';
}

export function tap(page: SimPage, selector: string): void {
  node(page, selector).dispatchEvent('tap');
}
