// Merges the contribution fragments in contrib/*.json into package.json (arrays are concatenated,
// entries with the same "command"/"id"/"view"+"contents" key are replaced). Run after editing a fragment.
// `--check` writes nothing and fails when package.json is not what the fragments make (npm test runs it).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkgFile = join(root, 'package.json');
const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
const fragments = readdirSync(join(root, 'contrib'))
  .filter((f) => f.endsWith('.json'))
  .sort((a, b) => (a === 'base.json' ? -1 : b === 'base.json' ? 1 : a.localeCompare(b)));

const identity = (v) =>
  v && typeof v === 'object'
    ? v.command && !v.when
      ? `c:${v.command}`
      : v.id
        ? `i:${v.id}`
        : v.language
          ? `l:${v.language}`
          : v.fileMatch
            ? `f:${JSON.stringify(v.fileMatch)}`
            : undefined
    : `v:${v}`;

function merge(a, b) {
  if (Array.isArray(a) && Array.isArray(b)) {
    const out = [...a];
    for (const item of b) {
      const key = identity(item);
      const at = key === undefined ? -1 : out.findIndex((x) => identity(x) === key);
      if (at >= 0) out[at] = item;
      else out.push(item);
    }
    return out;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a)) {
    const out = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k], v) : v;
    return out;
  }
  return b;
}

let result = { activationEvents: [], contributes: {}, capabilities: {} };
for (const f of fragments) result = merge(result, JSON.parse(readFileSync(join(root, 'contrib', f), 'utf8')));
pkg.activationEvents = result.activationEvents;
pkg.contributes = result.contributes;
pkg.capabilities = result.capabilities;
const text = JSON.stringify(pkg, null, 2) + '\n';
if (process.argv.includes('--check')) {
  if (text !== readFileSync(pkgFile, 'utf8')) {
    console.error(
      'package.json differs from contrib/*.json: edit the fragment, then run `node scripts/merge-contrib.mjs`',
    );
    process.exit(1);
  }
  console.log(`package.json matches ${fragments.join(', ')}`);
} else {
  writeFileSync(pkgFile, text);
  console.log(`merged ${fragments.join(', ')} into package.json`);
}
