import * as vscode from 'vscode';
import { LiveWorkloads } from '../../core/kubernetes/live-workloads';
import { kubernetesSettings } from '../../core/kubernetes/target';
import type { Environment, Project } from '../../core/model/types';
import { kubernetesContexts, kubernetesNamespaces } from '../../providers/kubernetes/contexts';
import { KubernetesProvider } from '../../providers/kubernetes/provider';

/** The Kubernetes provider (engine shape) and the data functions the views and commands call. */
export interface KubernetesServices {
  readonly provider: KubernetesProvider;
  readonly contexts: typeof kubernetesContexts;
  readonly namespaces: typeof kubernetesNamespaces;
  /**
   * Live Deployment -> pods rows of a kubernetes environment for the Deployments view (watches, no
   * polling). The caller starts it when the node is visible and disposes it when hidden.
   */
  workloads(project: Project, environment: Environment): LiveWorkloads;
}

/** The kubeconfig the setting names, else undefined (KUBECONFIG / ~/.kube/config, as kubectl). */
export function settingKubeconfig(): string | undefined {
  return vscode.workspace.getConfiguration('helixDeploy.kubernetes').get<string>('kubeconfig') || undefined;
}

export function createKubernetesServices(): KubernetesServices {
  const settings = () => vscode.workspace.getConfiguration('helixDeploy.kubernetes');
  const provider = new KubernetesProvider({
    kubeconfig: () => settings().get<string>('kubeconfig') || undefined,
    timeoutMs: Math.max(1, settings().get<number>('requestTimeoutSeconds', 15)) * 1000,
    kubectl: () => settings().get<string>('kubectlPath') || undefined,
  });
  return {
    provider,
    contexts: kubernetesContexts,
    namespaces: kubernetesNamespaces,
    workloads: (project, environment) => {
      const t = kubernetesSettings(environment, project.dir);
      return new LiveWorkloads(provider.cluster(t.context, t.kubeconfig), t.namespace);
    },
  };
}
