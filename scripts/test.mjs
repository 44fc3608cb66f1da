// `npm test`: sets up everything the suite needs (Debian packages, npm deps, code-server, a private
// dockerd, a registry), runs unit -> integration -> extension-host -> UI tests, stops what it started,
// and ends with one line "N passed, N failed". Layers can be picked: `node scripts/test.mjs unit ui`.
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureAptPackages } from './lib/apt.mjs';
import { ensureCodeServer } from './lib/codeServer.mjs';
import { startCodeServer, installVsix, chromiumArgs } from './lib/codeServerRun.mjs';
import { startServices } from './lib/services.mjs';
import { run } from './lib/run.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const ALL = ['typecheck', 'unit', 'integration', 'exthost', 'ui'];
const dashdash = process.argv.indexOf('--');
// Arguments after `--` go to mocha (e.g. `node scripts/test.mjs ui -- --grep "local Docker"`).
const mochaArgs = dashdash >= 0 ? process.argv.slice(dashdash + 1) : [];
const picked = process.argv.slice(2, dashdash >= 0 ? dashdash : undefined).filter((a) => ALL.includes(a));
const layers = picked.length ? picked : ALL;
const output = process.env.HELIX_TEST_OUTPUT ?? join(root, '.test-output');
const tmp = mkdtempSync(join(tmpdir(), 'hd-test-'));
const stoppers = [];
const totals = { passed: 0, failed: 0 };
const log = (m) => console.log(`\x1b[36m[test]\x1b[0m ${m}`);

async function cleanup() {
  for (const stop of stoppers.splice(0).reverse()) {
    try {
      await stop();
    } catch (e) {
      console.error(`cleanup: ${e.message}`);
    }
  }
  rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, async () => {
    log(`${sig}: stopping everything this run started`);
    await cleanup();
    process.exit(130);
  });
}

function npmDepsFresh() {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  return existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
}

/**
 * `tsc --noEmit` over src, test and scripts (tsconfig.json), ESLint over the repository (eslint.config.mjs), Prettier's
 * check (.prettierrc.json), and
 * package.json against the contrib/*.json fragments it is made from: each fails the suite like a test.
 */
function typecheck() {
  log('typecheck (tsc --noEmit), lint (eslint), format (prettier --check) and manifest check');
  const checks = [
    ['tsc', [join(root, 'node_modules/typescript/bin/tsc'), '-p', root, '--noEmit']],
    ['eslint', [join(root, 'node_modules/eslint/bin/eslint.js'), root]],
    ['prettier', [join(root, 'node_modules/prettier/bin/prettier.cjs'), '--check', '--log-level', 'warn', root]],
    ['manifest', [join(root, 'scripts/merge-contrib.mjs'), '--check']],
  ];
  const counts = { passed: 0, failed: 0 };
  for (const [name, args] of checks) {
    try {
      run(process.execPath, args, { cwd: root });
      counts.passed++;
    } catch (err) {
      console.error(`  ${name} failed: ${err.message}`);
      counts.failed++;
    }
  }
  return counts;
}

/** Runs mocha in a child process; the reporter writes the counts. */
function mocha(name, globs, env = {}, extra = []) {
  const stats = join(tmp, `${name}-stats.json`);
  // Every temporary folder a test makes (os.tmpdir()) lands under this run's folder, removed at the end.
  // Sticky and world-writable like /tmp: some tests run tools as another user (nobody).
  const testTmp = join(tmp, `${name}-tmp`);
  mkdirSync(testTmp, { recursive: true });
  chmodSync(tmp, 0o755);
  chmodSync(testTmp, 0o1777);
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        join(root, 'node_modules/mocha/bin/mocha.js'),
        '--reporter',
        join(root, 'test/support/reporter.cjs'),
        ...extra,
        ...mochaArgs,
        ...globs,
      ],
      { cwd: root, stdio: 'inherit', env: { ...process.env, TMPDIR: testTmp, ...env, HELIX_TEST_STATS: stats } },
    );
    child.on('exit', (code) => {
      let s = { passed: 0, failed: 0 };
      try {
        s = JSON.parse(readFileSync(stats, 'utf8'));
      } catch {
        s.failed = 1;
        console.error(`${name}: mocha exited with ${code} before reporting (a load error?)`);
      }
      if (code !== 0 && s.failed === 0) s.failed = 1;
      resolve(s);
    });
  });
}

function add(name, s) {
  totals.passed += s.passed;
  totals.failed += s.failed;
  log(`${name}: ${s.passed} passed, ${s.failed} failed`);
}

async function services() {
  if (services.env) return services.env;
  const s = await startServices(tmp);
  stoppers.push(() => s.stop());
  log(`dockerd on ${s.docker.host}, registry on ${s.registry.address}`);
  services.env = { ...s.env, HELIX_TEST_OUTPUT: output };
  return services.env;
}

function freshWorkspace(name) {
  const ws = join(tmp, name);
  cpSync(join(root, 'test/fixtures/workspace'), ws, { recursive: true });
  return ws;
}

