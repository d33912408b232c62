// @vitest-environment node
/**
 * "Clone, open companion/miniprogram in DevTools, it compiles": every page in
 * app.json has its files in git, every relative import resolves to a file in
 * git, nothing needs a build first, and the wrong-pattern files in wrong/ are
 * never imported by the mini program.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const project = 'companion/miniprogram';
/**
 * What a clone holds: git's index. Outside a git work tree (a CI copy without
 * .git) the files on disk stand in for it, which is what a clone would hold
 * unless a build wrote something.
 */
function trackedFiles(): Set<string> {
  try {
    const listed = execFileSync('git', ['ls-files', '-z', '--cached', project], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return new Set(listed.split('\0').filter(Boolean));
  } catch {
    const entries = readdirSync(`${repoRoot}${project}`, { recursive: true, withFileTypes: true });
    return new Set(entries.filter((e) => e.isFile()).map((e) => posix.join(posix.relative(repoRoot, e.parentPath), e.name)));
  }
}
const tracked = trackedFiles();
const projectConfig = JSON.parse(readFileSync(`${repoRoot}${project}/project.config.json`, 'utf8')) as { miniprogramRoot: string };
const root = posix.join(project, projectConfig.miniprogramRoot);
const read = (file: string) => readFileSync(`${repoRoot}${file}`, 'utf8');
const sources = [...tracked].filter((file) => file.startsWith(root) && file.endsWith('.ts'));

/** The file a relative module specifier names, as DevTools resolves it (.ts compiled in place, or .js). */
function resolveImport(from: string, specifier: string): string | undefined {
  const base = posix.join(posix.dirname(from), specifier);
  return [base, `${base}.ts`, `${base}.js`, `${base}/index.ts`, `${base}/index.js`].find((candidate) => tracked.has(candidate));
}

function relativeImports(file: string): string[] {
  return [...read(file).matchAll(/(?:from\s+|require\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1]!);
}

describe('the companion mini program opens in DevTools straight from a clone', () => {
  it('has its project files in git', () => {
    for (const file of ['project.config.json', 'tsconfig.json']) expect(tracked).toContain(`${project}/${file}`);
    for (const file of ['app.json', 'app.ts', 'app.wxss', 'sitemap.json']) expect(tracked).toContain(`${root}${file}`);
  });

  it('tracks the .wxml, .json and .ts of every page in app.json', () => {
    const { pages } = JSON.parse(read(`${root}app.json`)) as { pages: string[] };
    expect(pages.length).toBeGreaterThan(0);
    for (const page of pages) {
      for (const ext of ['.wxml', '.json', '.ts']) expect(tracked, `${page}${ext}`).toContain(`${root}${page}${ext}`);
    }
  });

  it('resolves every relative import to a tracked file, and none reaches outside the mini program or into wrong/', () => {
    expect(sources.length).toBeGreaterThan(0);
    for (const file of sources) {
      for (const specifier of relativeImports(file)) {
        const target = resolveImport(file, specifier);
        expect(target, `${file} imports ${specifier}`).toBeDefined();
        expect(target!.startsWith(root), `${file} imports ${specifier} from outside ${root}`).toBe(true);
        if (!file.startsWith(`${root}wrong/`)) expect(target!.startsWith(`${root}wrong/`), `${file} imports ${specifier}`).toBe(false);
      }
    }
  });

  it('imports no package: nothing to install or build (构建 npm) before DevTools compiles it', () => {
    for (const file of sources) {
      const bare = [...read(file).matchAll(/(?:from\s+|require\(\s*)['"]([^'".][^'"]*)['"]/g)].map((match) => match[1]);
      expect(bare, file).toEqual([]);
    }
  });

  it('resolves every @import of a stylesheet to a tracked file', () => {
    for (const file of [...tracked].filter((f) => f.startsWith(root) && f.endsWith('.wxss'))) {
      for (const [, specifier] of read(file).matchAll(/@import\s+["']([^"']+)["']/g)) {
        expect(tracked, `${file} @import ${specifier}`).toContain(posix.join(posix.dirname(file), specifier!));
      }
    }
  });
});
