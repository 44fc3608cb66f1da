import * as assert from 'node:assert/strict';
import { WorkloadsModel, age, podRow } from '../../../../src/core/kubernetes/pods-view';
import type { KubeObject } from '../../../../src/core/kubernetes/objects';

const pod = (name: string, rs: string, hash: string, status: any): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    labels: { 'pod-template-hash': hash },
    creationTimestamp: '2026-01-01T00:00:00Z',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `uid-${rs}` }],
  },
  spec: { containers: [{ name: 'helix' }] },
  status,
});

describe('kubernetes pods view model', () => {
  it('groups pods under their Deployment with status, ready, restarts; updates one deployment per event', () => {
    const m = new WorkloadsModel('n');
    m.apply('Deployment', 'ADDED', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'helix' },
      spec: { replicas: 2, template: { spec: { containers: [{ image: 'i:1' }] } } },
      status: { readyReplicas: 1 },
    });
    m.apply('Deployment', 'ADDED', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'other' },
      spec: { replicas: 1 },
    });
    // ReplicaSet not seen yet: resolved from the pod-template-hash suffix.
    assert.equal(
      m.apply(
        'Pod',
        'ADDED',
        pod('helix-abc-1', 'helix-abc', 'abc', {
          phase: 'Running',
          containerStatuses: [{ ready: true, restartCount: 2, state: { running: {} } }],
        }),
      ),
      'helix',
    );
    assert.equal(
      m.apply(
        'Pod',
        'ADDED',
        pod('helix-abc-2', 'helix-abc', 'abc', {
          phase: 'Running',
          containerStatuses: [{ ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
        }),
      ),
      'helix',
    );
    const before = m.rows();
    const other = before[1];
    assert.deepEqual(
      before[0].pods.map((p) => [p.name, p.status, p.ready, p.restarts]),
      [
        ['helix-abc-1', 'Running', 1, 2],
        ['helix-abc-2', 'CrashLoopBackOff', 0, 5],
      ],
    );
    assert.equal(before[0].image, 'i:1');
    m.apply('Pod', 'DELETED', pod('helix-abc-2', 'helix-abc', 'abc', {}));
    const after = m.rows();
    assert.equal(after[0].pods.length, 1);
    assert.equal(after[1], other, 'untouched deployment rows are reused, not rebuilt');
  });

  it('renders ages like kubectl', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    assert.equal(age(now - 5000, now), '5s');
    assert.equal(age(now - 5 * 60_000, now), '5m');
    assert.equal(age(now - 3 * 3600_000, now), '3h');
    assert.equal(age(now - 3 * 86400_000, now), '3d');
    assert.equal(podRow(pod('p', 'r', 'h', {})).status, 'Pending');
  });
});
