import { messageOf } from '../../core/errors';
import { KubeError } from '../../core/kubernetes/cluster';
import { assertTrusted } from '../../core/trust/gate';
import { ClientNodeCluster } from './client';
import { forContext, loadKubeconfig, type KubeContextInfo, type KubeconfigOptions } from './kubeconfig';

// Data for the Environments view (its tree calls these): kubeconfig contexts, and the namespaces of
// one context. Both return states, never throw: a missing kubeconfig or an unreachable cluster is shown.

export type ContextsState =
  | { state: 'ok'; contexts: KubeContextInfo[]; current: string; files: string[] }
  | { state: 'missing' | 'invalid'; message: string; files: string[] };

export function kubernetesContexts(o: KubeconfigOptions = {}): ContextsState {
  const a = loadKubeconfig(o);
  if (a.state !== 'ok') return a;
  return { state: 'ok', contexts: a.contexts, current: a.current, files: a.files };
}

export type NamespacesState = { state: 'ok'; namespaces: string[] } | { state: 'error'; kind: string; message: string };

export async function kubernetesNamespaces(
  context: string | undefined,
  o: KubeconfigOptions & { timeoutMs?: number } = {},
): Promise<NamespacesState> {
  const a = loadKubeconfig(o);
  if (a.state !== 'ok') return { state: 'error', kind: a.state, message: a.message };
  try {
    assertTrusted('Kubernetes cluster');
    const cluster = new ClientNodeCluster(forContext(a, context), { timeoutMs: o.timeoutMs ?? 5000 });
    const r = await cluster.list('v1', 'Namespace', undefined);
    return { state: 'ok', namespaces: r.items.map((n) => n.metadata.name).sort() };
  } catch (err) {
    return { state: 'error', kind: err instanceof KubeError ? err.kind : 'other', message: messageOf(err) };
  }
}
