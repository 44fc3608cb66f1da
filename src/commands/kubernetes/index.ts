import type { Container } from '../../container';
import { KubeError } from '../../core/kubernetes/cluster';
import { showWorkloadLogs } from './logs';
import { rollback } from './rollback';
import { writeStarterManifests } from './starter';

// Kubernetes commands: Write Starter Kubernetes Manifests, Show Workload Logs, Rollback. The logic lives in
// src/core/kubernetes and src/providers/kubernetes; the provider is the container's (c.kubernetes).

export function registerKubernetes(c: Container): void {
  // A missing kubeconfig or unreachable cluster is a message; a refused login speaks for itself.
  const errorPrefix = (err: unknown) =>
    err instanceof KubeError && err.kind === 'unauthorized' ? undefined : 'Kubernetes';
  c.registerCommand('helixDeploy.kubernetes.writeStarterManifests', (arg) => writeStarterManifests(c, arg), {
    errorPrefix,
  });
  c.registerCommand(
    'helixDeploy.kubernetes.showWorkloadLogs',
    (arg) => showWorkloadLogs(c, c.kubernetes.provider, arg),
    { errorPrefix },
  );
  c.registerCommand('helixDeploy.kubernetes.rollback', (arg) => rollback(c, arg), { errorPrefix });
}
