import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { DeployError } from '../../../src/core/engine/errors';
import { pidAlive } from '../../../src/core/engine/locks';
import { harness, terraformAvailable, workDir } from './harness';
import { poll } from '../../support/poll';

describe('host crash during apply (real terraform)', function () {
  this.timeout(120_000);
  before(terraformAvailable);

  it('recovers: run Interrupted, orphan reported while it runs, lock released, state consistent', async () => {
    const root = workDir('crash');
    const child = spawn(
      process.execPath,
      ['--require', require.resolve('tsx/cjs'), path.join(__dirname, 'crash-host.ts'), root],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    await poll(() => /APPLYING|FAILED/.test(out), { what: 'the host to start applying', timeoutMs: 60_000 });
    assert.match(out, /APPLYING/, out);
    const runId = /APPLYING (\S+)/.exec(out)![1];
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));

    // A new window opens the same workspace.
    const h = await harness('crash-recover', { root });
    try {
      const run = h.journal.get(runId)!;
      assert.equal(run.state, 'Interrupted');
      assert.equal(run.meta?.interruptedFrom, 'Applying');
      assert.match(run.error!, /Interrupted.*It was Applying/);
      const toolPid = run.meta?.toolPid as number;
      assert.equal(typeof toolPid, 'number');
      if (pidAlive(toolPid)) {
        // Terraform outlived its host: the environment stays busy, and the message says why.
        await assert.rejects(h.engine.startPlan(h.target()), (e: unknown) => {
          assert.ok(e instanceof DeployError && e.code === 'busy', String(e));
          assert.match(e.message, new RegExp(`run ${runId}.*still running`));
          return true;
        });
        await poll(() => !pidAlive(toolPid), { what: 'the orphaned terraform to exit', timeoutMs: 30_000 });
      }
      // Lock taken over (reported in the new run's log); terraform's own state lock is free; state consistent.
      const snap = await (await h.engine.startPlan(h.target())).done;
      assert.equal(snap.run.state, 'Planned', `${snap.run.error}\n${snap.run.log.join('\n')}`);
      assert.ok(snap.run.log.some((l) => l.includes(`Took over the environment lock of run ${runId}`)));
      assert.match(h.tf(['state', 'list']).stdout, /terraform_data\.first/);
      const state = h.tf(['plan', '-input=false', '-lock-timeout=0s', '-no-color', '-detailed-exitcode']);
      assert.notEqual(state.code, 1, state.stderr);
    } finally {
      await h.close();
    }
  });
});
