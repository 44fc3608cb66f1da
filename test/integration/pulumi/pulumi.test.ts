import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeployRunner } from '../../../src/core/engine/engine';
import { Journal } from '../../../src/core/engine/journal';
import { LockManager } from '../../../src/core/engine/locks';
import type { DeployTarget } from '../../../src/core/engine/target';
import { toJSON } from '../../../src/core/plan/model';
import { Redactor } from '../../../src/core/process/redact';
import { PulumiProvider } from '../../../src/providers/pulumi/pulumi';
import { poll } from '../../support/poll';

// Pulumi's CLI is not available here: the provider runs against a stand-in executable that replays recorded
// real Pulumi output (test/fixtures/pulumi/SOURCES.md).
const FAKE = path.resolve(__dirname, '../../fixtures/pulumi/fake-pulumi.mjs');
const CANARY = 'pulumi-canary-4d1e-do-not-leak';

async function setup(name: string, env: Record<string, string> = {}) {
  const root = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), `pulumi-${name}-`));
  fs.mkdirSync(path.join(root, 'infra'));
  const calls = path.join(root, 'calls.jsonl');
  const redactor = new Redactor();
  const journalFile = path.join(root, '.helix', 'runs.jsonl');
  const journal = await Journal.open(journalFile, { redact: (s) => redactor.redact(s) });
  process.env.HELIX_TEST_PULUMI_SECRET = CANARY;
  const provider = new PulumiProvider({
    executable: () => FAKE,
    env: { FAKE_PULUMI_CALLS: calls, HELIX_TEST_CANARY: CANARY, ...env },
    killAfterMs: 10_000,
  });
  const engine = new DeployRunner({
    journal,
    redactor,
    providers: { pulumi: provider },
    locks: new LockManager(path.join(root, '.helix', 'locks')),
    stateDir: path.join(root, '.helix'),
    who: () => 'tester',
  });
  const target: DeployTarget = {
    project: { name: 'demo', dir: root },
    environment: {
      name: 'dev',
      kind: 'pulumi',
      source: 'helix.deploy.toml',
      image: 'ghcr.io/acme/helixdb:7',
      settings: {
        pulumi: {
          dir: 'infra',
          stack: 'dev',
          config: { 'app:image': '${image}', 'app:dbPassword': '${env:HELIX_TEST_PULUMI_SECRET}' },
        },
      },
    },
  };
  const readCalls = () =>
    fs
      .readFileSync(calls, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { args: string[]; stdinIsCanary?: boolean });
  return {
    root,
    journal,
    journalFile,
    engine,
    provider,
    target,
    readCalls,
    close: async () => {
      await engine.dispose();
      await journal.close();
    },
  };
}

