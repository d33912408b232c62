/**
 * Runs the companion mini program's pages in Node: miniprogram-simulate
 * renders them (they are written with Component()) in jsdom, on top of the
 * fake wx and the TypeScript require hook from fake-wx.ts.
 */
import { createRequire } from 'node:module';
import { miniprogramRoot } from './fake-wx.ts';

export * from './fake-wx.ts';

const require = createRequire(import.meta.url);

export interface SimNode {
  dom: HTMLElement;
  dispatchEvent(name: string, options?: { detail?: unknown }): void;
  querySelector(selector: string): SimNode | null;
  querySelectorAll(selector: string): SimNode[];
}

export interface SimPage extends SimNode {
  data: Record<string, unknown>;
  instance: Record<string, (...args: unknown[]) => void>;
  attach(parent: Element): void;
}

interface Simulate {
  load(path: string, options?: { rootPath?: string }): string;
  render(id: string, properties?: Record<string, unknown>): SimPage;
}

// simulate merges its own thin wx mock into an existing global `wx`; ours is installed per test on top.
const simulate = require('miniprogram-simulate') as Simulate;

const openPages: SimPage[] = [];

export function renderPage(name: string, query: Record<string, string> = {}): SimPage {
  const id = simulate.load(`${miniprogramRoot}pages/${name}/${name}`, { rootPath: miniprogramRoot });
  const page = simulate.render(id);
  page.attach(document.createElement('parent-wrapper'));
  page.instance.onLoad?.(query);
  openPages.push(page);
  return page;
}

/** Unload every page a test opened, so no flow of one test answers the next test's fake wx. */
export function unloadPages(): void {
  for (const page of openPages.splice(0)) page.instance.onUnload?.();
}

export function text(page: SimPage, selector: string): string {
  return page.querySelector(selector)?.dom.textContent?.trim() ?? '';
}

