import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { Journal } from '../../../src/core/engine/journal';
import { CANARY, TF_ENV, terraformAvailable, workDir } from './harness';
import { recordedPush } from '../../support/pushed';
import { collect, type Collected } from '../../support/process';

// The headless CLI as CI runs it: a real process, real terraform, exit codes checked.
const CLI = path.resolve(__dirname, '../../../src/cli/index.ts');

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...TF_ENV, HELIX_TEST_CANARY: CANARY },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI as a child process, asynchronously (several at once). */
function cliAsync(args: string[], cwd: string): Promise<Collected> {
  return collect(process.execPath, ['--require', require.resolve('tsx/cjs'), CLI, ...args], {
    cwd,
    env: { ...process.env, ...TF_ENV, HELIX_TEST_CANARY: CANARY },
  });
}

function project(name: string, tf: string): string {
  const dir = workDir(name);
  fs.writeFileSync(
    path.join(dir, 'helix.toml'),
    '[project]\nname = "demo"\nqueries = "db/"\n\n[local.dev]\nport = 6969\nbuild_mode = "dev"\n',
  );
  fs.writeFileSync(
    path.join(dir, 'helix.deploy.toml'),
    '[environments.staging]\ninstance = "dev"\nregistry = "ghcr.io/acme/helixdb"\nterraform = { dir = "infra", vars = { image = "${image}", db_password = "${env:HELIX_TEST_CANARY}" } }\n',
  );
  // ${image} is the image last pushed for the environment: one push of each environment is on record.
  recordedPush(dir, 'staging');
  recordedPush(dir, 'prod');
  fs.mkdirSync(path.join(dir, 'infra'));
  fs.writeFileSync(
    path.join(dir, 'infra', 'main.tf'),
    'variable "image" { type = string }\nvariable "db_password" {\n  type = string\n  sensitive = true\n}\n' + tf,
  );
  return dir;
}

