// Entry point VS Code calls inside the real extension host (extensionTestsPath).
// Runs every test/e2e/exthost/*.test.ts (bundled into ./tests.js) with mocha and writes the
// results to $HELIX_TEST_RESULTS, which scripts/test.mjs waits for.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import Mocha from 'mocha';

interface Outcome {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  error?: string;
  ms?: number;
}

export async function run(): Promise<void> {
  const resultsFile = process.env.HELIX_TEST_RESULTS;
  // A skipped or exclusive test fails the run, as in the other layers (.mocharc.json): nothing skips.
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    color: false,
    reporter: 'spec',
    forbidOnly: true,
    forbidPending: true,
  });
  // scripts/test.mjs passes `-- --grep X` on as HELIX_TEST_GREP.
  if (process.env.HELIX_TEST_GREP) mocha.grep(process.env.HELIX_TEST_GREP);
  mocha.suite.emit('pre-require', globalThis, 'exthost', mocha);
  const outcomes: Outcome[] = [];
  let loadError: string | undefined;
  try {
    // The test bundle is built next to this file (scripts/build.mjs) and loaded at run time, not bundled in.
    createRequire(__filename)('./tests.js');
  } catch (err) {
    loadError = err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
  if (!loadError) {
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (t: any) => outcomes.push({ title: t.fullTitle(), state: 'passed', ms: t.duration }));
      runner.on('fail', (t: any, err: any) =>
        outcomes.push({ title: t.fullTitle(), state: 'failed', error: String(err?.stack ?? err?.message ?? err) }),
      );
      runner.on('pending', (t: any) => outcomes.push({ title: t.fullTitle(), state: 'pending' }));
    });
  } else {
    outcomes.push({ title: 'load extension-host tests', state: 'failed', error: loadError });
  }
  if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify({ outcomes }));
}
