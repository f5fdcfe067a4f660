// The npm registry these machines reach serves only Linux builds of packages with per-platform binaries
// (@swc/core-*, @rollup/rollup-*, @esbuild/*): npm install cannot read the others' manifests and leaves them out
// of package-lock.json, after which `npm ci` refuses the lock as out of sync. Recording each missing optional
// dependency as an optional entry puts the lock back in sync; npm ci then skips those it cannot fetch, as it does
// for any optional dependency. Run after every `npm install` that changes the lock.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const lockPath = join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const present = new Set(Object.keys(lock.packages).map((path) => path.replace(/^.*node_modules\//, '')));
let added = 0;
for (const entry of Object.values(lock.packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    if (present.has(name)) continue;
    lock.packages[`node_modules/${name}`] = { version: range.replace(/^[\^~=]/, ''), optional: true };
    present.add(name);
    added += 1;
  }
}
if (added > 0) writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added} optional platform entries added`);
