import * as vscode from 'vscode';
import type { Container } from '../../container';
import { applyPlan, planObjects } from '../../core/kubernetes/deploy';
import { rollbackTarget } from '../../core/kubernetes/rollback';
import { kubernetesTarget } from '../../core/kubernetes/target';
import { attributesOf, summaryLine } from '../../core/plan/model';
import type { KubernetesProvider } from '../../providers/kubernetes/provider';
import { pickKubernetesEnvironment, type EnvArg } from './pick';

// Rollback: plan (server-side dry run of the previous ReplicaSet's template), show the diff, ask for approval,
// then apply exactly that plan and watch the rollout. When the engine accepts the kubernetes provider, the
// same plan goes through it instead (vars.rollback, see src/providers/kubernetes/provider.ts).

export async function rollback(c: Container, provider: KubernetesProvider, arg?: EnvArg & { deployment?: string }): Promise<void> {
  const picked = await pickKubernetesEnvironment(c, arg);
  if (!picked) return;
  const t = kubernetesTarget(picked.environment, picked.project.dir);
  const cluster = provider.cluster(t.context, t.kubeconfig);
  let name = arg?.deployment;
  if (!name) {
    const deps = (await cluster.list('apps/v1', 'Deployment', t.namespace)).items.map((d) => d.metadata.name);
    name = deps.length === 1 ? deps[0] : await vscode.window.showQuickPick(deps, { placeHolder: 'Roll back which Deployment?' });
    if (!name) return;
  }
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: t.namespace };
  const out = c.own(vscode.window.createOutputChannel(`Helix Deploy: rollback ${t.namespace}/${name}`));
  const ctl = new AbortController();
  const log = (l: string) => out.appendLine(c.deploy?.redactor ? c.deploy.redactor.redact(l) : l);
  const target = await rollbackTarget(cluster, ref);
  const { model, record } = await planObjects(cluster, [target.desired], {
    context: cluster.context, namespace: t.namespace, environment: t.environment, prune: false, force: true, signal: ctl.signal, log,
    learnSecret: (s) => c.deploy?.redactor.add(s), isSecret: (v) => !!c.deploy?.redactor.isSecret(v),
  });
  const changes = model.resources.flatMap((r) => attributesOf(r).map((a) => `${a.path.join('.')}: ${String(a.before)} -> ${String(a.after)}`));
  const detail = `Revision ${target.fromRevision} -> ${target.toRevision} (${target.toReplicaSet}). ${summaryLine(model.summary)}.\n${changes.slice(0, 10).join('\n')}`;
  const ok = await vscode.window.showWarningMessage(`Roll back ${t.namespace}/${name} in context ${cluster.context}?`, { modal: true, detail }, 'Roll Back');
  if (ok !== 'Roll Back') return;
  out.show(true);
  log(`rollback of ${t.namespace}/${name}: ${detail}`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Rolling back ${name}`, cancellable: true },
    (_p, token) => {
      token.onCancellationRequested(() => ctl.abort());
      return applyPlan(cluster, record, { signal: ctl.signal, log });
    },
  );
  log(`rollback ${result.outcome}${result.error ? `: ${result.error}` : ''}`);
  if (result.outcome === 'applied') void vscode.window.showInformationMessage(`${name} rolled back to revision ${target.toRevision}.`);
  else void vscode.window.showErrorMessage(`Rollback of ${name} ${result.outcome}: ${result.error ?? ''}`);
}
