import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluateGuardrails, guardrailContext } from '../../../../src/core/guardrails';
import { parsePlanDocument } from '../../../../src/core/plan/parse';
import { Redactor } from '../../../../src/core/process/redact';

// Rules the user writes in helix.deploy.toml, read afresh at each plan, validated by the file's schema.

const FIXTURES = path.resolve(__dirname, '../../../fixtures');
const openSg = () =>
  parsePlanDocument(fs.readFileSync(path.join(FIXTURES, 'guardrails/tf-open-security-group.json')), {
    redactor: new Redactor(),
  });

function project(deployToml: string): string {
  const dir = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'guardrails-'));
  fs.writeFileSync(path.join(dir, 'helix.deploy.toml'), deployToml);
  return dir;
}

const RULES = `
[guardrails]
[[guardrails.rules]]
effect = "deny"
type = "aws_security_*"
actions = ["create"]
environments = ["prod*"]
message = "security groups are created by the network team"

[[guardrails.rules]]
effect = "warn"
address = "aws_security_group.*"

[environments.prod]
terraform = "infra"
protected = true
allow_destroy = ["aws_db_instance.legacy"]

[environments.staging]
terraform = "infra"
`;

describe('guardrails: rules in helix.deploy.toml', () => {
  it('reads rules, allow_destroy and the conftest folder of the environment', () => {
    const dir = project(`${RULES}\n[guardrails.policy]\nconftest = "policy/"\n`.replace('[guardrails]\n', ''));
    const ctx = guardrailContext(dir, 'prod', true);
    assert.deepEqual(ctx.configErrors, []);
    assert.deepEqual(ctx.allowDestroy, ['aws_db_instance.legacy']);
    assert.equal(ctx.rules.length, 2);
    assert.deepEqual(ctx.rules[0], {
      effect: 'deny',
      type: 'aws_security_*',
      address: undefined,
      actions: ['create'],
      environments: ['prod*'],
      message: 'security groups are created by the network team',
    });
    assert.equal(ctx.conftestPolicy, path.join(dir, 'policy'));
  });

  it('a deny rule blocks the matching environment only; a warn rule is shown everywhere', async () => {
    const dir = project(RULES);
    const prod = await evaluateGuardrails(openSg(), guardrailContext(dir, 'prod-eu', false));
    const byRule = prod.findings.map((f) => [f.rule, f.severity, f.source]);
    assert.deepEqual(byRule, [
      ['rule:1', 'deny', 'helix.deploy.toml'],
      ['public-exposure', 'warn', 'built-in'],
      ['rule:2', 'warn', 'helix.deploy.toml'],
    ]);
    assert.match(
      prod.findings[0].message,
      /aws_security_group\.allow_ping: security groups are created by the network team \(guardrails\.rules #1\)/,
    );
    assert.equal(prod.blocked, true);

    const staging = await evaluateGuardrails(openSg(), guardrailContext(dir, 'staging', false));
    assert.equal(staging.blocked, false);
    assert.deepEqual(
      staging.findings.map((f) => f.rule),
      ['public-exposure', 'rule:2'],
    );
  });

  it('changing the rule to warn in the file unblocks the next plan', async () => {
    const dir = project(RULES);
    assert.equal((await evaluateGuardrails(openSg(), guardrailContext(dir, 'prod', false))).blocked, true);
    fs.writeFileSync(path.join(dir, 'helix.deploy.toml'), RULES.replace('effect = "deny"', 'effect = "warn"'));
    const after = await evaluateGuardrails(openSg(), guardrailContext(dir, 'prod', false));
    assert.equal(after.blocked, false);
    assert.ok(after.findings.some((f) => f.rule === 'rule:1' && f.severity === 'warn'));
  });

  it('a rule the schema refuses blocks the plan with the reason, never skipped', async () => {
    const dir = project(RULES.replace('effect = "deny"', 'effect = "block"'));
    const ctx = guardrailContext(dir, 'prod', false);
    assert.equal(ctx.configErrors.length, 1);
    assert.match(ctx.configErrors[0], /helix\.deploy\.toml: unknown variant `block`, expected one of `deny`, `warn`/);
    const report = await evaluateGuardrails(openSg(), ctx);
    assert.equal(report.blocked, true);
    assert.equal(report.findings[0].rule, 'guardrails-config');
  });

  it('without helix.deploy.toml only the built-in rules run', () => {
    const dir = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'guardrails-'));
    assert.deepEqual(guardrailContext(dir, 'prod', true), {
      environment: 'prod',
      protected: true,
      allowDestroy: [],
      rules: [],
      configErrors: [],
    });
  });
});
