import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeployError } from '../../../../src/core/engine/errors';
import { Journal } from '../../../../src/core/engine/journal';
import { canTransition, isPlanKind } from '../../../../src/core/engine/machine';
import {
  canRollback,
  deployedRecord,
  successfulDeployments,
  terraformRollback,
} from '../../../../src/core/engine/rollback';
import {
  resolveTarget,
  toolOf,
  type DeployTarget,
  type ResolvedDeploySettings,
} from '../../../../src/core/engine/target';
import { Redactor } from '../../../../src/core/process/redact';

// Rollback bookkeeping without tools: what an apply records, which run a rollback goes back to, and the
// refusals. Real terraform / kube stand-in runs are in test/integration/{terraform,kubernetes}.

const target: DeployTarget = {
  project: { name: 'demo', dir: '/w/demo' },
  environment: {
    name: 'staging',
    kind: 'terraform',
    source: 'helix.deploy.toml',
    settings: { terraform: { dir: 'infra', vars: { image: '${image}' } } },
  },
  context: { image: 'reg/app:v3' },
};

async function journal(): Promise<Journal> {
  const dir = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'rollback-'));
  return Journal.open(path.join(dir, 'runs.jsonl'));
}

async function applied(
  j: Journal,
  kind: string,
  deployed: unknown,
  extra: Record<string, unknown> = {},
  state: 'Applied' | 'ApplyFailed' = 'Applied',
) {
  const r = await j.begin({ kind, project: 'demo', environment: 'staging', who: 'me', state: 'Applying', meta: extra });
  await j.end(r.id, state, undefined, deployed ? { deployed } : undefined);
  return r;
}

