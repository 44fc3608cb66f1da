import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { TF_ENV, terraformAvailable, workDir } from './harness';
import { recordedPush } from '../../support/pushed';

// Guardrails in the headless CLI with real terraform: a deny prints the finding and exits 5 (nothing saved,
// nothing applied); the same rule as a warning lets the plan through. conftest is the stand-in of
// test/fixtures/conftest (conftest cannot be installed here).

const CLI = path.resolve(__dirname, '../../../src/cli/index.ts');
const FAKE_CONFTEST = path.resolve(__dirname, '../../fixtures/conftest/fake-conftest.mjs');

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...TF_ENV, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function project(name: string, guardrails: string): string {
  const dir = workDir(name);
  fs.writeFileSync(
    path.join(dir, 'helix.toml'),
    '[project]\nname = "demo"\nqueries = "db/"\n\n[local.dev]\nport = 6969\n',
  );
  fs.writeFileSync(
    path.join(dir, 'helix.deploy.toml'),
    `[environments.staging]\ninstance = "dev"\nregistry = "ghcr.io/acme/helixdb"\nterraform = { dir = "infra", vars = { image = "\${image}" } }\n\n${guardrails}`,
  );
  recordedPush(dir, 'staging');
  fs.mkdirSync(path.join(dir, 'infra'));
  fs.writeFileSync(
    path.join(dir, 'infra', 'main.tf'),
    'variable "image" { type = string }\nresource "terraform_data" "app" { input = { image = var.image } }\n',
  );
  return dir;
}

const RULE = (effect: string) =>
  `[[guardrails.rules]]\neffect = "${effect}"\ntype = "terraform_data"\nmessage = "terraform_data is reviewed by the platform team"\n`;

describe('helix-deploy guardrails (real terraform, real process)', function () {
  this.timeout(180_000);
  before(terraformAvailable);

  it('a deny rule: plan and deploy print the finding and exit 5 without saving or applying; as a warning plan exits 2', () => {
    const dir = project('guardrails-cli', RULE('deny'));
    const p = cli(['plan', 'staging', '--quiet'], dir);
    assert.equal(p.code, 5, p.stderr);
    assert.match(
      p.stdout,
      /Guardrails: BLOCKED\n {2}DENY {4}\[helix\.deploy\.toml\] terraform_data\.app: terraform_data is reviewed by the platform team/,
    );
    assert.match(p.stderr, /blocked by guardrails \(exit 5\)/);
    assert.equal(fs.existsSync(path.join(dir, '.helix', 'staging.plan')), false, 'no plan saved');
    const d = cli(['deploy', 'staging', '--yes', '--quiet'], dir);
    assert.equal(d.code, 5, d.stderr);
    assert.equal(fs.existsSync(path.join(dir, 'infra', 'terraform.tfstate')), false, 'nothing applied');

    fs.writeFileSync(
      path.join(dir, 'helix.deploy.toml'),
      fs.readFileSync(path.join(dir, 'helix.deploy.toml'), 'utf8').replace('"deny"', '"warn"'),
    );
    const ok = cli(['plan', 'staging', '--quiet', '--json'], dir);
    assert.equal(ok.code, 2, ok.stderr);
    const json = JSON.parse(ok.stdout);
    assert.equal(json.guardrails.blocked, false);
    assert.ok(
      json.guardrails.findings.some(
        (f: { rule: string; severity: string }) => f.rule === 'rule:1' && f.severity === 'warn',
      ),
    );
  });

  it('apply --plan runs the guardrails again: a rule tightened after the plan was saved blocks it with exit 5', () => {
    const dir = project('guardrails-apply', RULE('warn'));
    const out = path.join(dir, 'reviewed.plan');
    const p = cli(['plan', 'staging', '--out', out, '--quiet'], dir);
    assert.equal(p.code, 2, p.stderr);
    assert.ok(fs.existsSync(out), 'the plan was saved');
    // The platform team makes the rule a deny before the reviewed plan is applied.
    fs.writeFileSync(
      path.join(dir, 'helix.deploy.toml'),
      fs.readFileSync(path.join(dir, 'helix.deploy.toml'), 'utf8').replace('"warn"', '"deny"'),
    );
    const a = cli(['apply', 'staging', '--plan', out, '--quiet'], dir);
    assert.equal(a.code, 5, a.stderr);
    assert.match(a.stdout, /Guardrails: BLOCKED/);
    assert.match(
      a.stderr,
      /blocked by guardrails \(exit 5\).*terraform_data is reviewed by the platform team.*Nothing was applied/,
    );
    assert.equal(fs.existsSync(path.join(dir, 'infra', 'terraform.tfstate')), false, 'nothing applied');
    const runs = fs
      .readFileSync(path.join(dir, '.helix', 'runs.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const applyRun = runs.find((e) => e.t === 'begin' && e.run.kind === 'apply')?.run.id;
    assert.ok(applyRun, 'the refused apply is in the history');
    assert.ok(
      runs.some((e) => e.id === applyRun && e.state === 'Cancelled' && /Blocked by guardrails/.test(e.error ?? '')),
      'the apply run ended Cancelled with the finding',
    );
  });

  it('conftest: a failing policy exits 5; a missing conftest blocks too', () => {
    const dir = project('guardrails-conftest', '[guardrails]\npolicy = { conftest = "policy/" }\n');
    fs.cpSync(path.resolve(__dirname, '../../fixtures/conftest/policy'), path.join(dir, 'policy'), { recursive: true });
    const results = path.join(dir, 'results.json');
    fs.writeFileSync(
      results,
      JSON.stringify([
        {
          filename: '',
          namespace: 'main',
          successes: 1,
          failures: [{ msg: 'terraform_data.app: not on the allow list' }],
        },
      ]),
    );
    const p = cli(['plan', 'staging', '--quiet'], dir, {
      HELIX_DEPLOY_CONFTEST_PATH: FAKE_CONFTEST,
      FAKE_CONFTEST_RESULTS: results,
    });
    assert.equal(p.code, 5, p.stderr);
    assert.match(p.stdout, /DENY {4}\[conftest\] terraform_data\.app: not on the allow list/);
    const missing = cli(['plan', 'staging', '--quiet'], dir, {
      HELIX_DEPLOY_CONFTEST_PATH: path.join(dir, 'no-conftest'),
    });
    assert.equal(missing.code, 5, missing.stderr);
    assert.match(missing.stdout, /DENY {4}\[conftest\] conftest was not found/);
  });
});
