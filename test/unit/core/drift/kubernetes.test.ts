import * as assert from 'node:assert/strict';
import { compareObject, ownersOf } from '../../../../src/core/drift/kubernetes';
import { SENSITIVE } from '../../../../src/core/plan/model';
import type { KubeObject } from '../../../../src/core/kubernetes/objects';

const desired: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'helix', namespace: 'default', labels: { app: 'helix' } },
  spec: {
    replicas: 2,
    template: { spec: { containers: [{ name: 'helix', image: 'helix:1', ports: [{ containerPort: 8080 }] }] } },
  },
};

function live(patch: (o: KubeObject) => void): KubeObject {
  const o: KubeObject = structuredClone(desired);
  // What the server adds: defaults, server metadata, status, field ownership.
  o.metadata.uid = 'u1';
  o.metadata.resourceVersion = '7';
  o.metadata.annotations = { 'deployment.kubernetes.io/revision': '1' };
  o.spec.template.spec.containers[0].ports[0].protocol = 'TCP';
  o.spec.template.spec.containers[0].terminationMessagePath = '/dev/termination-log';
  o.status = { replicas: 2 };
  o.metadata.managedFields = [
    { manager: 'helix-deploy', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:template': {} } } },
    { manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
    { manager: 'kube-controller-manager', operation: 'Update', subresource: 'status', fieldsV1: { 'f:status': {} } },
  ];
  patch(o);
  return o;
}

describe('kubernetes drift comparison', () => {
  it('server defaults, server metadata and status are not drift', () => {
    assert.deepEqual(
      compareObject(
        desired,
        live(() => undefined),
      ),
      [],
    );
  });

  it('a field helix-deploy applies that differs live is drift: before = applied, after = live', () => {
    const l = live((o) => {
      o.spec.replicas = 5;
      o.spec.template.spec.containers[0].image = 'evil:2';
    });
    assert.deepEqual(
      compareObject(desired, l).map((a) => [a.path.join('.'), a.before, a.after]),
      [
        ['spec.replicas', 2, 5],
        ['spec.template.spec.containers.0.image', 'helix:1', 'evil:2'],
      ],
    );
    assert.deepEqual(ownersOf(l, ['spec', 'replicas']), ['kubectl-edit']);
  });

  it('a removed label and a shortened list are drift', () => {
    const l = live((o) => {
      delete o.metadata.labels!.app;
      o.spec.template.spec.containers[0].ports = [];
    });
    assert.deepEqual(
      compareObject(desired, l).map((a) => a.path.join('.')),
      ['metadata.labels.app', 'spec.template.spec.containers.0.ports'],
    );
  });

  it('Secret data is compared but only ever shown masked', () => {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { key: Buffer.from('one').toString('base64') },
      stringData: { x: 'y' },
    };
    const l: KubeObject = {
      ...structuredClone(secret),
      data: { key: Buffer.from('two').toString('base64'), x: 'eQ==' },
    };
    delete l.stringData;
    const d = compareObject(secret, l);
    assert.equal(d.length, 1);
    assert.deepEqual(
      [d[0].path, d[0].before, d[0].after, d[0].sensitive],
      [['data', 'key'], SENSITIVE, SENSITIVE, true],
    );
    // stringData is compared with the decoded live data.
    const changed = compareObject(secret, {
      ...l,
      data: { key: secret.data.key, x: Buffer.from('z').toString('base64') },
    });
    assert.deepEqual(
      changed.map((a) => [a.path.join('.'), a.before, a.after]),
      [['data.x', SENSITIVE, SENSITIVE]],
    );
  });
});
