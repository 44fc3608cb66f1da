import * as vscode from 'vscode';
import type { Container } from '../../container';
import { kubernetesSettings } from '../../core/kubernetes/target';
import { WorkloadLogs } from '../../core/kubernetes/workload-logs';
import type { KubernetesProvider } from '../../providers/kubernetes/provider';
import { pickKubernetesEnvironment, type EnvArg } from './pick';

// Show Workload Logs: every pod of a Deployment, prefixed, following restarts and rollouts, into an output
// channel (the plan panel can host the same WorkloadLogs stream). Closing the channel stops it.

export async function showWorkloadLogs(
  c: Container,
  provider: KubernetesProvider,
  arg?: EnvArg & { deployment?: string },
): Promise<void> {
  const picked = await pickKubernetesEnvironment(c, arg);
  if (!picked) return;
  const t = kubernetesSettings(picked.environment, picked.project.dir);
  const cluster = provider.cluster(t.context, t.kubeconfig);
  let name = arg?.deployment;
  if (!name) {
    const deps = (await cluster.list('apps/v1', 'Deployment', t.namespace)).items.map((d) => d.metadata.name);
    if (!deps.length)
      return void vscode.window.showInformationMessage(
        `No Deployment in namespace ${t.namespace} (context ${cluster.context}).`,
      );
    name =
      deps.length === 1
        ? deps[0]
        : await vscode.window.showQuickPick(deps, { placeHolder: `Logs of which Deployment in ${t.namespace}?` });
    if (!name) return;
  }
  const d = await cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: t.namespace });
  if (!d) return void vscode.window.showWarningMessage(`Deployment ${t.namespace}/${name} not found.`);
  const selector = Object.entries((d.spec?.selector?.matchLabels ?? {}) as Record<string, string>)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const channel = c.own(vscode.window.createOutputChannel(`Helix Deploy: ${t.namespace}/${name} logs`));
  const ctl = new AbortController();
  c.own({ dispose: () => ctl.abort() });
  const redactor = c.deploy.redactor;
  const redact = (l: string) => redactor.redact(l);
  const logs = new WorkloadLogs(cluster, {
    namespace: t.namespace,
    selector,
    signal: ctl.signal,
    onLine: (l) => channel.appendLine(l),
    redact,
  });
  channel.show(true);
  channel.appendLine(`[logs] following ${t.namespace}/${name} (${selector}) in context ${cluster.context}`);
  await logs.start();
}
