import * as assert from 'node:assert/strict';
import { renderManifests, RenderError } from '../../../../src/core/kubernetes/render';
import { kubernetesSettings, KubernetesSettingsError } from '../../../../src/core/kubernetes/target';
import { ENVIRONMENT_LABEL, MANAGED_BY_LABEL } from '../../../../src/core/kubernetes/objects';

const dep = `apiVersion: apps/v1
kind: Deployment
metadata: {name: helix}
spec:
  selector: {matchLabels: {app: helix}}
  template:
    metadata: {labels: {app: helix}}
    spec: {containers: [{name: helix, image: "\${image}"}]}
`;

describe('kubernetes render', () => {
  it('substitutes the image, fills the namespace, adds ownership labels (object and pod template)', () => {
    const [d] = renderManifests({
      files: [['d.yaml', dep]],
      namespace: 'helix',
      environment: 'prod k8s',
      image: 'ghcr.io/acme/helixdb:1.2',
    });
    assert.equal(d.metadata.namespace, 'helix');
    assert.equal(d.spec.template.spec.containers[0].image, 'ghcr.io/acme/helixdb:1.2');
    assert.equal(d.metadata.labels![MANAGED_BY_LABEL], 'helix-deploy');
    assert.equal(d.metadata.labels![ENVIRONMENT_LABEL], 'prod-k8s');
    assert.equal(d.spec.template.metadata.labels[ENVIRONMENT_LABEL], 'prod-k8s');
    assert.deepEqual(d.spec.selector, { matchLabels: { app: 'helix' } }, 'selectors are never changed');
  });

  it('orders namespaces and config before workloads, flattens Lists, keeps cluster-scoped objects unnamespaced', () => {
    const objs = renderManifests({
      files: [
        ['a.yaml', dep],
        [
          'b.yaml',
          'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n- {apiVersion: v1, kind: Namespace, metadata: {name: helix}}\n',
        ],
      ],
      namespace: 'helix',
      environment: 'e',
      image: 'x:1',
    });
    assert.deepEqual(
      objs.map((o) => o.kind),
      ['Namespace', 'ConfigMap', 'Deployment'],
    );
    assert.equal(objs[0].metadata.namespace, undefined);
  });

  it('explains bad input: missing image, duplicates, no name, YAML errors', () => {
    assert.throws(
      () => renderManifests({ files: [['d.yaml', dep]], namespace: 'n', environment: 'e' }),
      (e: unknown) =>
        e instanceof RenderError &&
        /d.yaml: uses \$\{image\} but the environment has no image/.test((e as Error).message),
    );
    assert.throws(
      () =>
        renderManifests({
          files: [
            ['a.yaml', dep],
            ['b.yaml', dep],
          ],
          namespace: 'n',
          environment: 'e',
          image: 'x',
        }),
      /b.yaml: n\/Deployment\/helix is also defined in a.yaml/,
    );
    assert.throws(
      () =>
        renderManifests({
          files: [['a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n']],
          namespace: 'n',
          environment: 'e',
        }),
      /ConfigMap without metadata.name/,
    );
    assert.throws(
      () => renderManifests({ files: [['a.yaml', 'kind: [\n']], namespace: 'n', environment: 'e' }),
      RenderError,
    );
  });

  it('reads the kubernetes table of an environment', () => {
    const env = {
      name: 'prod',
      kind: 'kubernetes' as const,
      source: 'helix.deploy.toml' as const,
      settings: { kubernetes: { context: 'prod', manifests: 'deploy/k8s', image: 'i:1' } },
    };
    const t = kubernetesSettings(env, '/p');
    assert.deepEqual(t, {
      environment: 'prod',
      context: 'prod',
      namespace: 'default',
      manifests: '/p/deploy/k8s',
      image: 'i:1',
      kubeconfig: undefined,
    });
    assert.throws(
      () => kubernetesSettings({ ...env, settings: { kubernetes: {} } }, '/p'),
      (e: unknown) => e instanceof KubernetesSettingsError && /"manifests" is required/.test((e as Error).message),
    );
  });
});
