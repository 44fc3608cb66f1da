import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InfracostFormatError, parseInfracostJson } from '../../../../src/core/cost/infracost';
import { estimateCost } from '../../../../src/core/cost/estimate';
import { parseTerraformShow } from '../../../../src/core/plan/terraform/show';
import { renderCost } from '../../../../src/core/cost/render';

// Real Infracost reports (test/fixtures/infracost/SOURCES.md) and the real plan one of them priced.
const FIX = path.resolve(__dirname, '../../../fixtures/infracost');
const read = (f: string) => fs.readFileSync(path.join(FIX, f), 'utf8');
const SOURCE = { id: 'infracost' as const, label: 'Infracost 0.10.41' };

describe('cost: Infracost JSON', () => {
  it('reads totals, past totals, the difference and per-resource monthly costs of a real report', () => {
    const r = parseInfracostJson(read('breakdown.json'));
    assert.equal(r.currency, 'USD');
    assert.equal(r.formatVersion, '0.2');
    assert.equal(r.totalMonthly, 1361.3075);
    assert.equal(r.pastTotalMonthly, 0);
    assert.equal(r.diffMonthly, 1361.3075);
    assert.equal(r.timeGenerated, undefined, 'the recording holds a placeholder, not a date');
    assert.deepEqual(r.resources.get('aws_instance.web_app'), {
      address: 'aws_instance.web_app',
      source: 'infracost',
      monthly: 742.64,
      pastMonthly: 0,
    });
    assert.equal(r.resources.get('aws_lambda_function.hello_world')?.monthly, 436.6675);
  });

  it('a report of an already deployed project: past total = total, difference 0', () => {
    const r = parseInfracostJson(read('breakdown-unchanged.json'));
    assert.equal(r.pastTotalMonthly, 657);
    assert.equal(r.diffMonthly, 0);
    const arc1 = r.resources.get('azurerm_redis_cache.arc1')!;
    assert.equal(arc1.monthly, arc1.pastMonthly);
  });

  it('a resource whose monthlyCost is null (usage-based, no usage) is not estimated, never 0', () => {
    const doc = JSON.parse(read('breakdown.json'));
    doc.projects[0].breakdown.resources[1].monthlyCost = null;
    const r = parseInfracostJson(JSON.stringify(doc));
    const lambda = r.resources.get('aws_lambda_function.hello_world')!;
    assert.equal(lambda.monthly, undefined);
    assert.match(lambda.note!, /usage-based/);
  });

  it('refuses what is not an Infracost report, saying what was expected', () => {
    assert.throws(
      () => parseInfracostJson('Error: no API key'),
      (e: unknown) => e instanceof InfracostFormatError && /did not print JSON/.test(e.message),
    );
    assert.throws(() => parseInfracostJson('{"format_version":"1.2"}'), /infracost breakdown --format json/);
    assert.throws(
      () => parseInfracostJson('{"version":"1.0","projects":[]}'),
      /unsupported Infracost JSON format 1\.0/,
    );
  });

  it('prices the plan it was computed from: every resource from Infracost, totals match its own', () => {
    const model = parseTerraformShow(JSON.parse(read('example_plan.json')));
    const e = estimateCost({
      model,
      infracost: { report: parseInfracostJson(read('breakdown.json')), source: SOURCE },
    });
    assert.deepEqual(e.notEstimated, []);
    assert.equal(e.totalMonthly, 1361.31);
    assert.equal(e.pastTotalMonthly, 0);
    assert.equal(e.diffMonthly, 1361.31);
    assert.deepEqual(
      e.sources.map((s) => s.label),
      ['Infracost 0.10.41'],
    );
    const text = renderCost(e);
    assert.match(text, /^Cost: \+\$1,361\.31\/month, total \$1,361\.31\/month$/m);
    assert.match(text, /sources: Infracost 0\.10\.41/);
    assert.match(text, /aws_instance\.web_app: \$742\.64\/month \(was \$0\.00\)/);
  });

  it('a resource of the plan Infracost does not list is "not estimated", and the total says it covers the rest', () => {
    const model = parseTerraformShow(JSON.parse(read('example_plan.json')));
    const doc = JSON.parse(read('breakdown.json'));
    doc.projects[0].breakdown.resources = doc.projects[0].breakdown.resources.filter(
      (r: { name: string }) => r.name !== 'aws_s3_bucket.usage',
    );
    const e = estimateCost({ model, infracost: { report: parseInfracostJson(JSON.stringify(doc)), source: SOURCE } });
    assert.deepEqual(e.notEstimated, ['aws_s3_bucket.usage']);
    assert.match(renderCost(e), /total \$1,361\.31\/month for the estimated resources; 1 resource not estimated/);
    assert.match(renderCost(e), /aws_s3_bucket\.usage: not estimated \(not in the Infracost report\)/);
  });

  it('Infracost missing is a stated problem, and its resources are not estimated', () => {
    const model = parseTerraformShow(JSON.parse(read('example_plan.json')));
    const e = estimateCost({
      model,
      infracost: { problem: { source: 'infracost', kind: 'missing', message: 'Infracost is not installed' } },
    });
    assert.equal(e.totalMonthly, undefined);
    assert.equal(e.notEstimated.length, 5);
    assert.match(
      renderCost(e),
      /^Cost: not estimated \(5 resources not estimated\)\n {2}sources: no source\n {2}note: Infracost is not installed/,
    );
  });
});
