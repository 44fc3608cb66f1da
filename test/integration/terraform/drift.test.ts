import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CANARY, TF_ENV, terraformAvailable, workDir } from './harness';
import { recordedPush } from '../../support/pushed';

// `helix-deploy drift` for Terraform with the real terraform (`plan -refresh-only` then `show -json`) and for
// Pulumi through the stand-in executable replaying a recorded `pulumi preview --json --refresh`.
// Terraform's builtin provider cannot drift (terraform_data only stores what it was given, so a refresh
// reads back the same object) and no provider that reads real objects is available offline: the Terraform
// drift itself (resource_drift with values) is covered by the unit tests on recorded real plans.

const CLI = path.resolve(__dirname, '../../../src/cli/index.ts');
const FAKE_PULUMI = path.resolve(__dirname, '../../fixtures/pulumi/fake-pulumi.mjs');

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...TF_ENV, HELIX_TEST_CANARY: CANARY, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function project(name: string, deployToml: string): string {
  const dir = workDir(name);
  fs.writeFileSync(
    path.join(dir, 'helix.toml'),
    '[project]\nname = "demo"\nqueries = "db/"\n\n[local.dev]\nport = 6969\nbuild_mode = "dev"\n',
  );
  fs.writeFileSync(path.join(dir, 'helix.deploy.toml'), deployToml);
  fs.mkdirSync(path.join(dir, 'infra'));
  return dir;
}

describe('helix-deploy drift (real terraform; Pulumi stand-in)', function () {
  this.timeout(180_000);
  before(terraformAvailable);

  it('terraform: a real refresh-only check of an applied environment exits 0, records a drift run and writes no state', () => {
    const dir = project(
      'drift-tf',
      '[environments.staging]\ninstance = "dev"\nregistry = "ghcr.io/acme/helixdb"\nterraform = { dir = "infra", vars = { image = "${image}", db_password = "${env:HELIX_TEST_CANARY}" } }\n',
    );
    recordedPush(dir, 'staging');
    fs.writeFileSync(
      path.join(dir, 'infra', 'main.tf'),
      'variable "image" { type = string }\nvariable "db_password" {\n  type = string\n  sensitive = true\n}\nresource "terraform_data" "app" { input = { image = var.image, pw = var.db_password } }\n',
    );
    const deployed = cli(['deploy', 'staging', '--yes'], dir);
    assert.equal(deployed.code, 0, deployed.stderr);
    const state = fs.readFileSync(path.join(dir, 'infra', 'terraform.tfstate'), 'utf8');
    const d = cli(['drift', 'staging', '--json'], dir);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stderr, /\$ terraform plan -refresh-only -input=false -json/);
    const doc = JSON.parse(d.stdout);
    assert.equal(doc.source, 'terraform');
    assert.equal(doc.drifted, 0);
    assert.equal(fs.readFileSync(path.join(dir, 'infra', 'terraform.tfstate'), 'utf8'), state);
    const journal = fs.readFileSync(path.join(dir, '.helix', 'runs.jsonl'), 'utf8');
    assert.match(journal, /"kind":"drift"/);
    assert.ok(!journal.includes(CANARY) && !d.stdout.includes(CANARY) && !d.stderr.includes(CANARY), 'canary leaked');
    // The scratch refresh-only plan (values in plain text) is gone.
    assert.deepEqual(
      fs.readdirSync(path.join(dir, '.helix', 'plans')).filter((f) => f.endsWith('.drift')),
      [],
    );
  });

  it('terraform: a configuration error exits 1 with the reason', () => {
    const dir = project('drift-tf-bad', '[environments.staging]\nterraform = { dir = "infra" }\n');
    fs.writeFileSync(path.join(dir, 'infra', 'main.tf'), 'resource "terraform_data" "app" { input = var.missing }\n');
    const d = cli(['drift', 'staging', '--quiet'], dir);
    assert.equal(d.code, 1, d.stdout);
    assert.match(d.stderr, /helix-deploy drift: Failed: .*(undeclared|missing)/is);
  });

  it('pulumi: recorded preview --refresh with a changed bucket exits 2 with its attribute diffs; a broken run exits 1', () => {
    const dir = project('drift-pulumi', '[environments.dev]\npulumi = { dir = "infra", stack = "dev" }\n');
    const env = { HELIX_DEPLOY_PULUMI_PATH: FAKE_PULUMI, FAKE_PULUMI_CALLS: path.join(dir, 'calls.jsonl') };
    const d = cli(['drift', 'dev', '--quiet'], dir, env);
    assert.equal(d.code, 2, d.stderr);
    assert.match(
      d.stdout,
      /~ urn:pulumi:test::simple-s3::aws:s3\/bucket:Bucket::test-bucket \(changed outside Pulumi; changed: tags, tagsAll\)/,
    );
    assert.match(d.stdout, /tags\.ManagedBy: \(none\) -> "manual"/);
    const calls = fs
      .readFileSync(env.FAKE_PULUMI_CALLS, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).args);
    assert.ok(
      calls.some(
        (a: string[]) =>
          a[0] === 'preview' && a.includes('--refresh') && a.includes('--expect-no-changes') && a.includes('--json'),
      ),
      JSON.stringify(calls),
    );
    const broken = cli(['drift', 'dev', '--quiet'], dir, { ...env, FAKE_PULUMI_REFRESH: 'missing.jsonl' });
    assert.equal(broken.code, 1, broken.stdout);
    assert.match(broken.stderr, /helix-deploy drift: Failed: pulumi preview --refresh failed/);
  });
});
