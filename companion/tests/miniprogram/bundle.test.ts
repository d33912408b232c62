// @vitest-environment node
// esbuild checks TextEncoder against its own realm, which jsdom replaces.
/**
 * The flows bundle (built by the global setup): reproducible, ES2017 syntax only, and runnable in a
 * context with none of the globals a browser or Node adds (no window, self,
 * global, globalThis, process), which is what a mini program's logic layer
 * can be counted on to lack.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { parse } from 'acorn';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleFlows, bundlePath } from '../../miniprogram-build.ts';

const built = await readFile(bundlePath, 'utf8');
const tmp = await mkdtemp(join(tmpdir(), 'flows-bundle-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('lib/flows.js', () => {
  it('builds the same bytes every time, so what a reader builds is what was tested', async () => {
    const outfile = join(tmp, 'flows.js');
    await bundleFlows(outfile);
    expect(await readFile(outfile, 'utf8')).toBe(built);
    expect(await readFile(join(tmp, 'flows.d.ts'), 'utf8')).toBe(await readFile(bundlePath.replace(/\.js$/, '.d.ts'), 'utf8'));
  });

  it('parses as ES2017', () => {
    expect(() => parse(built, { ecmaVersion: 2017, sourceType: 'script' })).not.toThrow();
  });

  it('runs a flow with only ECMAScript built-ins and timers in scope', async () => {
    const context = vm.createContext({ setTimeout, clearTimeout, console });
    // Leave the context's own built-ins and drop the one newer engines add, as some WeChat engines lack it.
    vm.runInContext('delete globalThis.globalThis', context);
    expect(vm.runInContext('typeof globalThis + typeof window + typeof self + typeof global + typeof process', context)).toBe(
      'undefinedundefinedundefinedundefinedundefined',
    );
    const module = { exports: {} as Record<string, unknown> };
    vm.runInContext(`(function (module, exports) {${built}\n})`, context)(module, module.exports);
    const { createActor, loginMachine } = module.exports as {
      createActor: (logic: unknown) => { start(): void; send(e: unknown): void; getSnapshot(): { value: unknown; context: { token: string | null } } };
      loginMachine: { provide(impl: unknown): unknown };
    };

    const effects: string[] = [];
    const machine = loginMachine.provide({
      actions: {
        callWxLogin: () => effects.push('callWxLogin'),
        sendCodeToServer: () => effects.push('sendCodeToServer'),
      },
    });
    const actor = createActor(machine);
    actor.start();
    actor.send({ type: 'user.tappedLogin' });
    actor.send({ type: 'wx.loginSucceeded', code: 'c1' });
    actor.send({ type: 'server.tokenIssued', token: 't1', openid: 'o1' });

    expect(effects).toEqual(['callWxLogin', 'sendCodeToServer']);
    expect(actor.getSnapshot().value).toBe('loggedIn');
    expect(actor.getSnapshot().context.token).toBe('t1');
  });
});
