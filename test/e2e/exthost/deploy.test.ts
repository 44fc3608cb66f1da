import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as vscode from 'vscode';
import { api } from './helpers';
import { poll } from '../../support/poll';

// Plan-first deployment from the palette commands inside the real extension host, with the real terraform:
// Plan -> Approve -> Apply, every step journaled, a secret from ${env:...} nowhere in the run history.

const CANARY = 'canary-4e7f9b1d-deploy-exthost';

describe('plan-first deployment from the palette (extension host, real terraform)', function () {
  this.timeout(180_000);
  let c: any;
  let target: { project: any; environment: any };

  before(async () => {
    process.env.HELIX_DEPLOY_TEST_TOKEN = CANARY; // the extension host is this process: ${env:...} reads it
    ({ container: c } = await api());
    await c.projects.refresh();
    const project = c.projects.projects.find((p: any) => p.name === 'deploy-demo');
    assert.ok(project, 'the deploy-demo fixture project');
    target = { project, environment: project.environments.find((e: any) => e.name === 'qa') };
    assert.ok(target.environment, 'the qa environment from helix.deploy.toml');
  });

  const runs = async () => (await c.journal).list({ project: 'deploy-demo', environment: 'qa' });

  it('plans, approves and applies exactly the approved plan, each step in the run history', async () => {
    // The commands wait on notifications a person would click: drive them without awaiting the prompts.
    void vscode.commands.executeCommand('helixDeploy.deploy.plan', target);
    const planned = await poll(async () => (await runs()).find((r: any) => r.state === 'Planned'), {
      what: 'a Planned run',
      timeoutMs: 120_000,
    });
    assert.equal(planned.kind, 'plan');
    const snap = await c.deploy.engine.snapshot(planned.id);
    assert.equal(snap.model.summary.create, 2, JSON.stringify(snap.model.summary));
    assert.ok(snap.planHash, 'the plan file is hashed');

    void vscode.commands.executeCommand('helixDeploy.deploy.approve', planned.id);
    await poll(async () => (await runs()).find((r: any) => r.id === planned.id && r.state === 'Approved'), {
      what: 'the run Approved',
      timeoutMs: 15_000,
    });
    void vscode.commands.executeCommand('helixDeploy.deploy.apply', planned.id);
    const applied = await poll(
      async () => (await runs()).find((r: any) => r.id === planned.id && ['Applied', 'ApplyFailed'].includes(r.state)),
      { what: 'the apply to finish', timeoutMs: 120_000 },
    );
    assert.equal(applied.state, 'Applied', applied.error);
    assert.ok(
      applied.log.some((l: string) => /Apply complete|terraform_data\.app/.test(l)),
      'the apply log is kept with the run',
    );
  });

  it('keeps the secret out of the run history, the plan model and the journal file', async () => {
    const all = await runs();
    assert.ok(all.length > 0);
    assert.ok(!JSON.stringify(all).includes(CANARY), 'canary in a run record');
    const snap = await c.deploy.engine.snapshot(all[0].id);
    assert.ok(!JSON.stringify(snap).includes(CANARY), 'canary in the plan snapshot');
    const journal = fs.readFileSync(path.join(target.project.dir, '.helix', 'runs.jsonl'), 'utf8');
    assert.ok(journal.length > 0 && !journal.includes(CANARY), 'canary in the journal file');
  });

  it('shows in the Deployments view, live, a run another process (the headless CLI) records in the project history', async () => {
    const { project } = target;
    const file = path.join(project.dir, '.helix', 'runs.jsonl');
    assert.ok(fs.existsSync(path.join(project.dir, '.helix', '.gitignore')), '.helix/ has its own .gitignore');
    const id = `29990101000000-${Date.now().toString(16).slice(-8)}`;
    const at = new Date().toISOString();
    const lines = [
      {
        t: 'begin',
        run: {
          id,
          kind: 'apply',
          project: project.name,
          projectDir: project.dir,
          environment: 'qa',
          who: 'ci',
          startedAt: at,
          updatedAt: at,
          state: 'Applying',
        },
      },
      { t: 'state', id, state: 'Applied', at },
    ]
      .map((l) => JSON.stringify(l) + '\n')
      .join('');
    // Another process appends, as the CLI does.
    const script = `require('fs').appendFileSync(${JSON.stringify(file)}, ${JSON.stringify(lines)})`;
    const res = spawnSync(process.execPath, ['-e', script], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      encoding: 'utf8',
    });
    assert.equal(res.status, 0, res.stderr);
    const tree = (await api()).views.deployments;
    await poll(
      () => {
        const rows = tree.getChildren({ type: 'section', section: 'history' }) as any[];
        return rows.find((n) => n.run?.id === id && n.run.state === 'Applied');
      },
      { what: 'the CLI run in the Deployments view', timeoutMs: 20_000 },
    );
    assert.equal(
      c.deploy.engine.list({ environment: 'qa' }).find((r: any) => r.id === id)?.state,
      'Applied',
      'the panel lists it too',
    );
  });
});

describe('a missing terraform is a state of the environment (extension host)', function () {
  this.timeout(60_000);
  const config = () => vscode.workspace.getConfiguration('helixDeploy');
  after(async () => {
    await config().update('terraform.path', undefined, vscode.ConfigurationTarget.Global);
  });

  it('shows "terraform not found" on the environment with a Set Path action, and clears when fixed', async () => {
    const { container: c, views } = await api();
    const project = c.projects.projects.find((p: any) => p.name === 'deploy-demo');
    const environment = project.environments.find((e: any) => e.name === 'qa');
    const row = () => views.environments.getTreeItem({ type: 'environment', project, environment });
    await config().update('terraform.path', '/nonexistent/bin/terraform', vscode.ConfigurationTarget.Global);
    await poll(() => c.deploy.tools.get('terraform')?.state === 'missing', {
      what: 'terraform reported missing',
      timeoutMs: 15_000,
    });
    const item = await poll(
      () => {
        const i = row();
        return /terraform not found/.test(String(i.description)) ? i : undefined;
      },
      { what: 'the row to show the missing tool', timeoutMs: 15_000 },
    );
    assert.match(item.contextValue, /:tool-missing$/, 'the row offers Set Terraform Path inline');
    assert.match(String(item.tooltip.value ?? item.tooltip), /helixDeploy\.terraform\.path/);

    await config().update('terraform.path', undefined, vscode.ConfigurationTarget.Global);
    await poll(() => c.deploy.tools.get('terraform')?.state === 'ok', {
      what: 'terraform found again',
      timeoutMs: 15_000,
    });
    assert.doesNotMatch(String(row().description), /not found/);
  });
});
