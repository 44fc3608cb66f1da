import * as assert from 'node:assert/strict';
import { parse } from 'yaml';
import { starterManifests } from '../../../../src/core/kubernetes/starter';
import { renderManifests } from '../../../../src/core/kubernetes/render';

describe('kubernetes starter manifests', () => {
  const files = starterManifests({ name: 'helix-demo' });
  const [dep, svc, pvc] = files.map((f) => parse(f.text));

  it('Deployment + Service for a helix v3 instance on 8080 with /healthz and /readyz probes within 5 s', () => {
    assert.deepEqual(
      files.map((f) => f.name),
      ['deployment.yaml', 'service.yaml', 'pvc.yaml'],
    );
    const c = dep.spec.template.spec.containers[0];
    assert.deepEqual(c.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    for (const p of [c.livenessProbe, c.readinessProbe, c.startupProbe]) assert.ok(p.timeoutSeconds <= 5);
    assert.equal(svc.kind, 'Service');
    assert.equal(svc.spec.ports[0].port, 8080);
    assert.deepEqual(svc.spec.selector, dep.spec.selector.matchLabels);
  });

  it('has requests/limits, runs as non-root with a read-only root filesystem and a writable data volume', () => {
    const spec = dep.spec.template.spec;
    const c = spec.containers[0];
    assert.ok(
      c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.cpu && c.resources.limits.memory,
    );
    assert.equal(spec.securityContext.runAsNonRoot, true);
    assert.equal(spec.securityContext.runAsUser, 65532);
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext.allowPrivilegeEscalation, false);
    assert.ok(c.volumeMounts.some((m: any) => m.mountPath === '/var/lib/helix'));
  });

  it('keeps the data on a PersistentVolumeClaim mounted at the data dir, not on an emptyDir', () => {
    const spec = dep.spec.template.spec;
    const c = spec.containers[0];
    const dataDir = c.env.find((e: any) => e.name === 'HELIX_DATA_DIR').value;
    const mount = c.volumeMounts.find((m: any) => m.mountPath === dataDir);
    assert.ok(mount, `a volume mounted at ${dataDir}`);
    const volume = spec.volumes.find((v: any) => v.name === mount.name);
    assert.equal(volume.emptyDir, undefined);
    assert.equal(volume.persistentVolumeClaim.claimName, pvc.metadata.name);
    assert.equal(pvc.kind, 'PersistentVolumeClaim');
    assert.deepEqual(pvc.spec.accessModes, ['ReadWriteOnce']);
    assert.ok(pvc.spec.resources.requests.storage);
    assert.deepEqual(pvc.metadata.labels, dep.metadata.labels);
    // A ReadWriteOnce claim has one writer: the old pod must be gone before the new one mounts it.
    assert.equal(dep.spec.strategy.type, 'Recreate');
  });

  it('keeps the health probes and the security context with the claim', () => {
    const spec = dep.spec.template.spec;
    const c = spec.containers[0];
    assert.deepEqual(c.startupProbe, {
      httpGet: { path: '/healthz', port: 'http' },
      periodSeconds: 5,
      timeoutSeconds: 5,
      failureThreshold: 30,
    });
    assert.deepEqual(c.livenessProbe, {
      httpGet: { path: '/healthz', port: 'http' },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
    });
    assert.deepEqual(c.readinessProbe, {
      httpGet: { path: '/readyz', port: 'http' },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
    });
    assert.deepEqual(spec.securityContext, {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.deepEqual(c.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    // /tmp stays scratch space on an emptyDir (read-only root filesystem).
    assert.ok(spec.volumes.some((v: any) => v.name === 'tmp' && v.emptyDir));
  });

  it('renders through the normal pipeline with the environment image', () => {
    const objs = renderManifests({
      files: files.map((f) => [f.name, f.text]),
      namespace: 'helix',
      environment: 'prod',
      image: 'ghcr.io/acme/helixdb:3.1',
    });
    assert.equal(
      objs.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].image,
      'ghcr.io/acme/helixdb:3.1',
    );
    assert.equal(objs.find((o) => o.kind === 'PersistentVolumeClaim')!.metadata.namespace, 'helix');
  });
});