describe('helix-deploy plan / apply / show-plan (real terraform, real process)', function () {
  this.timeout(120_000);
  before(terraformAvailable);

  it('plan exits 2 with changes and saves the plan; apply applies exactly it; a second plan exits 0', async () => {
    const dir = project(
      'cli',
      'resource "terraform_data" "app" { input = { image = var.image, pw = var.db_password } }\n',
    );
    const planFile = path.join(dir, 'out', 'staging.plan');
    const p = cli(['plan', 'staging', '--out', planFile, '--quiet'], dir);
    assert.equal(p.code, 2, p.stderr);
    assert.match(p.stdout, /\+ create {2}terraform_data\.app/);
    assert.match(p.stdout, /Plan: 1 to create\./);
    assert.ok(fs.existsSync(planFile));
    // A wrongly typed history line (hand-edited, or a foreign version) is reported and skipped: the apply goes on.
    const history = path.join(dir, '.helix', 'runs.jsonl');
    const badLine = fs.readFileSync(history, 'utf8').split('\n').length;
    const bad = {
      id: 'r2',
      kind: 'plan',
      project: 'demo',
      environment: 'staging',
      who: 'x',
      startedAt: '2020-01-01T00:00:00.000Z',
      updatedAt: '2020-01-01T00:00:00.000Z',
      state: 'Planned',
      log: 'oops',
    };
    fs.appendFileSync(
      history,
      `${JSON.stringify({ t: 'begin', run: bad })}\n${JSON.stringify({ t: 'log', id: 'r2', lines: ['x'] })}\n`,
    );
    const a = cli(['apply', 'staging', '--plan', planFile], dir);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /Applied/);
    assert.ok(
      a.stderr.includes(`${history}:${badLine}: run r2: "log" must be a list of strings; line skipped`),
      a.stderr,
    );
    const again = cli(['plan', 'staging', '--out', planFile, '--quiet'], dir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /no changes/);
    // ${image} = the image last pushed for staging, by digest; the secret is nowhere in output or journal.
    const state = fs.readFileSync(path.join(dir, 'infra', 'terraform.tfstate'), 'utf8');
    assert.ok(state.includes(`ghcr.io/acme/helixdb@sha256:${'ab'.repeat(32)}`), state);
    const journal = fs.readFileSync(path.join(dir, '.helix', 'runs.jsonl'), 'utf8');
    for (const text of [p.stdout, p.stderr, a.stdout, a.stderr, journal])
      assert.ok(!text.includes(CANARY), 'canary leaked');
    assert.match(journal, /"kind":"apply"/);
    // A plan handed to a later apply is recorded as Saved, not Cancelled (a CI history must not read like failures).
    const records = journal
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const planIds = new Set(
      records.filter((r) => r.t === 'begin' && r.run.kind === 'plan' && r.run.id !== 'r2').map((r) => r.run.id),
    );
    const ends = records
      .filter((r) => r.t === 'state' && planIds.has(r.id) && r.state !== 'Planning' && r.state !== 'Planned')
      .map((r) => r.state);
    assert.deepEqual(ends, ['Saved', 'Saved']);
    assert.equal(
      fs
        .readFileSync(path.join(dir, '.helix', '.gitignore'), 'utf8')
        .trim()
        .split('\n')
        .pop(),
      '*',
    );
  });

  it('two CLI processes and a compacting process share one history: no run lost, none duplicated', async () => {
    const dir = project('cli-shared', 'resource "terraform_data" "app" { input = var.image }\n');
    fs.appendFileSync(
      path.join(dir, 'helix.deploy.toml'),
      '\n[environments.prod]\ninstance = "dev"\nregistry = "ghcr.io/acme/helixdb"\nterraform = { dir = "infra-prod", vars = { image = "${image}" } }\n',
    );
    fs.mkdirSync(path.join(dir, 'infra-prod'));
    fs.writeFileSync(
      path.join(dir, 'infra-prod', 'main.tf'),
      'variable "image" { type = string }\nresource "terraform_data" "app" { input = var.image }\n',
    );
    const history = path.join(dir, '.helix', 'runs.jsonl');
    // A third process compacts the history over and over while both CLIs plan and apply.
    const compactor = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('tsx/cjs'),
        path.resolve(__dirname, '../../support/history-child.ts'),
        'compact',
        history,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let compactions = '';
    compactor.stdout.on('data', (d) => (compactions += d));
    const compacted = new Promise((resolve) => compactor.on('close', resolve));
    const flow = async (env: string) => {
      const file = path.join(dir, `${env}.plan`);
      const p = await cliAsync(['plan', env, '--out', file, '--quiet'], dir);
      assert.equal(p.code, 2, p.stderr);
      const a = await cliAsync(['apply', env, '--plan', file, '--quiet'], dir);
      assert.equal(a.code, 0, a.stderr);
    };
    try {
      await Promise.all([flow('staging'), flow('prod')]);
    } finally {
      fs.writeFileSync(`${history}.stop`, '');
      await compacted;
    }
    assert.ok(Number(compactions) > 0, 'the history was compacted meanwhile');
    const records = fs
      .readFileSync(history, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const heads = records.filter((r) => r.t === 'begin' || r.t === 'snap').map((r) => r.run.id);
    assert.equal(new Set(heads).size, heads.length, 'a run recorded twice');
    const j = await Journal.open(history);
    try {
      const runs = j
        .list()
        .map((r) => `${r.environment} ${r.kind} ${r.state}`)
        .sort();
      assert.deepEqual(runs, [
        'prod apply Applied',
        'prod plan Saved',
        'prod push Succeeded',
        'staging apply Applied',
        'staging plan Saved',
        'staging push Succeeded',
      ]);
    } finally {
      await j.close();
    }
  });

  it('Ctrl-C during plan cancels the run: exit 1, Cancelled in the journal, the environment free for the next plan', async () => {
    // Thousands of resources keep terraform planning long enough to interrupt it.
    const dir = project(
      'sigint',
      'resource "terraform_data" "many" {\n  count = 4000\n  input = "${var.image}-${count.index}"\n}\n',
    );
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), CLI, 'plan', 'staging'], {
      cwd: dir,
      env: { ...process.env, ...TF_ENV, HELIX_TEST_CANARY: CANARY },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => {
      // Interrupt once terraform reports its first planned change (the plan is under way).
      const poll = setInterval(
        () => /terraform_data\.many\[/.test(stderr) && (clearInterval(poll), child.kill('SIGINT')),
        50,
      );
      child.on('exit', (c) => (clearInterval(poll), resolve(c)));
    });
    assert.equal(code, 1, stderr.slice(-2000));
    assert.match(stderr, /Cancelled/, stderr.slice(-3000));
    const records = fs
      .readFileSync(path.join(dir, '.helix', 'runs.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const states = records.filter((r) => r.state).map((r) => r.state);
    assert.equal(states.at(-1), 'Cancelled', states.join(' -> '));
    // Nothing left locked or busy: the next plan runs to the end.
    const next = cli(['plan', 'staging', '--quiet'], dir);
    assert.equal(next.code, 2, next.stderr);
  });

  it('apply refuses a stale plan with exit 1 and says to re-plan', async () => {
    const dir = project('cli-stale', 'resource "terraform_data" "app" { input = var.image }\n');
    const planFile = path.join(dir, 'p.plan');
    assert.equal(cli(['plan', 'staging', '--out', planFile, '--quiet'], dir).code, 2);
    const other = path.join(dir, 'other.plan');
    assert.equal(cli(['plan', 'staging', '--out', other, '--quiet'], dir).code, 2);
    assert.equal(cli(['apply', 'staging', '--plan', other], dir).code, 0);
    const stale = cli(['apply', 'staging', '--plan', planFile], dir);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /stale.*Nothing was applied.*Re-plan/s);
    assert.ok(stale.stderr.includes(`Plan again with: helix-deploy plan staging --out ${planFile}`), stale.stderr);
  });

  it('usage errors exit 2 with a message; unknown environment lists the known ones', () => {
    const dir = project('cli-usage', '');
    const r = cli(['apply', 'staging'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing --plan FILE/);
    const u = cli(['plan', 'nope'], dir);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /no Terraform, Pulumi or Kubernetes environment "nope".*available: staging/);
  });

  it('a missing terraform exits 1 with how to set the path', () => {
    const dir = project('cli-missing', '');
    const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), CLI, 'plan', 'staging'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, HELIX_DEPLOY_TERRAFORM_PATH: '/nonexistent/terraform' },
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Terraform was not found.*HELIX_DEPLOY_TERRAFORM_PATH/s);
  });

  it('show-plan renders terraform, pulumi preview and pulumi events the same way; --json has the summary counts', () => {
    const here = path.resolve(__dirname, '../../fixtures/plan');
    const tf = cli(['show-plan', path.join(here, 'shared/generated/tf-local-1.json'), '--json'], here);
    assert.equal(tf.code, 0, tf.stderr);
    const m = JSON.parse(tf.stdout);
    assert.deepEqual([m.summary.create, m.summary.update, m.summary.delete, m.summary.replace], [1, 1, 1, 1]);
    assert.ok(!tf.stdout.includes('hunter2'));
    const u16 = cli(['show-plan', path.join(here, 'tf-local-1.utf16le-bom.json')], here);
    assert.equal(u16.code, 0, u16.stderr);
    assert.match(u16.stdout, /Plan: 1 to create, 1 to update, 1 to replace, 1 to delete, 2 output changes\./);
    const pv = cli(['show-plan', path.resolve(__dirname, '../../fixtures/pulumi/preview.json')], here);
    assert.equal(pv.code, 0, pv.stderr);
    assert.match(pv.stdout, /Plan: 1 to create, 1 to update, 2 to replace, 1 to delete\./);
    const ev = cli(['show-plan', path.resolve(__dirname, '../../fixtures/pulumi/up-failed.jsonl'), '--json'], here);
    assert.equal(ev.code, 0, ev.stderr);
    assert.equal(JSON.parse(ev.stdout).errored, true);
    const bad = cli(['show-plan', path.join(here, 'tf-future-major.json')], here);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unsupported Terraform plan format version 2\.0/);
  });

  it('show-plan reads a binary terraform plan through terraform show -json', () => {
    const dir = project('cli-binary', 'resource "terraform_data" "x" { input = var.db_password }\n');
    const planFile = path.join(dir, 'infra', 'bin.plan');
    assert.equal(cli(['plan', 'staging', '--out', planFile, '--quiet'], dir).code, 2);
    const r = cli(['show-plan', planFile, '--json', '--dir', path.join(dir, 'infra')], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).summary.create, 1);
    assert.ok(!r.stdout.includes(CANARY));
  });
});
