// `npm run bench`: runs every test/bench/*.bench.ts and prints each figure beside its anchor.
// Benchmarks that need the real engine/registry get them from the same services the tests use.
import { spawnSync } from 'node:child_process';
import { readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';
import { ensureAptPackages } from './lib/apt.mjs';
import { startServices } from './lib/services.mjs';

// Memory figures are measured after a collection: without --expose-gc they would count garbage, so the script
// runs itself again with it.
if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
// Bench modules are TypeScript loaded as CommonJS through tsx, so __dirname and require.resolve stay plain paths.
register();
const require = createRequire(import.meta.url);
const only = process.argv.slice(2);
const files = readdirSync(join(root, 'test/bench'))
  .filter((f) => f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
const tmp = mkdtempSync(join(tmpdir(), 'hd-bench-'));
const stoppers = [];
const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));
let failures = 0;
try {
  ensureAptPackages();
  const services = await startServices(tmp);
  stoppers.push(() => services.stop());
  Object.assign(process.env, services.env);
  console.log(`${'benchmark'.padEnd(58)} ${'ours'.padStart(14)}   ${'anchor'.padEnd(34)} ${'ratio'.padStart(7)}  goal`);
  for (const f of files) {
    let results;
    try {
      const mod = require(join(root, 'test/bench', f));
      const runBench = mod.run ?? mod.default?.run;
      if (typeof runBench !== 'function') throw new Error(`${f} exports no run()`);
      results = await runBench();
    } catch (err) {
      failures++;
      console.log(`${f}: FAILED ${err.stack ?? err.message}`);
      continue;
    }
    for (const r of results) {
      const anchor = r.anchor ? `${r.anchor.name} ${fmt(r.anchor.value)} ${r.anchor.unit}` : '-';
      const ratio = r.ratio ?? (r.anchor && r.anchor.value ? r.value / r.anchor.value : undefined);
      console.log(
        `${r.name.padEnd(58)} ${`${fmt(r.value)} ${r.unit}`.padStart(14)}   ${anchor.padEnd(34)} ${(ratio === undefined ? '-' : fmt(ratio)).padStart(7)}  ${r.goal ?? ''}${r.note ? `  (${r.note})` : ''}`,
      );
    }
  }
} finally {
  for (const s of stoppers.reverse()) await s().catch(() => {});
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(failures ? 1 : 0);
