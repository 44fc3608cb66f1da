import * as vscode from 'vscode';
import { isRestrictedModeError } from '../../core/trust/gate';
import type { CommandHandler, Container } from '../../container';
import { KubeError } from '../../core/kubernetes/cluster';
import { LiveWorkloads } from '../../core/kubernetes/live-workloads';
import { kubernetesTarget } from '../../core/kubernetes/target';
import type { Environment, Project } from '../../core/model/types';
import { KubernetesProvider } from '../../providers/kubernetes/provider';
import { kubernetesContexts, kubernetesNamespaces } from '../../providers/kubernetes/contexts';
import { writeStarterManifests } from './starter';
import { showWorkloadLogs } from './logs';
import { rollback } from './rollback';

// Kubernetes commands: Write Starter Kubernetes Manifests, Show Workload Logs, Rollback.
// The logic lives in src/core/kubernetes and src/providers/kubernetes; this only wires VS Code to it.

declare module '../../container' {
  interface Container {
    /** The Kubernetes provider (engine shape) and the data functions the Environments view calls. */
    kubernetes?: {
      provider: KubernetesProvider;
      contexts: typeof kubernetesContexts;
      namespaces: typeof kubernetesNamespaces;
      /**
       * Live Deployment -> pods rows of a kubernetes environment for the Deployments view (watches, no
       * polling). The caller starts it when the node is visible and disposes it when hidden.
       */
      workloads(project: Project, environment: Environment): LiveWorkloads;
    };
  }
}

export function registerKubernetes(c: Container): void {
  const settings = () => vscode.workspace.getConfiguration('helixDeploy.kubernetes');
  const provider = new KubernetesProvider({
    kubeconfig: () => settings().get<string>('kubeconfig') || undefined,
    timeoutMs: Math.max(1, settings().get<number>('requestTimeoutSeconds', 15)) * 1000,
    kubectl: () => settings().get<string>('kubectlPath') || undefined,
  });
  c.kubernetes = {
    provider,
    contexts: kubernetesContexts,
    namespaces: kubernetesNamespaces,
    workloads: (project, environment) => {
      const t = kubernetesTarget(environment, project.dir);
      return new LiveWorkloads(provider.cluster(t.context, t.kubeconfig), t.namespace);
    },
  };

  /** Errors become messages (a missing kubeconfig or unreachable cluster is a state, not a stack trace). */
  const guarded = (fn: (...args: Parameters<CommandHandler>) => Promise<void>) => async (...args: Parameters<CommandHandler>) => {
    try {
      await fn(...args);
    } catch (err) {
      if (isRestrictedModeError(err)) throw err; // the registrar shows it with its action
      const msg = err instanceof Error ? err.message : String(err);
      c.log.warn(`kubernetes: ${msg}`);
      void vscode.window.showErrorMessage(err instanceof KubeError && err.kind === 'unauthorized' ? msg : `Kubernetes: ${msg}`);
    }
  };
  const commands: Record<string, CommandHandler> = {
    'helixDeploy.kubernetes.writeStarterManifests': guarded((arg) => writeStarterManifests(c, arg)),
    'helixDeploy.kubernetes.showWorkloadLogs': guarded((arg) => showWorkloadLogs(c, provider, arg)),
    'helixDeploy.kubernetes.rollback': guarded((arg) => rollback(c, arg)),
  };
  for (const [id, fn] of Object.entries(commands)) c.registerCommand(id, fn);
}
