import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinReport, evaluateGuardrails, isStateful, type GuardrailContext } from '../../../../src/core/guardrails';
import { buildPlan } from '../../../../src/core/kubernetes/plan';
import { renderManifests } from '../../../../src/core/kubernetes/render';
import {
  ENVIRONMENT_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  type KubeObject,
} from '../../../../src/core/kubernetes/objects';
import { parsePlanDocument } from '../../../../src/core/plan/parse';
import type { PlanModel } from '../../../../src/core/plan/model';
import { renderPlan } from '../../../../src/core/plan/render';
import { Redactor } from '../../../../src/core/process/redact';

// Built-in guardrails on real plans: a real terraform plan opening a security group to 0.0.0.0/0, and the
// Kubernetes planner on the repo's manifests with the environment's database PVC left out (pruned) and the
// image given by tag.

const FIXTURES = path.resolve(__dirname, '../../../fixtures');
const SHARED = path.join(FIXTURES, 'plan/shared'); // a copy of ../shared/data/plans
const DIGEST = `sha256:${'a'.repeat(64)}`;

const ctx = (over: Partial<GuardrailContext> = {}): GuardrailContext => ({
  environment: 'prod',
  protected: false,
  allowDestroy: [],
  rules: [],
  configErrors: [],
  ...over,
});
const tfPlan = (file: string): PlanModel => parsePlanDocument(fs.readFileSync(file), { redactor: new Redactor() });

/** The Kubernetes plan of test/fixtures/kubernetes/app with `image`, while a PVC of ours is live but no longer in the manifests. */
function k8sPlan(image: string): PlanModel {
  const dir = path.join(FIXTURES, 'kubernetes/app');
  const files = fs
    .readdirSync(dir)
    .sort()
    .map((f): [string, string] => [f, fs.readFileSync(path.join(dir, f), 'utf8')]);
  const desired = renderManifests({ files, namespace: 'helix', environment: 'prod', image });
  const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [ENVIRONMENT_LABEL]: 'prod' };
  const pvc: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'helix-data', namespace: 'helix', labels },
    spec: { resources: { requests: { storage: '10Gi' } } },
  } as KubeObject;
  return buildPlan({
    context: 'kind',
    namespace: 'helix',
    environment: 'prod',
    desired,
    dryRun: new Map(),
    live: new Map(),
    owned: [pvc],
  }).model;
}

describe('guardrails: built-in rules on real plans', () => {
  it('knows stateful types per tool: terraform, pulumi and Kubernetes kinds', () => {
    assert.ok(isStateful('terraform', 'aws_db_instance'));
    assert.ok(isStateful('pulumi', 'aws:rds/instance:Instance'));
    assert.ok(isStateful('kubernetes', 'v1/PersistentVolumeClaim'));
    assert.ok(isStateful('kubernetes', 'apps/v1/StatefulSet'));
    assert.ok(!isStateful('kubernetes', 'apps/v1/Deployment'));
    assert.ok(!isStateful('terraform', 'terraform_data'));
  });

  it('a destroyed PVC needs typed confirmation, is denied in a protected environment, and allowed by allow_destroy', async () => {
    const model = k8sPlan(`ghcr.io/acme/helixdb@${DIGEST}`);
    const pvc = model.resources.find((r) => r.type === 'v1/PersistentVolumeClaim')!;
    assert.equal(pvc.action, 'delete');

    const open = await evaluateGuardrails(model, ctx());
    assert.deepEqual(
      open.findings.map((f) => [f.rule, f.severity, f.address]),
      [['stateful-destroy', 'confirm', pvc.address]],
    );
    assert.equal(open.blocked, false);
    assert.equal(open.needsConfirmation, true);

    const prot = await evaluateGuardrails(model, ctx({ protected: true }));
    assert.equal(prot.blocked, true);
    assert.match(prot.findings[0].message, /blocked: prod is protected.*allow_destroy/);

    const allowed = await evaluateGuardrails(
      model,
      ctx({ protected: true, allowDestroy: ['helix/PersistentVolumeClaim/*'] }),
    );
    assert.deepEqual(
      allowed.findings.map((f) => f.severity),
      ['warn'],
    );
    assert.equal(allowed.blocked, false);
  });

  it('an image given by tag is a warning; the same image by digest is not', async () => {
    const tagged = await evaluateGuardrails(k8sPlan('ghcr.io/acme/helixdb:1.2'), ctx());
    const unpinned = tagged.findings.filter((f) => f.rule === 'unpinned-image');
    assert.equal(unpinned.length, 1);
    assert.equal(unpinned[0].severity, 'warn');
    assert.match(unpinned[0].address!, /Deployment\/helix$/);
    assert.match(unpinned[0].message, /ghcr\.io\/acme\/helixdb:1\.2 is not pinned by digest/);
    const pinned = await evaluateGuardrails(k8sPlan(`ghcr.io/acme/helixdb@${DIGEST}`), ctx());
    assert.equal(pinned.findings.filter((f) => f.rule === 'unpinned-image').length, 0);
  });

  it('a security group open to 0.0.0.0/0 warns, and is denied in a protected environment', async () => {
    const model = tfPlan(path.join(FIXTURES, 'guardrails/tf-open-security-group.json'));
    const warn = await evaluateGuardrails(model, ctx({ environment: 'staging' }));
    assert.deepEqual(
      warn.findings.map((f) => [f.rule, f.severity, f.address]),
      [['public-exposure', 'warn', 'aws_security_group.allow_ping']],
    );
    assert.match(warn.findings[0].message, /ingress from 0\.0\.0\.0\/0/);
    const deny = await evaluateGuardrails(model, ctx({ protected: true }));
    assert.equal(deny.blocked, true);
    assert.match(deny.findings[0].message, /in protected environment prod/);
  });

  it('the plan text (CLI plan, show-plan, deploy) lists the findings under the summary', () => {
    const model = tfPlan(path.join(FIXTURES, 'guardrails/tf-open-security-group.json'));
    model.guardrails = builtinReport(model);
    const text = renderPlan(model);
    assert.match(
      text,
      /Guardrails: warnings\n {2}WARN {4}\[built-in\] aws_security_group\.allow_ping: opens ingress from 0\.0\.0\.0\/0/,
    );
  });

  it('plans without data, images or exposure pass: every shared real plan fixture is checked without a false alarm', () => {
    const files = fs
      .readdirSync(SHARED)
      .filter((f) => f.endsWith('.json') || f.endsWith('.jsonl'))
      .map((f) => path.join(SHARED, f));
    files.push(
      ...fs
        .readdirSync(path.join(SHARED, 'generated'))
        .filter((f) => /^tf-local-\d\.json$/.test(f))
        .map((f) => path.join(SHARED, 'generated', f)),
    );
    assert.ok(files.length >= 15);
    for (const f of files) {
      const report = builtinReport(tfPlan(f));
      assert.deepEqual(report.findings, [], path.basename(f));
    }
  });
});
