import * as assert from 'node:assert/strict';
import { buildPlan, pruneSet } from '../../../../src/core/kubernetes/plan';
import { diffObjects, normalize, secretValues } from '../../../../src/core/kubernetes/diff';
import { fingerprint } from '../../../../src/core/kubernetes/fingerprint';
import { attributesOf, SENSITIVE, toJSON } from '../../../../src/core/plan/model';
import type { KubeObject } from '../../../../src/core/kubernetes/objects';

const cm = (name: string, data: Record<string, string>, extra: any = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'n', ...extra },
  data,
});
const serverFields = {
  uid: 'u1',
  resourceVersion: '42',
  generation: 3,
  creationTimestamp: '2026-01-01T00:00:00Z',
  managedFields: [{ manager: 'helix-deploy' }],
};

describe('kubernetes diff and plan model', () => {
  it('ignores server-managed fields (managedFields, resourceVersion, status, uid, timestamps, generation, revision)', () => {
    const live = {
      ...cm('a', { k: 'v' }, { ...serverFields, annotations: { 'deployment.kubernetes.io/revision': '2' } }),
      status: { x: 1 },
    };
    assert.deepEqual(diffObjects(live, cm('a', { k: 'v' })), []);
    assert.equal(fingerprint(live), fingerprint(cm('a', { k: 'v' })));
    assert.deepEqual(normalize(live)!.metadata, { name: 'a', namespace: 'n' });
  });

  it('masks Secrets in every diff, both sides, and teaches the raw and decoded values', () => {
    const s = (v: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'n' },
      data: { token: Buffer.from(v).toString('base64') },
    });
    const d = diffObjects(s('old-secret'), s('new-secret'));
    assert.deepEqual(d, [{ path: ['data', 'token'], before: SENSITIVE, after: SENSITIVE, sensitive: true }]);
    assert.deepEqual(secretValues(s('abc')).sort(), ['YWJj', 'abc']);
  });

  it('builds creates, updates with attribute diffs, no-ops and prunes; binds fingerprints', () => {
    const desired = [cm('new', { a: '1' }), cm('changed', { a: '2' }), cm('same', { a: '1' })];
    const live = new Map([
      ['n/ConfigMap/changed', cm('changed', { a: '1' }, serverFields)],
      ['n/ConfigMap/same', cm('same', { a: '1' }, serverFields)],
    ]);
    const owned = [
      cm('changed', { a: '1' }),
      cm('same', { a: '1' }),
      cm('gone', { a: '9' }, { resourceVersion: '7' }),
      cm('child', {}, { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'p', uid: 'p' }] }),
    ];
    const { model, record } = buildPlan({
      context: 'c',
      namespace: 'n',
      environment: 'e',
      desired,
      dryRun: new Map(),
      live,
      owned,
    });
    assert.deepEqual(
      model.resources.map((r) => [r.address, r.action]),
      [
        ['n/ConfigMap/new', 'create'],
        ['n/ConfigMap/changed', 'update'],
        ['n/ConfigMap/same', 'no-op'],
        ['n/ConfigMap/gone', 'delete'],
      ],
    );
    assert.deepEqual(attributesOf(model.resources[1]), [{ path: ['data', 'a'], before: '1', after: '2' }]);
    assert.equal(model.summary.create + model.summary.update + model.summary.delete + model.summary.noop, 4);
    assert.equal(model.source, 'kubernetes');
    assert.equal(record.objects[0].liveVersion, '');
    assert.equal(record.objects[1].liveVersion, fingerprint(live.get('n/ConfigMap/changed')));
    assert.deepEqual(
      record.prunes.map((p) => p.address),
      ['n/ConfigMap/gone'],
    );
    assert.ok(JSON.stringify(toJSON(model)));
  });

  it('prunes only owned objects that are not rendered and not owned by another object', () => {
    const desired = [cm('a', {})];
    assert.deepEqual(
      pruneSet([cm('a', {}), cm('b', {})], desired).map((o) => o.metadata.name),
      ['b'],
    );
  });
});
