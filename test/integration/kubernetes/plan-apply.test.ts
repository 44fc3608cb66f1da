import * as assert from 'node:assert/strict';
import { harness, readFixture, collector, type Harness } from './harness';
import { renderManifests } from '../../../src/core/kubernetes/render';
import { planObjects, applyPlan } from '../../../src/core/kubernetes/deploy';
import { attributesOf, SENSITIVE, toJSON } from '../../../src/core/plan/model';

describe('kubernetes plan + apply against the stand-in API server', function () {
  this.timeout(20000);
  let h: Harness;
  beforeEach(async () => (h = await harness()));
  afterEach(async () => h.close());

  const render = (image: string, files = readFixture('app')) =>
    renderManifests({ files, namespace: 'default', environment: 'staging', image });
  const opts = () => ({
    context: h.cluster.context,
    namespace: 'default',
    environment: 'staging',
    signal: new AbortController().signal,
    log: () => {},
  });

  it('plans creates, applies after approval and watches the rollout to ready', async () => {
    const { model, record } = await planObjects(h.cluster, render('helixdb/helix:1.0'), opts());
    assert.deepEqual(model.resources.map((r) => [r.address, r.action]).sort(), [
      ['default/Deployment/helix', 'create'],
      ['default/Secret/helix-credentials', 'create'],
      ['default/Service/helix', 'create'],
    ]);
    assert.equal(model.summary.create, 3);
    // The plan was a dry run: nothing exists yet.
    assert.equal((await h.cluster.list('apps/v1', 'Deployment', 'default')).items.length, 0);
    assert.ok(
      h.server.requests.some(
        (r) =>
          r.startsWith('PATCH /apis/apps/v1/namespaces/default/deployments/helix?') &&
          r.includes('dryRun=All') &&
          r.includes('fieldManager=helix-deploy'),
      ),
    );
    // Secrets never leave the plan unmasked.
    const json = JSON.stringify(toJSON(model));
    assert.ok(
      !json.includes('s3cr3t-api-key-value') && !json.includes(Buffer.from('s3cr3t-api-key-value').toString('base64')),
      'secret leaked into the plan',
    );
    const secretAttrs = attributesOf(model.resources.find((r) => r.type === 'v1/Secret')!);
    assert.ok(secretAttrs.some((a) => a.path.join('.') === 'data.api-key' && a.after === SENSITIVE && a.sensitive));
    // Defaults from the server's dry run are visible in the create diff.
    const depAttrs = attributesOf(model.resources.find((r) => r.type === 'apps/v1/Deployment')!);
    assert.ok(depAttrs.some((a) => a.path.join('.') === 'spec.strategy.type' && a.after === 'RollingUpdate'));

    const c = collector();
    const out = await applyPlan(h.cluster, record, { signal: new AbortController().signal, log: c.log });
    assert.equal(out.outcome, 'applied', out.error);
    assert.equal(out.rollouts[0].result.phase, 'complete');
    assert.ok(
      c.lines.some((l) => /pod helix-\w+-\w+: Running on helix-node-1, ready 1\/1/.test(l)),
      c.lines.join('\n'),
    );
    assert.ok(c.lines.some((l) => l.includes('successfully rolled out')));
    assert.ok(!c.lines.join('\n').includes('s3cr3t'), 'secret leaked into the run log');
  });

  it('plans updates with attribute diffs, no-ops, and prunes only owned objects that left the folder', async () => {
    const first = await planObjects(h.cluster, render('helixdb/helix:1.0'), opts());
    assert.equal(
      (await applyPlan(h.cluster, first.record, { signal: new AbortController().signal, log: () => {} })).outcome,
      'applied',
    );
    // Someone else's object with no ownership labels: never pruned.
    h.server.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'not-ours', namespace: 'default' },
      data: { a: '1' },
    });
    const files = readFixture('app').map(([f, t]): [string, string] => [
      f,
      f === 'service.yaml' ? t.split('---')[0] : t,
    ]);
    const second = await planObjects(h.cluster, render('helixdb/helix:1.1', files), opts());
    const byAddr = Object.fromEntries(second.model.resources.map((r) => [r.address, r]));
    assert.equal(byAddr['default/Deployment/helix'].action, 'update');
    assert.deepEqual(
      attributesOf(byAddr['default/Deployment/helix']).map((a) => [a.path.join('.'), a.before, a.after]),
      [['spec.template.spec.containers.0.image', 'helixdb/helix:1.0', 'helixdb/helix:1.1']],
    );
    assert.equal(byAddr['default/Service/helix'].action, 'no-op');
    assert.equal(byAddr['default/Secret/helix-credentials'].action, 'delete');
    assert.ok(!('default/ConfigMap/not-ours' in byAddr));
    assert.ok(!JSON.stringify(toJSON(second.model)).includes('s3cr3t'));
    const out = await applyPlan(h.cluster, second.record, { signal: new AbortController().signal, log: () => {} });
    assert.equal(out.outcome, 'applied', out.error);
    assert.equal(
      await h.cluster.get({ apiVersion: 'v1', kind: 'Secret', name: 'helix-credentials', namespace: 'default' }),
      undefined,
    );
    assert.ok(await h.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'not-ours', namespace: 'default' }));
  });

  it('refuses to apply a plan when the cluster changed since (stale plan)', async () => {
    const first = await planObjects(h.cluster, render('helixdb/helix:1.0'), opts());
    h.server.seed({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'helix', namespace: 'default' },
      spec: { ports: [{ port: 1 }] },
    });
    const out = await applyPlan(h.cluster, first.record, { signal: new AbortController().signal, log: () => {} });
    assert.equal(out.outcome, 'stale');
    assert.match(out.error!, /cluster changed since the plan \(default\/Service\/helix\)/);
    assert.equal((await h.cluster.list('apps/v1', 'Deployment', 'default')).items.length, 0);
  });
});
