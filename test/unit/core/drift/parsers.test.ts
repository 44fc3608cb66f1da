import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { driftFromTerraformShow, driftFromTerraformStream } from '../../../../src/core/drift/terraform';
import { driftFromPulumi } from '../../../../src/core/drift/pulumi';
import {
  driftAsPlanModel,
  driftRecord,
  driftToJSON,
  readDriftRecord,
  renderDrift,
} from '../../../../src/core/drift/model';
import { attributesOf, SENSITIVE } from '../../../../src/core/plan/model';
import { Redactor } from '../../../../src/core/process/redact';

// Drift reports from recorded real tool output: Terraform `show -json` documents with `resource_drift`
// (shared plan fixtures, SOURCES.md), Pulumi `preview --json --refresh` NDJSON (test/fixtures/pulumi/SOURCES.md).

const PLANS = path.resolve(__dirname, '../../../fixtures/plan/shared');
const PULUMI = path.resolve(__dirname, '../../../fixtures/pulumi');
const tf = (name: string) => JSON.parse(fs.readFileSync(path.join(PLANS, name), 'utf8'));

describe('drift parsers', () => {
  it('terraform show -json: resource_drift becomes the report with before (state) -> after (live) values', () => {
    const r = driftFromTerraformShow(tf('tf-terraform-2.json'));
    assert.equal(r.source, 'terraform');
    assert.deepEqual(
      r.resources.map((x) => [x.address, x.action]),
      [['test_instance.should_refresh', 'update']],
    );
    assert.deepEqual(
      attributesOf(r.resources[0]).map((a) => [a.path.join('.'), a.before, a.after]),
      [['ami', 'refresh-me', 'refreshed']],
    );
    assert.match(
      renderDrift(r),
      /test_instance\.should_refresh \(changed outside Terraform\)\n\s+ami: "refresh-me" -> "refreshed"\nDrift: 1 resource changed outside Terraform\./,
    );
  });

  it('terraform 1.0 resource_drift without "address": the address is built from module, type, name', () => {
    const r = driftFromTerraformShow(tf('tf-terraform-compliance-1.json'));
    assert.equal(r.resources.length, 15);
    assert.ok(
      r.resources.every((x) => !x.address.includes('undefined')),
      r.resources.map((x) => x.address).join(', '),
    );
    const lambda = r.resources.find((x) => x.address === 'aws_lambda_function.lambda');
    assert.equal(lambda?.action, 'delete');
    assert.ok(
      attributesOf(lambda!).some(
        (a) => a.path.join('.') === 'environment.0.variables.LOG_LEVEL' && a.before === 'INFO',
      ),
    );
  });

  it('terraform: values Terraform marks sensitive never reach the report, the text or the JSON', () => {
    const doc = tf('tf-terraform-2.json');
    const d = doc.resource_drift[0].change;
    d.before_sensitive = { ami: true };
    d.after_sensitive = { ami: true };
    const redactor = new Redactor();
    const r = driftFromTerraformShow(doc, { redactor });
    const text = renderDrift(r) + JSON.stringify(driftToJSON(r));
    assert.ok(!text.includes('refreshed') && !text.includes('refresh-me'), text);
    assert.equal(attributesOf(r.resources[0])[0].after, SENSITIVE);
    assert.ok(redactor.isSecret('refreshed'));
  });

  it('terraform plan -refresh-only -json stream: resource_drift messages (addresses, no values)', () => {
    // The documented message shape (machine-readable UI 1.x), as terraform prints it for a refresh-only plan.
    const text = [
      '{"@level":"info","@message":"Terraform 1.11.4","@module":"terraform.ui","terraform":"1.11.4","type":"version","ui":"1.2"}',
      '{"@level":"info","@message":"aws_s3_bucket.b: Drift detected (update)","@module":"terraform.ui","change":{"resource":{"addr":"aws_s3_bucket.b","module":"","resource":"aws_s3_bucket.b","implied_provider":"aws","resource_type":"aws_s3_bucket","resource_name":"b","resource_key":null},"action":"update"},"type":"resource_drift"}',
      '{"@level":"info","@message":"Plan: 0 to add, 0 to change, 0 to destroy.","@module":"terraform.ui","changes":{"add":0,"change":0,"import":0,"remove":0,"operation":"plan"},"type":"change_summary"}',
    ].join('\n');
    const r = driftFromTerraformStream(text);
    assert.deepEqual(
      r.resources.map((x) => [x.address, x.action, x.type]),
      [['aws_s3_bucket.b', 'update', 'aws_s3_bucket']],
    );
  });

  it('pulumi preview --json --refresh: a non-same step is drift, sides swapped (managed -> live)', () => {
    const r = driftFromPulumi(fs.readFileSync(path.join(PULUMI, 'refresh-drift.jsonl'), 'utf8'));
    assert.equal(r.source, 'pulumi');
    assert.deepEqual(
      r.resources.map((x) => [x.address, x.action]),
      [['urn:pulumi:test::simple-s3::aws:s3/bucket:Bucket::test-bucket', 'update']],
    );
    const attrs = attributesOf(r.resources[0]).map((a) => [a.path.join('.'), a.before, a.after]);
    assert.deepEqual(
      attrs.find((a) => a[0] === 'tags.ManagedBy'),
      ['tags.ManagedBy', undefined, 'manual'],
    );
    assert.equal(r.diagnostics.filter((d) => d.severity === 'error').length, 0);
  });

  it('pulumi: a preview without changes is no drift', () => {
    const r = driftFromPulumi(
      fs.readFileSync(path.join(PULUMI, 'refresh-drift.jsonl'), 'utf8').replace(/"op": "update"/g, '"op": "same"'),
    );
    assert.equal(r.resources.length, 0);
    assert.equal(renderDrift(r), 'No drift.');
  });

  it('the history record keeps addresses and counts only; old or foreign records read as absent', () => {
    const r = driftFromTerraformShow(tf('tf-terraform-2.json'));
    const rec = driftRecord(r);
    assert.deepEqual(rec.resources, ['test_instance.should_refresh']);
    assert.ok(!JSON.stringify(rec).includes('refreshed'));
    assert.deepEqual(readDriftRecord({ drift: JSON.parse(JSON.stringify(rec)) }), rec);
    assert.equal(readDriftRecord(undefined), undefined);
    assert.equal(readDriftRecord({ drift: 'yes' }), undefined);
    assert.equal(readDriftRecord({ drift: { count: -1 } }), undefined);
    assert.deepEqual(readDriftRecord({ drift: { count: 2, resources: ['a', 3] } })?.resources, ['a']);
  });

  it('as a plan model: no planned change, every drifted resource under drift (the plan views render it)', () => {
    const m = driftAsPlanModel(driftFromTerraformShow(tf('tf-terraform-2.json')));
    assert.equal(m.resources.length, 0);
    assert.equal(m.summary.drift, 1);
    assert.equal(m.drift[0].relevant, true);
  });
});
