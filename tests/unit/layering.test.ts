/**
 * What may import what in src/, as src/README.md states it, checked on every
 * import of every file (parsed by TypeScript's own pre-processor, so
 * comments and strings do not count).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve('src');
const COMPANION_RULES = resolve('companion/miniprogram/miniprogram/utils');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return /\.(ts|tsx)$/.test(entry.name) ? [path] : [];
  });
}

/** The layer of a file or import target under src/, or the package name for a bare import. */
function layerOf(path: string): string {
  // The companion mini program's dependency-free rule files are the one copy of a rule that both the
  // page running in WeChat and the simulated world apply.
  if (relative(COMPANION_RULES, path).startsWith('launch-app-rule')) return 'companion/rules';
  const rel = relative(SRC, path).split('/');
  if (rel[0] === 'chapters') return rel[1] === 'shared' || rel[1] === 'registry.ts' ? `chapters/${rel[1]}` : 'chapters/<chapter>';
  if (rel[0] === 'kit' || rel[0] === 'world') return `${rel[0]}/${rel[1]}`;
  return rel[0]!;
}

/**
 * The world runs in the reader's browser too, so its only validator is valibot, which tree-shakes to the schemas a
 * page uses (zod and jose once added about 17 KB gzipped to every simulator page).
 */
const RULES: Record<string, { layers: string[]; packages: RegExp }> = {
  'world/support': { layers: ['world/support'], packages: /^$/ },
  'world/wechat': { layers: ['world/support', 'world/wechat', 'companion/rules'], packages: /^valibot$/ },
  'world/developer': { layers: ['world/support', 'world/wechat', 'world/developer'], packages: /^valibot$/ },
  'world/simulated-world.ts': { layers: ['world/support', 'world/wechat', 'world/developer'], packages: /^$/ },
  'kit/engine': { layers: ['kit/engine', 'world/support'], packages: /^xstate$/ },
  'kit/shell': { layers: ['kit/shell', 'kit/engine'], packages: /^(react|react-dom|xstate)$/ },
  'chapters/shared': {
    layers: ['chapters/shared', 'kit/engine', 'kit/shell', 'world/support', 'world/wechat', 'world/developer', 'world/simulated-world.ts'],
    packages: /^(xstate|react)$/,
  },
  'chapters/<chapter>': {
    layers: ['kit/engine', 'kit/shell', 'chapters/shared', 'world/support', 'world/wechat', 'world/developer', 'world/simulated-world.ts'],
    packages: /^(xstate|react)$/,
  },
  'chapters/registry.ts': { layers: ['kit/engine'], packages: /^xstate$/ },
  lib: { layers: ['lib', 'kit/shell'], packages: /^(node:.*|shiki)$/ },
  'middleware.ts': { layers: ['lib'], packages: /^astro:middleware$/ },
};

const violations: string[] = [];
const checked: string[] = [];
for (const file of files(SRC)) {
  const layer = layerOf(file);
  const rule = RULES[layer];
  if (!rule) continue;
  checked.push(file);
  const chapter = relative(SRC, file).split('/').slice(0, 2).join('/');
  for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
    if (fileName.endsWith('.css')) continue;
    if (fileName.startsWith('.')) {
      const target = resolve(dirname(file), fileName);
      const targetLayer = layerOf(target);
      // A chapter may use its own folder; the registry loads chapters lazily, which is its job.
      const ownChapter = relative(SRC, target).startsWith(`${chapter}/`);
      const lazyLoad = layer === 'chapters/registry.ts' && targetLayer === 'chapters/<chapter>';
      if (!rule.layers.includes(targetLayer) && !ownChapter && !lazyLoad) violations.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
    } else if (!rule.packages.test(fileName.replace(/^(@[^/]+\/[^/]+|[^/]+).*$/, '$1')) && !rule.packages.test(fileName)) {
      violations.push(`${relative(SRC, file)} → package ${fileName}`);
    }
  }
}

describe('layering in src/', () => {
  it('checks the files of every governed layer', () => {
    expect(checked.length).toBeGreaterThan(40);
  });

  it('no file imports across the lines src/README.md draws', () => {
    expect(violations).toEqual([]);
  });
});
