import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Journal } from '../../../src/core/engine/journal';
import { HealthService } from '../../../src/core/health/service';
import { LocalService } from '../../../src/core/local/service';
import { cleanup, fixtureContext, localTarget, testEngine, tmpRoot, uid } from './support';

// "Kill the host mid-run": a child process runs a start/build through the core and gets SIGKILL.
// Reopening the journal must show the run as Interrupted - never lost, never stuck as Running.

function runChild(args: string[]): Promise<{ runId: string; kill: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'crash-child.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /RUNNING (\S+)/.exec(out);
      if (m)
        resolve({
          runId: m[1],
          kill: () => new Promise((r) => (child.once('exit', () => r()), child.kill('SIGKILL'))),
        });
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before the run was under way: ${err}`)));
  });
}

describe('crash mid-run (real engine)', function () {
  this.timeout(90_000);
  const engine = testEngine();
  let project: string;
  beforeEach(() => (project = `c${uid()}`));
  afterEach(() => cleanup(engine, project));

  it('a start killed while waiting for health shows as Interrupted after reopening the journal', async () => {
    const dir = fixtureContext('health-app');
    fs.rmSync(path.join(dir, 'www', 'readyz')); // never ready: the start keeps waiting
    const file = path.join(fs.mkdtempSync(path.join(tmpRoot(), 'crash-')), 'runs.journal');
    const j0 = await Journal.open(file);
    await new LocalService({ engine, journal: j0, health: new HealthService(), who: async () => 'x' }).build(
      localTarget(dir, project),
    );
    await j0.close();

    const child = await runChild([file, dir, project, String(20000 + Math.floor(Math.random() * 20000))]);
    await child.kill();

    const j = await Journal.open(file);
    const run = j.get(child.runId)!;
    assert.ok(run, 'the run is in the journal');
    assert.equal(run.kind, 'start');
    assert.equal(run.state, 'Interrupted');
    assert.ok(
      run.log.some((l) => /Waiting for/.test(l)),
      'its log survived',
    );
    assert.equal(j.list({ active: true }).length, 0, 'nothing stuck as running');
    await j.close();
  });

  it('a build killed mid-step shows as Interrupted', async () => {
    const dir = fixtureContext('health-app');
    fs.writeFileSync(
      path.join(dir, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","sleep","20"]\n',
    );
    const file = path.join(fs.mkdtempSync(path.join(tmpRoot(), 'crash-')), 'runs.journal');
    const child = await runChild([file, dir, project, '1', 'build']);
    await child.kill();
    const j = await Journal.open(file);
    assert.equal(j.get(child.runId)?.state, 'Interrupted');
    assert.equal(j.get(child.runId)?.kind, 'build');
    await j.close();
  });
});
