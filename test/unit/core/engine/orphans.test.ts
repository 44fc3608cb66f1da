import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { Journal } from '../../../../src/core/engine/journal';
import { recoverOrphanedRun } from '../../../../src/core/engine/orphans';
import { toolFiles, type ToolStatus } from '../../../../src/core/process/survivor';

// A run left open by a dead process, its tool's status file as the detached wrapper leaves it: the journal's
// recoverRun records the tool's real outcome, or keeps the run open while the tool still runs.

const DEAD_PID = spawnSync(process.execPath, ['-e', '0']).pid!;

function setup(state: string, status: ToolStatus | undefined, log: object[] = [], kind = 'apply') {
  const dir = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'orphans-'));
  const base = path.join(dir, 'tool-output', 'r1');
  fs.mkdirSync(path.dirname(base), { recursive: true });
  if (status) fs.writeFileSync(toolFiles(base).status, JSON.stringify(status));
  fs.writeFileSync(toolFiles(base).out, log.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const at = new Date().toISOString();
  const run = {
    id: 'r1',
    kind,
    project: 'demo',
    environment: 'staging',
    who: 'me',
    startedAt: at,
    updatedAt: at,
    state,
    pid: DEAD_PID,
    host: os.hostname(),
    meta: {
      tool: 'terraform',
      toolOutput: base,
      deploying: { vars: { release: '2' }, secretVars: [], context: { tag: '2' } },
    },
  };
  const file = path.join(dir, 'runs.jsonl');
  fs.writeFileSync(file, JSON.stringify({ t: 'begin', run }) + '\n');
  return { file, base };
}

const ended = (s: Partial<ToolStatus>): ToolStatus => ({
  pid: DEAD_PID,
  wrapper: DEAD_PID,
  command: 'apply',
  startedAt: new Date().toISOString(),
  code: 0,
  signal: null,
  interrupt: null,
  ...s,
});

async function recovered(file: string, recoverRun = recoverOrphanedRun) {
  const j = await Journal.open(file, { recoverRun });
  try {
    return j.get('r1')!;
  } finally {
    await j.close();
  }
}

describe('orphaned runs (recoverRun)', () => {
  it('an apply whose tool exited 0 after its owner died is Applied, with the deployed record; the files are removed', async () => {
    const { file, base } = setup('Applying', ended({}));
    const run = await recovered(file);
    assert.equal(run.state, 'Applied');
    assert.deepEqual(run.meta?.deployed, { vars: { release: '2' }, secretVars: [], context: { tag: '2' } });
    assert.deepEqual(run.meta?.toolExit, { command: 'apply', code: 0, signal: null, interrupt: null });
    assert.ok(!fs.existsSync(toolFiles(base).status) && !fs.existsSync(toolFiles(base).out));
  });

  it("a failed apply is ApplyFailed with terraform's error summaries; an interrupted one says what it had applied", async () => {
    const diag = {
      type: 'diagnostic',
      '@level': 'error',
      '@message': 'Error: boom',
      diagnostic: { severity: 'error', summary: 'local-exec provisioner error', detail: '' },
    };
    const failed = await recovered(setup('Applying', ended({ code: 1 }), [diag]).file);
    assert.equal(failed.state, 'ApplyFailed');
    assert.match(failed.error!, /terraform apply exited 1: local-exec provisioner error/);
    const done = {
      type: 'apply_complete',
      '@level': 'info',
      '@message': 'done',
      hook: { resource: { addr: 'terraform_data.app' }, action: 'create' },
    };
    const cancelled = await recovered(setup('Applying', ended({ code: 1, interrupt: 'SIGINT' }), [done]).file);
    assert.equal(cancelled.state, 'Cancelled');
    assert.match(cancelled.error!, /already applied 1 change\(s\).*terraform_data\.app \(create\)/);
  });

  it('a plan that failed is PlanFailed; an apply that never started its tool is Interrupted, nothing applied', async () => {
    const plan = await recovered(setup('Planning', ended({ command: 'plan', code: 1 }), [], 'plan').file);
    assert.equal(plan.state, 'PlanFailed');
    const init = await recovered(setup('Applying', ended({ command: 'init' })).file);
    assert.equal(init.state, 'Interrupted');
    assert.match(init.error!, /apply itself had not started: nothing was applied/);
    const none = await recovered(setup('Applying', undefined).file);
    assert.equal(none.state, 'Interrupted');
    assert.match(none.error!, /No terraform apply had started/);
  });

  it('keeps the run open while its tool still runs (or is being started)', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const running = await recovered(
        setup('Applying', {
          pid: sleeper.pid,
          wrapper: DEAD_PID,
          command: 'apply',
          startedAt: new Date().toISOString(),
        }).file,
      );
      assert.equal(running.state, 'Applying');
      const starting = await recovered(
        setup('Applying', { command: 'apply', startedAt: new Date().toISOString() }).file,
      );
      assert.equal(starting.state, 'Applying');
    } finally {
      sleeper.kill();
    }
  });

  it('without recoverRun (or when it fails) the run becomes Interrupted as before', async () => {
    const j = await Journal.open(setup('Applying', ended({})).file);
    assert.equal(j.get('r1')!.state, 'Interrupted');
    await j.close();
    const failing = await recovered(setup('Applying', ended({})).file, async () => {
      throw new Error('unreadable');
    });
    assert.equal(failing.state, 'Interrupted');
  });
});