describe('rollback as a planned run (bookkeeping)', () => {
  it('is a plan-first kind: Draft -> Planning -> Planned -> Approved -> Applying -> Applied', () => {
    assert.ok(isPlanKind('rollback'));
    assert.ok(canTransition('rollback', 'Planned', 'Approved'));
    assert.ok(!canTransition('rollback', 'Planned', 'Applying'), 'never applied without approval');
    assert.ok(!canTransition('rollback', 'Running', 'Succeeded'));
  });

  it('records the applied vars without secrets, and names the secret ones', () => {
    const redactor = new Redactor().add('hunter2-long-secret');
    const resolved: ResolvedDeploySettings = {
      tool: 'terraform',
      dir: '/x',
      vars: { image: 'reg/app:v1', pw: 'hunter2-long-secret', dsn: 'postgres://u:hunter2-long-secret@h', n: 3 },
      secretValues: [],
    };
    const rec = deployedRecord(
      resolved,
      { image: 'reg/app:v1', token: 'hunter2-long-secret', none: undefined },
      redactor,
    );
    assert.deepEqual(rec.vars, { image: 'reg/app:v1', n: 3 });
    assert.deepEqual(rec.secretVars, ['pw', 'dsn']);
    assert.deepEqual(rec.context, { image: 'reg/app:v1' });
    assert.ok(!JSON.stringify(rec).includes('hunter2'));
    const fromEnv = deployedRecord(
      { ...resolved, vars: { k: 'from-env-value' }, secretValues: ['from-env-value'] },
      {},
      new Redactor(),
    );
    assert.deepEqual(fromEnv.secretVars, ['k']);
  });

  it('goes back to the deployment before the current one; failed runs and destroys do not count', async () => {
    const j = await journal();
    const v1 = await applied(j, 'plan', {
      vars: { image: 'reg/app:v1' },
      secretVars: ['pw'],
      context: { image: 'reg/app:v1' },
    });
    await applied(j, 'plan', { vars: { image: 'reg/app:bad' }, secretVars: [], context: {} }, {}, 'ApplyFailed');
    await applied(j, 'destroy', undefined, { destroy: true });
    const v2 = await applied(j, 'plan', {
      vars: { image: 'reg/app:v2' },
      secretVars: ['pw'],
      context: { image: 'reg/app:v2' },
    });
    assert.deepEqual(
      successfulDeployments(j, 'demo', 'staging').map((r) => r.id),
      [v2.id, v1.id],
    );
    const current = { ...resolveTarget(target), vars: { image: 'reg/app:v3', pw: 'current-pw' } };
    const plan = terraformRollback(j, target, current);
    assert.equal(plan.to!.id, v1.id);
    assert.deepEqual(plan.resolved.vars, { image: 'reg/app:v1', pw: 'current-pw' });
    assert.equal(plan.resolved.dir, '/w/demo/infra');
    assert.match(plan.notes.join('\n'), /image reg\/app:v1/);
    assert.match(plan.notes.join('\n'), /"pw" was secret in run .* cannot be replayed: its current value is used/);
    assert.ok(canRollback(j, 'terraform', 'demo', 'staging'));
    await j.close();
  });

  it('refuses with a clear message: nothing deployed, one deployment, or an old run without recorded vars', async () => {
    const j = await journal();
    const current = resolveTarget(target);
    assert.throws(
      () => terraformRollback(j, target, current),
      (e: unknown) =>
        e instanceof DeployError && e.code === 'not-found' && /staging has no successful deployment/.test(e.message),
    );
    assert.equal(canRollback(j, 'terraform', 'demo', 'staging'), false);
    assert.equal(canRollback(j, 'kubernetes', 'demo', 'staging'), false);
    const old = await applied(j, 'plan', undefined);
    assert.throws(() => terraformRollback(j, target, current), /only one successful deployment \(run /);
    assert.equal(canRollback(j, 'kubernetes', 'demo', 'staging'), true, 'kubernetes: the cluster keeps the revisions');
    await applied(j, 'plan', { vars: {}, secretVars: [], context: {} });
    assert.throws(
      () => terraformRollback(j, target, current),
      (e: unknown) => e instanceof DeployError && e.message.includes(`run ${old.id}) did not record the variables`),
    );
    await j.close();
  });
});

describe('kubernetes environments in the engine target', () => {
  const k8s = (settings: Record<string, unknown>): DeployTarget => ({
    project: { name: 'demo', dir: '/w/demo' },
    environment: { name: 'prod-k8s', kind: 'kubernetes', source: 'helix.deploy.toml', settings },
    context: { image: 'ghcr.io/acme/helixdb:1.2' },
  });

  it('toolOf is kubernetes by kind or by a kubernetes table', () => {
    assert.equal(toolOf(k8s({}).environment), 'kubernetes');
    assert.equal(
      toolOf({
        name: 'x',
        kind: 'unknown' as never,
        source: 'helix.deploy.toml',
        settings: { kubernetes: { manifests: 'k' } },
      }),
      'kubernetes',
    );
  });

  it('resolves the manifests folder and the provider vars, with ${image} from the context', () => {
    const r = resolveTarget(
      k8s({ kubernetes: { context: 'prod', namespace: 'helix', manifests: 'deploy/k8s', image: '${image}' } }),
    );
    assert.equal(r.tool, 'kubernetes');
    assert.equal(r.dir, '/w/demo/deploy/k8s');
    assert.equal(r.workspace, 'prod');
    assert.deepEqual(r.vars, {
      context: 'prod',
      namespace: 'helix',
      environment: 'prod-k8s',
      image: 'ghcr.io/acme/helixdb:1.2',
      kubeconfig: undefined,
    });
    assert.deepEqual(r.secretValues, []);
    // Without an `image` key the context's image is rolled out; a rollback context names the Deployment(s).
    const t = k8s({ kubernetes: { manifests: 'deploy/k8s' } });
    const r2 = resolveTarget({ ...t, context: { ...t.context, rollback: '*' } });
    assert.equal(r2.vars.image, 'ghcr.io/acme/helixdb:1.2');
    assert.equal(r2.vars.namespace, 'default');
    assert.equal(r2.vars.rollback, '*');
  });

  it('a missing manifests key is a config error naming the key', () => {
    assert.throws(() => resolveTarget(k8s({ kubernetes: { namespace: 'helix' } })), /"manifests" is required/);
  });
});
