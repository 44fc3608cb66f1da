import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { attributesOf, toJSON } from '../../../src/core/plan/model';
import { DeployError } from '../../../src/core/engine/errors';
import { CANARY, deploy, harness, planAndApprove, terraformAvailable, workDir, type Harness } from './harness';
import { poll } from '../../support/poll';

const STATE_FILE = (path: string) =>
  `{"version":4,"terraform_version":"1.11.4","serial":1,"lineage":"00000000-0000-0000-0000-000000000000","outputs":{"hello":{"value":"world","type":"string"}},"resources":[]}` +
  (path ? '' : '');

describe('terraform engine (real terraform)', function () {
  this.timeout(120_000);
  const open: Harness[] = [];
  before(terraformAvailable);
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  const make = async (name: string, o?: Parameters<typeof harness>[1]) => {
    const h = await harness(name, o);
    open.push(h);
    return h;
  };

  it('plans every action type, approves and applies exactly that plan; the canary secret appears nowhere', async () => {
    const h = await make('actions');
    fs.writeFileSync(path.join(h.root, 'other.tfstate'), STATE_FILE(''));
    h.writeTf(`
resource "terraform_data" "same" { input = "unchanged" }
resource "terraform_data" "keep" { input = { name = "keep", password = var.db_password, v = "1" } }
resource "terraform_data" "gone" {
  count = 1
  input = "goes away"
}
resource "terraform_data" "rep" { triggers_replace = ["v1"] }
resource "terraform_data" "old_name" { input = "moved" }
resource "terraform_data" "forget_me" { input = "forgotten" }
output "password_out" {
  value     = var.db_password
  sensitive = true
}
`);
    await deploy(h);
    h.writeTf(`
resource "terraform_data" "same" { input = "unchanged" }
resource "terraform_data" "keep" { input = { name = "keep", password = var.db_password, v = "2" } }
resource "terraform_data" "gone" {
  count = 0
  input = "goes away"
}
resource "terraform_data" "rep" { triggers_replace = ["v2"] }
resource "terraform_data" "added" { input = var.image }
moved {
  from = terraform_data.old_name
  to   = terraform_data.new_name
}
resource "terraform_data" "new_name" { input = "moved" }
removed {
  from = terraform_data.forget_me
  lifecycle { destroy = false }
}
import {
  to = terraform_data.imported
  id = "existing-id"
}
resource "terraform_data" "imported" {}
data "terraform_remote_state" "other" {
  backend    = "local"
  config     = { path = "${path.join(h.root, 'other.tfstate')}" }
  depends_on = [terraform_data.added]
}
output "password_out" {
  value     = var.db_password
  sensitive = true
}
output "other" { value = data.terraform_remote_state.other.outputs.hello }
`);
    const events: string[] = [];
    const sub = h.engine.onRunEvent((e) => events.push(JSON.stringify(e)));
    const handle = await h.engine.startPlan(h.target());
    const planned = await handle.done;
    assert.equal(planned.run.state, 'Planned', planned.run.error);
    const m = planned.model!;
    const action = (a: string) => m.resources.find((r) => r.address === a)?.action;
    assert.equal(action('terraform_data.same'), 'no-op');
    assert.equal(action('terraform_data.keep'), 'update');
    assert.equal(action('terraform_data.gone[0]'), 'delete');
    assert.equal(action('terraform_data.rep'), 'replace');
    assert.equal(action('terraform_data.added'), 'create');
    assert.equal(action('terraform_data.new_name'), 'move');
    assert.equal(action('terraform_data.forget_me'), 'forget');
    assert.equal(action('terraform_data.imported'), 'import');
    assert.equal(action('data.terraform_remote_state.other'), 'read');
    assert.equal(m.summary.replace, 1);
    // ${image} came from the environment: image + tag.
    assert.ok(
      attributesOf(m.resources.find((r) => r.address === 'terraform_data.added')!).some(
        (a) => a.after === 'ghcr.io/acme/helixdb:1.2.3',
      ),
    );
    // Progress streamed each planned change as terraform found it.
    assert.ok(planned.progress.filter((p) => p.kind === 'planned').length >= 8);
    assert.deepEqual(planned.actions, ['approve', 'discard', 'replan']);
    await assert.rejects(
      h.engine.approve(planned.run.id, 'not-the-hash'),
      (e: unknown) => e instanceof DeployError && e.code === 'hash-mismatch',
    );
    await assert.rejects(h.engine.startApply(planned.run.id), /approve the plan first/);
    await h.engine.approve(planned.run.id, planned.planHash!);
    const applied = await (await h.engine.startApply(planned.run.id)).done;
    assert.equal(applied.run.state, 'Applied', applied.run.error);
    assert.ok(applied.progress.some((p) => p.kind === 'apply-complete'));
    assert.deepEqual(applied.run.meta?.outputs, { other: 'world' });
    assert.ok(
      !fs.existsSync(path.join(h.root, '.helix', 'plans', `${planned.run.id}.tfplan`)),
      'plan file (holds secrets) must be deleted',
    );
    sub.dispose();
    // State consistent: nothing left to do.
    const again = await (await h.engine.startPlan(h.target())).done;
    assert.equal(again.run.meta?.noChanges, true, JSON.stringify(again.model?.summary));
    await h.engine.discard(again.run.id);

    // The canary: nowhere in the journal, run logs, model, events or snapshots.
    await h.journal.close();
    const everything = [
      fs.readFileSync(h.journalFile, 'utf8'),
      JSON.stringify(toJSON(m)),
      JSON.stringify({ ...applied, model: undefined }),
      events.join('\n'),
    ].join('\n');
    assert.ok(!everything.includes(CANARY), 'canary secret leaked');
    assert.ok(everything.includes('(sensitive)'));
    assert.ok(
      attributesOf(m.resources.find((r) => r.address === 'terraform_data.keep')!).some(
        (a) => a.path.join('.') === 'input.v',
      ),
    );
  });

  it('destroy is its own planned run', async () => {
    const h = await make('destroy');
    h.writeTf(`resource "terraform_data" "a" { input = "x" }\nresource "terraform_data" "b" { input = "y" }\n`);
    await deploy(h);
    const approved = await planAndApprove(h, h.target(), true);
    assert.equal(approved.run.kind, 'destroy');
    assert.equal(approved.model!.summary.delete, 2);
    const done = await (await h.engine.startApply(approved.run.id)).done;
    assert.equal(done.run.state, 'Applied', done.run.error);
    assert.equal(h.tf(['state', 'list']).stdout.trim(), '');
  });

  it('refuses a stale plan after a concurrent apply, with a Re-plan action', async () => {
    const h = await make('stale');
    h.writeTf(`resource "terraform_data" "a" { input = var.image }\n`);
    const approved = await planAndApprove(h);
    // Someone else applies meanwhile (another terminal, CI...).
    const other = h.tf(['apply', '-auto-approve', '-input=false', '-no-color']);
    assert.equal(other.code, 0, other.stderr);
    const res = await (await h.engine.startApply(approved.run.id)).done;
    assert.equal(res.run.state, 'Expired');
    assert.match(res.run.error!, /stale.*Nothing was applied.*Re-plan/s);
    assert.ok(res.actions.includes('replan'));
    // Lock released: a re-plan works at once.
    const again = await (await h.engine.replan(res.run.id)).done;
    assert.equal(again.run.state, 'Planned');
  });

  it('expires an unapproved plan and refuses to approve it', async () => {
    const h = await make('expired', { expiryMinutes: 0.01 }); // 600 ms
    h.writeTf(`resource "terraform_data" "a" { input = "x" }\n`);
    const snap = await (await h.engine.startPlan(h.target())).done;
    assert.equal(snap.run.state, 'Planned');
    await poll(() => h.journal.get(snap.run.id)!.state === 'Expired', { what: 'expiry', timeoutMs: 5000 });
    await assert.rejects(h.engine.approve(snap.run.id, snap.planHash!), (e: unknown) => {
      assert.ok(e instanceof DeployError);
      assert.equal(e.code, 'expired');
      assert.match(e.message, /expired.*Re-plan/);
      assert.deepEqual(e.actions, ['Re-plan']);
      return true;
    });
    assert.ok(!fs.existsSync(path.join(h.root, '.helix', 'plans', `${snap.run.id}.tfplan`)));
  });

  it('an approved plan that expires before apply is refused too', async () => {
    const h = await make('expired-approved', { expiryMinutes: 0.01 });
    h.writeTf(`resource "terraform_data" "a" { input = "x" }\n`);
    const approved = await planAndApprove(h);
    await new Promise((r) => setTimeout(r, 800));
    await assert.rejects(
      h.engine.startApply(approved.run.id),
      (e: unknown) => e instanceof DeployError && e.code === 'expired',
    );
    assert.equal(h.tf(['state', 'list']).stdout.trim(), '', 'nothing applied');
  });

  it('reports an apply that fails mid-way; what succeeded stays in the state', async () => {
    const h = await make('fails');
    h.writeTf(`
resource "terraform_data" "first" { input = "ok" }
resource "terraform_data" "fails" {
  depends_on = [terraform_data.first]
  provisioner "local-exec" { command = "echo about to fail; exit 3" }
}
resource "terraform_data" "after" { depends_on = [terraform_data.fails] }
`);
    const approved = await planAndApprove(h);
    const res = await (await h.engine.startApply(approved.run.id)).done;
    assert.equal(res.run.state, 'ApplyFailed');
    assert.match(res.run.error!, /local-exec provisioner error/);
    assert.ok(res.progress.some((p) => p.kind === 'apply-errored'));
    const state = h.tf(['state', 'list']).stdout;
    assert.match(state, /terraform_data\.first/);
    assert.doesNotMatch(state, /terraform_data\.after/);
    // The environment is free again and the next plan sees the tainted resource.
    const next = await (await h.engine.startPlan(h.target())).done;
    assert.equal(next.run.state, 'Planned');
    assert.equal(
      next.model!.resources.find((r) => r.address === 'terraform_data.fails')?.reason,
      'replace_because_tainted',
    );
  });

  it('cancels during apply: interrupt, terraform stops cleanly, state unlocked', async () => {
    const h = await make('cancel');
    h.writeTf(`
resource "terraform_data" "quick" { input = "ok" }
resource "terraform_data" "slow" {
  depends_on = [terraform_data.quick]
  provisioner "local-exec" { command = "sleep 60" }
}
`);
    const approved = await planAndApprove(h);
    const handle = await h.engine.startApply(approved.run.id);
    await poll(
      () =>
        h.engine
          .snapshot(approved.run.id)!
          .progress.some((p) => p.kind === 'apply-start' && p.address === 'terraform_data.slow'),
      { what: 'slow apply to start', timeoutMs: 20_000 },
    );
    const t0 = Date.now();
    const snap = await h.engine.cancel(approved.run.id, 'tester');
    assert.ok(Date.now() - t0 < 30_000);
    assert.equal(snap!.run.state, 'Cancelled');
    assert.equal((await handle.done).run.state, 'Cancelled');
    assert.ok(
      snap!.run.log.some((l) => /Interrupt received|Stopping operation|interrupt/i.test(l)),
      snap!.run.log.join('\n'),
    );
    // Not locked: terraform itself can plan right away.
    const plan = h.tf(['plan', '-input=false', '-lock-timeout=0s', '-no-color']);
    assert.notEqual(plan.code, null);
    assert.doesNotMatch(plan.stderr, /state lock/i);
    assert.match(h.tf(['state', 'list']).stdout, /terraform_data\.quick/);
  });

  it('a cancel right after start reaches the run: nothing planned or applied, environment free', async () => {
    const h = await make('cancel-early');
    h.writeTf(`resource "terraform_data" "a" { input = "x" }\n`);
    const p = await h.engine.startPlan(h.target());
    const c = await h.engine.cancel(p.id);
    assert.equal(c!.run.state, 'Cancelled');
    assert.equal((await p.done).run.state, 'Cancelled');
    const approved = await planAndApprove(h);
    const apply = await h.engine.startApply(approved.run.id);
    const c2 = await h.engine.cancel(approved.run.id);
    assert.equal(c2!.run.state, 'Cancelled');
    assert.equal((await apply.done).run.state, 'Cancelled');
    assert.equal(h.tf(['state', 'list']).stdout.trim(), '', 'nothing applied');
    const d = await planAndApprove(h);
    await h.engine.discard(d.run.id);
    assert.equal(h.journal.get(d.run.id)!.state, 'Cancelled');
    assert.ok(!fs.existsSync(path.join(h.root, '.helix', 'plans', `${d.run.id}.tfplan`)));
  });

  it('runs two environments at once; a second run on a busy environment is refused with who/since', async () => {
    const h = await make('two-envs');
    h.writeTf(`resource "terraform_data" "a" { input = "staging" }\n`);
    h.writeTf(`resource "terraform_data" "a" { input = "prod" }\n`, path.join(h.root, 'infra-prod'));
    const [a, b] = await Promise.all([
      h.engine.startPlan(h.target('staging')),
      h.engine.startPlan(h.target('prod', 'infra-prod')),
    ]);
    await assert.rejects(h.engine.startPlan(h.target('staging')), (e: unknown) => {
      assert.ok(e instanceof DeployError);
      assert.equal(e.code, 'busy');
      assert.match(
        e.message,
        new RegExp(`^environment busy: run ${a.id} by Test User <test@example.invalid> since \\d{4}-`),
      );
      assert.deepEqual(e.actions, ['Show Run']);
      assert.equal(e.details.runId, a.id);
      return true;
    });
    const [sa, sb] = await Promise.all([a.done, b.done]);
    assert.equal(sa.run.state, 'Planned');
    assert.equal(sb.run.state, 'Planned');
    // Still busy while the plan waits for approval.
    await assert.rejects(h.engine.startPlan(h.target('staging')), /environment busy/);
    await Promise.all([h.engine.approve(a.id, sa.planHash!), h.engine.approve(b.id, sb.planHash!)]);
    const [ra, rb] = await Promise.all([
      (await h.engine.startApply(a.id)).done,
      (await h.engine.startApply(b.id)).done,
    ]);
    assert.equal(ra.run.state, 'Applied');
    assert.equal(rb.run.state, 'Applied');
    assert.equal(h.engine.list({ environment: 'prod' }).length, 1);
  });

  it('reports a locked terraform state clearly and never force-unlocks', async () => {
    const h = await make('locked');
    h.writeTf(`
resource "terraform_data" "slow" {
  provisioner "local-exec" { command = "sleep 8" }
}
`);
    const { spawn } = await import('node:child_process');
    const holder = spawn('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], {
      cwd: h.infra,
      env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', TF_VAR_db_password: 'x', TF_VAR_image: 'x' },
      stdio: 'ignore',
    });
    try {
      const h2 = h.tf(['init', '-input=false']);
      assert.equal(h2.code, 0);
      await new Promise((r) => setTimeout(r, 2500));
      const snap = await (await h.engine.startPlan(h.target())).done;
      assert.equal(snap.run.state, 'PlanFailed');
      assert.equal(snap.run.meta?.errorCode, 'state-locked');
      assert.match(snap.run.error!, /Terraform state is locked by .* \(apply\).*force-unlock.*never force-unlocks/s);
    } finally {
      await new Promise((r) => holder.on('exit', r));
    }
    assert.match(h.tf(['state', 'list']).stdout, /terraform_data\.slow/, 'the other apply finished undisturbed');
  });

  it('a missing terraform is a state with a way to set the path, not an exception', async () => {
    const h = await make('missing', { tfPath: '/nonexistent/bin/terraform' });
    h.writeTf(`resource "terraform_data" "a" {}\n`);
    const status = await h.engine.toolStatus(h.target());
    assert.equal(status.state, 'missing');
    assert.ok('setting' in status && status.setting === 'helixDeploy.terraform.path');
    assert.match((status as { message: string }).message, /Terraform was not found.*helixDeploy\.terraform\.path/);
    await assert.rejects(
      h.engine.startPlan(h.target()),
      (e: unknown) => e instanceof DeployError && e.code === 'tool-missing' && e.actions.includes('Set Path'),
    );
    assert.equal(h.journal.list().length, 0, 'no run recorded');
  });

  it('refuses to apply a plan file that changed after approval (nothing applied)', async () => {
    const h = await make('tampered');
    h.writeTf(`resource "terraform_data" "a" { input = "x" }\n`);
    const approved = await planAndApprove(h);
    fs.appendFileSync(path.join(h.root, '.helix', 'plans', `${approved.run.id}.tfplan`), 'tampered');
    const res = await (await h.engine.startApply(approved.run.id)).done;
    assert.equal(res.run.state, 'ApplyFailed');
    assert.match(res.run.error!, /changed after approval\. Nothing was applied/);
    assert.equal(h.tf(['state', 'list']).stdout.trim(), '');
  });

  it('an errored plan (failed precondition) ends PlanFailed with the reason and the partial diff', async () => {
    const h = await make('errored');
    h.writeTf(`
resource "terraform_data" "ok" { input = "fine" }
resource "terraform_data" "guarded" {
  input = "x"
  lifecycle {
    precondition {
      condition     = length(var.image) < 3
      error_message = "image name too long for this test"
    }
  }
}
`);
    const snap = await (await h.engine.startPlan(h.target())).done;
    assert.equal(snap.run.state, 'PlanFailed');
    assert.match(snap.run.error!, /Resource precondition failed.*image name too long/s);
    assert.ok(snap.actions.includes('replan'));
    assert.equal(snap.model?.errored, true);
    // The environment is free again.
    await assert.rejects(h.engine.approve(snap.run.id, 'x'), /cannot go from PlanFailed to Approved/);
  });

  it('a terraform too old is reported as unsupported with the setting to change', async () => {
    const dir = workDir('old-tf');
    const fake = path.join(dir, 'terraform');
    fs.writeFileSync(fake, '#!/bin/sh\necho \'{"terraform_version":"0.12.31"}\'\n');
    fs.chmodSync(fake, 0o755);
    const h = await make('old-tf', { tfPath: fake });
    const s = await h.engine.toolStatus(h.target());
    assert.equal(s.state, 'unsupported');
    assert.match((s as { message: string }).message, /Terraform 0\.12\.31 is too old.*helixDeploy\.terraform\.path/);
  });

  it('bad helix.deploy.toml values give an actionable error before anything runs', async () => {
    const h = await make('badvars');
    const t = h.target();
    (t.environment.settings.terraform as any).vars = { image: '${nope}' };
    await assert.rejects(
      h.engine.startPlan(t),
      (e: unknown) =>
        e instanceof DeployError &&
        e.code === 'config' &&
        /\$\{nope\} has no value here \(known: .*\$\{image\}/.test(e.message),
    );
  });
});

describe('terraform workspaces (real terraform)', function () {
  this.timeout(60_000);
  before(terraformAvailable);

  it('selects (and creates) the workspace from helix.deploy.toml; states stay separate', async () => {
    const h = await harness('workspace');
    try {
      h.writeTf(`resource "terraform_data" "a" { input = terraform.workspace }\n`);
      const t = h.target();
      (t.environment.settings.terraform as Record<string, unknown>).workspace = 'staging';
      const applied = await deploy(h, t);
      assert.equal(applied.run.state, 'Applied');
      assert.ok(fs.existsSync(path.join(h.infra, 'terraform.tfstate.d', 'staging', 'terraform.tfstate')));
      assert.ok(!fs.existsSync(path.join(h.infra, 'terraform.tfstate')), 'default workspace untouched');
      assert.match(applied.run.log.join('\n'), /Creating Terraform workspace "staging"/);
    } finally {
      await h.close();
    }
  });
});
