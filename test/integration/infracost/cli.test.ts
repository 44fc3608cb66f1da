import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CANARY, TF_ENV, terraformAvailable, workDir } from '../terraform/harness';
import { recordedPush } from '../../support/pushed';

// Cost estimates as CI sees them: the real CLI process, real terraform, and the stand-in `infracost` program
// replaying a recorded real report (test/fixtures/infracost/SOURCES.md). The API key is the canary: it must
// reach Infracost's environment and nothing else.
const CLI = path.resolve(__dirname, '../../../src/cli/index.ts');
const FIX = path.resolve(__dirname, '../../fixtures/infracost');
const FAKE = path.join(FIX, 'fake-infracost.mjs');

function cli(args: string[], cwd: string, env: Record<string, string | undefined>) {
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...TF_ENV, HELIX_TEST_CANARY: CANARY, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function project(budget: number, vars = ''): string {
  const dir = workDir('cost');
  fs.writeFileSync(
    path.join(dir, 'helix.toml'),
    '[project]\nname = "demo"\nqueries = "db/"\n\n[local.dev]\nport = 6969\nbuild_mode = "dev"\n',
  );
  fs.writeFileSync(
    path.join(dir, 'helix.deploy.toml'),
    `[environments.staging]\ninstance = "dev"\nregistry = "ghcr.io/acme/helixdb"\nterraform = { dir = "infra", vars = { image = "\${image}"${vars} } }\nbudget_monthly = ${budget}\n`,
  );
  recordedPush(dir, 'staging');
  fs.mkdirSync(path.join(dir, 'infra'));
  fs.writeFileSync(
    path.join(dir, 'infra', 'main.tf'),
    'variable "image" { type = string }\nresource "terraform_data" "app" { input = var.image }\n',
  );
  return dir;
}

describe('cost estimate in the CLI (real terraform, stand-in infracost)', function () {
  this.timeout(120_000);
  before(terraformAvailable);

  it('plan prints the Infracost estimate and the budget warning; the API key reaches only Infracost', () => {
    const dir = project(1000);
    const calls = path.join(dir, 'calls.jsonl');
    const env = { HELIX_DEPLOY_INFRACOST_PATH: FAKE, INFRACOST_API_KEY: CANARY, FAKE_INFRACOST_CALLS: calls };
    const p = cli(['plan', 'staging', '--quiet'], dir, env);
    assert.equal(p.code, 2, p.stderr);
    // The recorded report priced other resources than this plan's terraform_data: that one is not estimated.
    assert.match(
      p.stdout,
      /^Cost: \+\$1,361\.31\/month, total \$1,361\.31\/month for the estimated resources; 1 resource not estimated$/m,
    );
    assert.match(p.stdout, /sources: Infracost 0\.10\.41/);
    assert.match(p.stdout, /terraform_data\.app: not estimated \(not in the Infracost report\)/);
    assert.match(
      p.stdout,
      /^WARNING: Estimated \$1,361\.31\/month for staging is over its budget_monthly of \$1,000\.00 \(and 1 resource is not estimated\)\.$/m,
    );
    const breakdown = fs
      .readFileSync(calls, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((c) => c.args[0] === 'breakdown');
    assert.deepEqual(
      breakdown.args.filter((a: string) => a !== breakdown.args[2]),
      ['breakdown', '--path', '--format', 'json', '--no-color'],
    );
    assert.equal(breakdown.apiKey, 'canary', 'INFRACOST_API_KEY reached infracost');
    assert.equal(breakdown.isPlanJson, true, 'infracost got terraform show -json output');
    assert.ok(!fs.existsSync(breakdown.args[2]), 'the unredacted plan JSON was deleted after Infracost read it');
    const journal = fs.readFileSync(path.join(dir, '.helix', 'runs.jsonl'), 'utf8');
    for (const text of [p.stdout, p.stderr, journal]) assert.ok(!text.includes(CANARY), 'the API key leaked');
    assert.ok(!JSON.stringify(breakdown.args).includes(CANARY), 'the API key is not an argument');
    assert.match(journal, /"budgetWarning":\{"kind":"budget"/);
  });

  it('plan --json carries the estimate and the typed budget warning', () => {
    const dir = project(1000);
    const p = cli(['plan', 'staging', '--quiet', '--json'], dir, {
      HELIX_DEPLOY_INFRACOST_PATH: FAKE,
      INFRACOST_API_KEY: CANARY,
    });
    assert.equal(p.code, 2, p.stderr);
    const doc = JSON.parse(p.stdout);
    assert.equal(doc.cost.totalMonthly, 1361.31);
    assert.equal(doc.cost.diffMonthly, 1361.31);
    assert.deepEqual(doc.cost.notEstimated, ['terraform_data.app']);
    assert.equal(doc.cost.sources[0].id, 'infracost');
    assert.deepEqual(
      { kind: doc.budgetWarning.kind, budget: doc.budgetWarning.budgetMonthly },
      { kind: 'budget', budget: 1000 },
    );
  });

  it('without Infracost, or without its API key, the plan still succeeds and says why there is no estimate', () => {
    const dir = project(1000);
    const missing = cli(['plan', 'staging', '--quiet'], dir, {
      HELIX_DEPLOY_INFRACOST_PATH: path.join(dir, 'no-such-infracost'),
    });
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stdout, /^Cost: not estimated \(1 resource not estimated\)$/m);
    assert.match(
      missing.stdout,
      /note: Infracost is not installed \(looked for ".*no-such-infracost"\): cloud resources are not estimated\. Install it, or set HELIX_DEPLOY_INFRACOST_PATH\./,
    );
    assert.doesNotMatch(missing.stdout, /WARNING/);
    const noKey = cli(['plan', 'staging', '--quiet'], dir, {
      HELIX_DEPLOY_INFRACOST_PATH: FAKE,
      INFRACOST_API_KEY: undefined,
    });
    assert.equal(noKey.code, 2, noKey.stderr);
    assert.match(
      noKey.stdout,
      /error: Infracost failed: Run `infracost auth login` to get a free API key\. Set the Infracost API key/,
    );
  });

  it('an Infracost error quoting a secret of the plan is shown masked', () => {
    const dir = project(1000, ', db_password = "${env:HELIX_TEST_CANARY}"');
    fs.appendFileSync(
      path.join(dir, 'infra', 'main.tf'),
      'variable "db_password" {\n  type = string\n  sensitive = true\n}\n',
    );
    const p = cli(['plan', 'staging', '--quiet'], dir, {
      HELIX_DEPLOY_INFRACOST_PATH: FAKE,
      INFRACOST_API_KEY: 'key-1',
      FAKE_INFRACOST_STDERR: `Error: bad value "${CANARY}"`,
    });
    assert.equal(p.code, 2, p.stderr);
    assert.match(p.stdout, /error: Infracost failed: Error: bad value "\(sensitive\)"/);
    assert.ok(!p.stdout.includes(CANARY), p.stdout);
  });

  it('show-plan prices a saved terraform show -json document (the plan Infracost priced in the recording)', () => {
    const dir = workDir('cost-show');
    const r = cli(['show-plan', path.join(FIX, 'example_plan.json')], dir, {
      HELIX_DEPLOY_INFRACOST_PATH: FAKE,
      INFRACOST_API_KEY: CANARY,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Cost: \+\$1,361\.31\/month, total \$1,361\.31\/month$/m);
    assert.match(r.stdout, /aws_instance\.web_app: \$742\.64\/month \(was \$0\.00\)/);
    const json = JSON.parse(
      cli(['show-plan', path.join(FIX, 'example_plan.json'), '--json'], dir, {
        HELIX_DEPLOY_INFRACOST_PATH: FAKE,
        INFRACOST_API_KEY: CANARY,
      }).stdout,
    );
    assert.equal(json.cost.totalMonthly, 1361.31);
    assert.deepEqual(json.cost.notEstimated, []);
  });
});
