/**
 * npm run lockfile — after any `npm install <pkg>`.
 *
 * The npm registry reachable from this project's machines does not serve the
 * platform-specific optional packages of other systems (e.g.
 * @rollup/rollup-darwin-arm64), so npm leaves them out of package-lock.json,
 * and `npm ci` then refuses the lockfile as out of sync. This adds a bare
 * `{ version, optional: true }` entry for each missing optional dependency:
 * `npm ci` accepts the file and skips what it cannot install, here and on
 * machines with the full registry alike.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const path = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(path, 'utf8'));
const { packages } = lock;

/** Where node's resolution would look for `name` from the package at `key`, nearest first. */
function lookupPaths(key, name) {
  const paths = [];
  let base = key;
  for (;;) {
    paths.push(`${base ? `${base}/` : ''}node_modules/${name}`);
    if (!base) return paths;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent === -1 ? '' : base.slice(0, parent);
  }
}

let added = 0;
for (const [key, entry] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    if (lookupPaths(key, name).some((candidate) => packages[candidate])) continue;
    packages[`node_modules/${name}`] = { version: range.replace(/^[\^~=]/, ''), optional: true };
    added += 1;
  }
}

writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added} missing optional entries`);