async function exthost() {
  const env = await services();
  const results = join(tmp, 'exthost-results.json');
  const ws = freshWorkspace('exthost-ws');
  // `-- --grep X` reaches the mocha inside the extension host too (test/e2e/exthost/index.ts reads it).
  const g = mochaArgs.findIndex((a) => a === '--grep' || a === '-g' || a.startsWith('--grep='));
  const grep = g < 0 ? undefined : mochaArgs[g].startsWith('--grep=') ? mochaArgs[g].slice(7) : mochaArgs[g + 1];
  const cs = await startCodeServer(join(tmp, 'cs-exthost'), {
    env: { ...process.env, ...env, HELIX_TEST_RESULTS: results, ...(grep ? { HELIX_TEST_GREP: grep } : {}) },
  });
  stoppers.push(() => cs.stop());
  const remote = `vscode-remote://127.0.0.1:${cs.port}`;
  const payload = [
    ['extensionDevelopmentPath', `${remote}${root}`],
    ['extensionTestsPath', `${remote}${root}/out/exthost/index.js`],
  ];
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  stoppers.push(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`${cs.url}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  const deadline = Date.now() + 10 * 60_000;
  while (!existsSync(results) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  await page.screenshot({ path: join(output, 'screenshots', 'exthost-final.png') }).catch(() => {});
  if (!existsSync(results)) {
    console.error(
      `extension-host tests did not finish in 10 minutes; code-server log: ${join(tmp, 'cs-exthost', 'code-server.log')}`,
    );
    return { passed: 0, failed: 1 };
  }
  const { outcomes } = JSON.parse(readFileSync(results, 'utf8'));
  for (const o of outcomes) {
    const mark = o.state === 'passed' ? '\x1b[32m✔\x1b[0m' : o.state === 'failed' ? '\x1b[31m✘\x1b[0m' : '-';
    console.log(`  ${mark} ${o.title}${o.error ? `\n      ${o.error.split('\n').slice(0, 8).join('\n      ')}` : ''}`);
  }
  return {
    passed: outcomes.filter((o) => o.state === 'passed').length,
    failed: outcomes.filter((o) => o.state === 'failed').length,
  };
}

async function ui() {
  const env = await services();
  const vsix = join(output, 'helix-deploy.vsix');
  log('packaging the .vsix the UI tests install');
  run('node', [join(root, 'scripts/build.mjs'), '--production'], { cwd: root });
  run(join(root, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--out', vsix], {
    cwd: root,
    quiet: true,
  });
  const dir = join(tmp, 'cs-ui');
  const bin = ensureCodeServer(log);
  await installVsix(bin, join(dir, 'extensions'), join(dir, 'user-data'), vsix);
  // VS Code in a browser saves after a delay by default; the tests save (or do not) themselves, as on the desktop.
  const settings = { 'files.autoSave': 'off' };
  const cs = await startCodeServer(dir, { env: { ...process.env, ...env }, settings });
  stoppers.push(() => cs.stop());
  // A second VS Code with workspace trust on: every folder it opens is in Restricted Mode.
  const restrictedDir = join(tmp, 'cs-ui-restricted');
  await installVsix(bin, join(restrictedDir, 'extensions'), join(restrictedDir, 'user-data'), vsix);
  const restricted = await startCodeServer(restrictedDir, {
    env: { ...process.env, ...env },
    settings,
    workspaceTrust: true,
  });
  stoppers.push(() => restricted.stop());
  return mocha(
    'ui',
    ['test/e2e/ui/**/*.test.ts'],
    {
      ...env,
      HELIX_TEST_CODE_SERVER: cs.url,
      HELIX_TEST_CODE_SERVER_RESTRICTED: restricted.url,
      HELIX_TEST_TMP: join(tmp, 'ui'),
    },
    ['--timeout', '180000', '--require', 'tsx/cjs', '--require', join(root, 'test/support/ui-hooks.ts')],
  );
}

let exitCode = 1;
try {
  rmSync(output, { recursive: true, force: true });
  mkdirSync(join(output, 'screenshots'), { recursive: true });
  if (layers.some((l) => l !== 'unit' && l !== 'typecheck')) ensureAptPackages(log);
  if (!npmDepsFresh()) {
    log('installing npm dependencies');
    run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root });
  }
  log('building');
  run('node', [join(root, 'scripts/build.mjs'), '--tests'], { cwd: root });
  if (layers.includes('typecheck')) add('typecheck', typecheck());
  if (layers.includes('unit')) add('unit', await mocha('unit', ['test/unit/**/*.test.ts']));
  if (layers.includes('integration'))
    add(
      'integration',
      await mocha('integration', ['test/integration/**/*.test.ts'], await services(), ['--timeout', '180000']),
    );
  if (layers.includes('exthost')) add('extension host', await exthost());
  if (layers.includes('ui')) add('ui', await ui());
  exitCode = totals.failed > 0 ? 1 : 0;
} catch (err) {
  console.error(`\n[test] setup failed: ${err.stack ?? err.message}`);
  totals.failed += 1;
} finally {
  await cleanup();
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed`);
process.exit(exitCode);
