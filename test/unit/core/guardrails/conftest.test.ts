import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluateGuardrails, type GuardrailContext } from '../../../../src/core/guardrails';
import { parseConftestOutput } from '../../../../src/core/guardrails/conftest';
import { parsePlanDocument } from '../../../../src/core/plan/parse';
import { Redactor } from '../../../../src/core/process/redact';

// The team's policies through conftest, run as a process with an argument array. conftest cannot be
// installed here: test/fixtures/conftest/fake-conftest.mjs stands in for it (it does not evaluate Rego; see
// its SOURCES.md) and prints conftest's JSON for test/fixtures/conftest/policy/helix.rego.

const FIXTURES = path.resolve(__dirname, '../../../fixtures');
const FAKE = path.join(FIXTURES, 'conftest/fake-conftest.mjs');
const POLICY = path.join(FIXTURES, 'conftest/policy');
const tmp = () => fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'conftest-'));
const openSg = () =>
  parsePlanDocument(fs.readFileSync(path.join(FIXTURES, 'guardrails/tf-open-security-group.json')), {
    redactor: new Redactor(),
  });
const ctx = (over: Partial<GuardrailContext> = {}): GuardrailContext => ({
  environment: 'staging',
  protected: false,
  allowDestroy: [],
  rules: [],
  configErrors: [],
  conftestPolicy: POLICY,
  ...over,
});

describe('guardrails: conftest policies', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['FAKE_CONFTEST_RESULTS', 'FAKE_CONFTEST_ERROR', 'FAKE_CONFTEST_CALLS']) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('runs `conftest test --output json` on the plan and turns failures into denies and warnings into warnings', async () => {
    const work = tmp();
    process.env.FAKE_CONFTEST_RESULTS = path.join(FIXTURES, 'conftest/open-sg-results.json');
    process.env.FAKE_CONFTEST_CALLS = path.join(work, 'calls.jsonl');
    const report = await evaluateGuardrails(openSg(), ctx(), { conftest: { executable: FAKE, workDir: work } });
    const fromPolicy = report.findings.filter((f) => f.source === 'conftest');
    assert.deepEqual(
      fromPolicy.map((f) => [f.severity, f.rule, f.message]),
      [
        [
          'deny',
          'conftest:main',
          'aws_security_group.allow_ping: ingress from 0.0.0.0/0 on port 8; only 443 may be open to the internet',
        ],
        ['warn', 'conftest:main', 'aws_security_group.allow_ping: give the security group a description of its own'],
      ],
    );
    assert.equal(report.blocked, true);
    const call = JSON.parse(fs.readFileSync(path.join(work, 'calls.jsonl'), 'utf8').trim());
    assert.deepEqual(call.args.slice(0, 6), ['test', '--no-color', '--output', 'json', '--policy', POLICY]);
    // The policy sees the redacted plan model and the environment, in a private file removed afterwards.
    assert.equal(call.input.source, 'terraform');
    assert.equal(call.input.resources[0].address, 'aws_security_group.allow_ping');
    assert.ok(
      call.input.resources[0].attributes.some(
        (a: { path: unknown[]; after: unknown }) =>
          a.path.join('.') === 'ingress.0.cidr_blocks.0' && a.after === '0.0.0.0/0',
      ),
    );
    assert.deepEqual(call.input.environment, { name: 'staging', protected: false });
    assert.deepEqual(fs.readdirSync(work), ['calls.jsonl']);
  });

  it('a policy set that passes adds nothing', async () => {
    const work = tmp();
    const pass = path.join(work, 'pass.json');
    fs.writeFileSync(pass, JSON.stringify([{ filename: '', namespace: 'main', successes: 2 }]));
    process.env.FAKE_CONFTEST_RESULTS = pass;
    const report = await evaluateGuardrails(openSg(), ctx(), { conftest: { executable: FAKE, workDir: work } });
    assert.deepEqual(
      report.findings.filter((f) => f.source === 'conftest'),
      [],
    );
  });

  it('a missing conftest blocks with a clear message, never a silent pass', async () => {
    const report = await evaluateGuardrails(openSg(), ctx(), {
      conftest: { executable: path.join(tmp(), 'no-conftest'), workDir: tmp() },
    });
    assert.equal(report.blocked, true);
    assert.match(
      report.findings[0].message,
      /conftest was not found \(looked for ".*no-conftest"\): install conftest, or set helixDeploy\.conftest\.path/,
    );
  });

  it("a policy that does not load blocks with conftest's error", async () => {
    process.env.FAKE_CONFTEST_ERROR = '1 error occurred: policy/helix.rego:7: rego_parse_error: unexpected eof token';
    const report = await evaluateGuardrails(openSg(), ctx(), { conftest: { executable: FAKE, workDir: tmp() } });
    assert.equal(report.blocked, true);
    assert.match(
      report.findings[0].message,
      /^conftest failed, the policies in .* were not checked: Error: running test: load: loading policies: .*rego_parse_error/,
    );
  });

  it('a policy folder that does not exist blocks', async () => {
    const report = await evaluateGuardrails(openSg(), ctx({ conftestPolicy: path.join(tmp(), 'policy') }), {
      conftest: { executable: FAKE, workDir: tmp() },
    });
    assert.equal(report.blocked, true);
    assert.match(report.findings[0].message, /policy folder .* does not exist/);
  });

  it("reads only conftest's JSON shape", () => {
    assert.equal(parseConftestOutput('not json'), undefined);
    assert.equal(parseConftestOutput('{"failures":[]}'), undefined);
    assert.deepEqual(parseConftestOutput('[{"namespace":"main","failures":[{"msg":"x"}]}]'), [
      { namespace: 'main', failures: [{ msg: 'x' }] },
    ]);
  });
});