describe('pulumi provider (stand-in executable replaying recorded Pulumi output)', function () {
  this.timeout(30_000);

  it('a missing pulumi is a state with the setting to fix it', async () => {
    const p = new PulumiProvider({ executable: () => '/nonexistent/pulumi' });
    const s = await p.status();
    assert.equal(s.state, 'missing');
    assert.ok('setting' in s && s.setting === 'helixDeploy.pulumi.path' && /Pulumi was not found/.test(s.message));
  });

  it('preview -> approve -> up: diff model, re-plan warning, secrets on stdin only, progress', async () => {
    const t = await setup('cycle');
    try {
      const status = await t.provider.status();
      assert.equal(status.state, 'ok');
      const planned = await (await t.engine.startPlan(t.target)).done;
      assert.equal(planned.run.state, 'Planned', planned.run.error);
      assert.equal(planned.binding, false);
      assert.ok(planned.model!.notices!.some((n) => /fresh preview when it applies/.test(n)));
      assert.deepEqual(
        [
          planned.model!.summary.create,
          planned.model!.summary.update,
          planned.model!.summary.delete,
          planned.model!.summary.replace,
        ],
        [1, 1, 1, 2],
      );
      await t.engine.approve(planned.run.id, planned.planHash!);
      const applied = await (await t.engine.startApply(planned.run.id)).done;
      assert.equal(applied.run.state, 'Applied', applied.run.error);
      assert.ok(applied.progress.some((p) => p.kind === 'apply-start'));
      assert.ok(applied.progress.some((p) => p.kind === 'apply-complete'));

      const calls = t.readCalls();
      const preview = calls.find((c) => c.args[0] === 'preview' && c.args.includes('--json'))!;
      assert.deepEqual(preview.args.slice(0, 5), ['preview', '--json', '--non-interactive', '--stack', 'dev']);
      assert.ok(preview.args.includes('app:image=ghcr.io/acme/helixdb:7'));
      const up = calls.find((c) => c.args[0] === 'up')!;
      assert.ok(
        up.args.includes('--skip-preview') && up.args.includes('--yes') && !up.args.some((a) => a.startsWith('--plan')),
      );
      const secretSet = calls.find((c) => c.args[0] === 'config')!;
      assert.deepEqual(secretSet.args, ['config', 'set', '--secret', '--stack', 'dev', 'app:dbPassword']);
      assert.equal(secretSet.stdinIsCanary, true);
      assert.ok(!calls.some((c) => c.args.join(' ').includes(CANARY)), 'secret on a command line');
      await t.journal.close();
      const all = fs.readFileSync(t.journalFile, 'utf8') + JSON.stringify(toJSON(planned.model!));
      assert.ok(!all.includes(CANARY));
    } finally {
      await t.close().catch(() => undefined);
    }
  });

  it('uses saved plans when the CLI offers them (preview --save-plan, up --plan)', async () => {
    const t = await setup('saved', { FAKE_PULUMI_SAVED_PLANS: '1' });
    try {
      const planned = await (await t.engine.startPlan(t.target)).done;
      assert.equal(planned.binding, true);
      assert.ok(planned.model!.notices!.some((n) => /saved plan/.test(n)));
      await t.engine.approve(planned.run.id, planned.planHash!);
      const applied = await (await t.engine.startApply(planned.run.id)).done;
      assert.equal(applied.run.state, 'Applied', applied.run.error);
      const calls = t.readCalls();
      assert.ok(
        calls
          .find((c) => c.args[0] === 'preview' && c.args.includes('--json'))!
          .args.some((a) => a.startsWith('--save-plan=')),
      );
      assert.ok(calls.find((c) => c.args[0] === 'up')!.args.some((a) => a.startsWith('--plan=')));
    } finally {
      await t.close();
    }
  });

  it('destroy is its own planned run (destroy --preview-only, then destroy --yes)', async () => {
    const t = await setup('destroy');
    try {
      const planned = await (await t.engine.startPlan(t.target, { destroy: true })).done;
      assert.equal(planned.run.state, 'Planned', planned.run.error);
      assert.equal(planned.run.kind, 'destroy');
      await t.engine.approve(planned.run.id, planned.planHash!);
      const done = await (await t.engine.startApply(planned.run.id)).done;
      assert.equal(done.run.state, 'Applied', done.run.error);
      const calls = t.readCalls().filter((c) => c.args[0] === 'destroy');
      assert.ok(calls[0].args.includes('--preview-only') && calls[0].args.includes('--json'));
      assert.ok(calls[1].args.includes('--yes') && calls[1].args.includes('--skip-preview'));
    } finally {
      await t.close();
    }
  });

  it('a failed update ends ApplyFailed with the failure', async () => {
    const t = await setup('failed', { FAKE_PULUMI_UP: 'up-failed.jsonl' });
    try {
      const planned = await (await t.engine.startPlan(t.target)).done;
      await t.engine.approve(planned.run.id, planned.planHash!);
      const res = await (await t.engine.startApply(planned.run.id)).done;
      assert.equal(res.run.state, 'ApplyFailed');
      assert.ok(res.progress.some((p) => p.kind === 'apply-errored'));
      assert.match(res.run.error!, /corrupt|failed/);
    } finally {
      await t.close();
    }
  });

  it('cancel during up sends an interrupt and waits for pulumi to stop', async () => {
    const t = await setup('cancel', { FAKE_PULUMI_DELAY_MS: '300' });
    try {
      const planned = await (await t.engine.startPlan(t.target)).done;
      await t.engine.approve(planned.run.id, planned.planHash!);
      const handle = await t.engine.startApply(planned.run.id);
      await poll(() => t.engine.snapshot(planned.run.id)!.run.log.some((l) => l.startsWith('$ pulumi up')), {
        what: '`pulumi up` to start',
        timeoutMs: 10_000,
      });
      await new Promise((r) => setTimeout(r, 400));
      const snap = await t.engine.cancel(planned.run.id);
      assert.equal(snap!.run.state, 'Cancelled');
      assert.equal((await handle.done).run.state, 'Cancelled');
      assert.ok(
        snap!.run.log.some((l) => /\^C received; cancelling/.test(l)),
        snap!.run.log.join('\n'),
      );
    } finally {
      await t.close();
    }
  });
});
