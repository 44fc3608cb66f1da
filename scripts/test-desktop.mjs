// `npm run test:desktop`: the extension-host suite in desktop VS Code via @vscode/test-electron.
// Needs internet access (it downloads VS Code); the default `npm test` uses code-server instead.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { run } from './lib/run.mjs';
import { ensureAptPackages } from './lib/apt.mjs';
import { startServices } from './lib/services.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
run('node', ['scripts/build.mjs', '--tests'], { cwd: root });
const tmp = mkdtempSync(join(tmpdir(), 'hd-desktop-'));
const ws = join(tmp, 'ws');
cpSync(join(root, 'test/fixtures/workspace'), ws, { recursive: true });
const results = join(tmp, 'results.json');
let failed = 1;
const stoppers = [];
try {
  // The same real components as `npm test`: a private dockerd and a registry on 127.0.0.1.
  ensureAptPackages();
  const services = await startServices(tmp);
  stoppers.push(() => services.stop());
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out/exthost/index.js'),
    launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { HELIX_TEST_RESULTS: results, ...services.env },
  });
  const { outcomes } = JSON.parse(readFileSync(results, 'utf8'));
  const passed = outcomes.filter((o) => o.state === 'passed').length;
  failed = outcomes.filter((o) => o.state === 'failed').length;
  for (const o of outcomes.filter((o) => o.state === 'failed')) console.error(`FAILED ${o.title}\n${o.error}`);
  console.log(`${passed} passed, ${failed} failed`);
} finally {
  for (const stop of stoppers.reverse()) await stop().catch(() => {});
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
