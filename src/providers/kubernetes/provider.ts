import * as fs from 'node:fs';
import { assertTrusted } from '../../core/trust/gate';
import { hasChanges, toJSON, type PlanModel } from '../../core/plan/model';
import type {
  ApplyRequest,
  ApplyResult,
  DriftRequest,
  DriftResult,
  PlanRequest,
  PlanResult,
  ToolRequest,
  ToolStatus,
} from '../../core/engine/provider';
import { isCancelled, messageOf } from '../../core/errors';
import { KubeError } from '../../core/kubernetes/cluster';
import { planObjects, applyPlan } from '../../core/kubernetes/deploy';
import { renderManifests, RenderError } from '../../core/kubernetes/render';
import { rollbackTarget, RollbackError } from '../../core/kubernetes/rollback';
import type { KubernetesPlanRecord } from '../../core/kubernetes/plan';
import { ownershipSelector } from '../../core/kubernetes/objects';
import { ClientNodeCluster } from './client';
import { forContext, loadKubeconfig } from './kubeconfig';
import { isKustomization, readManifests, ManifestsError } from './manifests';
import { run } from '../../core/process/spawn';
import { kubernetesDrift } from '../../core/drift/kubernetes';

// The Kubernetes provider behind the engine's DeployProvider shape (src/core/engine/provider.ts):
// plan writes the exact objects to apply plus the fingerprints of what they were planned against into the
// plan file (the engine hashes it and deletes it when the run ends); apply applies that record only, then
// watches the rollouts. A rollback is a plan whose vars name the Deployment to roll back.

/** `vars` of a kubernetes PlanRequest (see kubernetesVars in src/core/kubernetes/target.ts). */
export interface KubernetesVars {
  context?: string;
  namespace: string;
  environment: string;
  image?: string;
  kubeconfig?: string;
  /** Name of a Deployment, or "*" for all the environment owns: plan a rollback to the previous revision instead of the manifests. */
  rollback?: string;
}

export interface KubernetesProviderOptions {
  /** The `helixDeploy.kubernetes.kubeconfig` setting, read on each call. */
  kubeconfig?: () => string | undefined;
  timeoutMs?: number;
  crashLoopRestarts?: number;
  rolloutTimeoutMs?: number;
  kubectl?: () => string | undefined;
}

interface PlanFile {
  record: KubernetesPlanRecord;
  model: PlanModel;
}

export class KubernetesProvider {
  readonly tool = 'kubernetes' as const;

  constructor(private readonly opts: KubernetesProviderOptions = {}) {}

  private access(file?: string) {
    return loadKubeconfig({ file: file ?? this.opts.kubeconfig?.() });
  }

  /**
   * Whether a kubeconfig gives access (the environment's own `kubeconfig` when given), and kubectl runs when
   * the manifests are a kustomization: a state, never a throw.
   */
  async status(target?: { dir?: string; vars: Record<string, unknown> }): Promise<ToolStatus> {
    const own = target?.vars?.kubeconfig;
    const a = this.access(typeof own === 'string' && own ? own : undefined);
    if (a.state !== 'ok')
      return {
        state: 'missing',
        tool: 'kubernetes',
        path: a.files.join(', '),
        message: a.message,
        setting: 'helixDeploy.kubernetes.kubeconfig',
      };
    if (target?.dir && isKustomization(target.dir)) {
      const kubectl = this.opts.kubectl?.() || 'kubectl';
      const r = await run(kubectl, ['version', '--client', '-o', 'json'], {
        signal: AbortSignal.timeout(10_000),
        killAfterMs: 2000,
      }).catch((err: Error) => ({ code: -1, stdout: '', stderr: err.message }));
      if (r.code !== 0) {
        return {
          state: 'missing',
          tool: 'kubectl',
          path: kubectl,
          message: `${target.dir} is a kustomization, which needs kubectl to render, and "${kubectl}" did not run: ${r.stderr.trim() || `exit ${r.code}`}. Install kubectl or set its path.`,
          setting: 'helixDeploy.kubernetes.kubectlPath',
        };
      }
    }
    return {
      state: 'ok',
      tool: 'kubernetes',
      path: a.files.join(', '),
      version: `kubeconfig with ${a.contexts.length} context(s), current "${a.current}"`,
    };
  }

  /** A client for one context; throws KubeError('invalid') with the reason when kubeconfig cannot give one. */
  cluster(context: string | undefined, kubeconfig?: string): ClientNodeCluster {
    // Reading kubeconfig is harmless; a client may run its exec plugins and contacts the cluster.
    assertTrusted('Kubernetes cluster');
    const a = this.access(kubeconfig);
    if (a.state !== 'ok') throw new KubeError('invalid', a.message);
    try {
      return new ClientNodeCluster(forContext(a, context), { timeoutMs: this.opts.timeoutMs });
    } catch (err) {
      throw err instanceof KubeError ? err : new KubeError('invalid', messageOf(err));
    }
  }

  async plan(req: PlanRequest): Promise<PlanResult> {
    const v = req.vars as unknown as KubernetesVars;
    try {
      if (req.destroy)
        return {
          outcome: 'errored',
          error:
            'destroy is not supported for kubernetes environments: remove the manifests and plan (owned objects are pruned)',
          errorCode: 'failed',
          binding: true,
        };
      const cluster = this.cluster(v.context, v.kubeconfig);
      let desired;
      if (v.rollback) {
        desired = await this.rollbackObjects(cluster, v, req.log);
      } else {
        const files = await readManifests(req.dir, { kubectl: this.opts.kubectl?.(), signal: req.signal });
        desired = renderManifests({ files, namespace: v.namespace, environment: v.environment, image: v.image });
        req.log(`rendered ${desired.length} object(s) from ${req.dir}${v.image ? ` with image ${v.image}` : ''}`);
      }
      const { model, record } = await planObjects(cluster, desired, {
        context: cluster.context,
        namespace: v.namespace,
        environment: v.environment,
        prune: !v.rollback,
        force: !!v.rollback,
        signal: req.signal,
        log: req.log,
        learnSecret: (s) => req.redactor.add(s),
        isSecret: (x) => req.redactor.isSecret(x),
      });
      for (const r of model.resources)
        req.progress({ kind: 'planned', change: { address: r.address, action: r.action } });
      const file: PlanFile = { record, model: toJSON(model) as PlanModel };
      fs.writeFileSync(req.planFile, JSON.stringify(file), { mode: 0o600 });
      return { outcome: hasChanges(model) ? 'changes' : 'no-changes', model, binding: true };
    } catch (err) {
      if (req.signal.aborted || isCancelled(err)) return { outcome: 'cancelled', binding: true };
      return { outcome: 'errored', error: message(err), errorCode: 'failed', binding: true };
    }
  }

  /**
   * The Deployments to roll back, each with its previous ReplicaSet's template. `rollback = "*"` means every
   * Deployment this environment owns (by label) that has a previous revision; none at all is a clear error.
   */
  private async rollbackObjects(cluster: ClientNodeCluster, v: KubernetesVars, log: (line: string) => void) {
    const names =
      v.rollback === '*'
        ? (
            await cluster.list('apps/v1', 'Deployment', v.namespace, {
              labelSelector: ownershipSelector(v.environment),
            })
          ).items.map((d) => d.metadata.name as string)
        : [v.rollback!];
    if (!names.length)
      throw new RollbackError(
        `Nothing to roll back to: environment ${v.environment} has no Deployment deployed in namespace ${v.namespace}.`,
      );
    const desired = [];
    const skipped: string[] = [];
    for (const name of names) {
      try {
        const t = await rollbackTarget(cluster, {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name,
          namespace: v.namespace,
        });
        log(
          `rollback of ${v.namespace}/${name}: revision ${t.fromRevision} -> ${t.toRevision} (template of ${t.toReplicaSet})`,
        );
        desired.push(t.desired);
      } catch (err) {
        // With "*", a Deployment without history is left as it is; a named one must roll back.
        if (!(err instanceof RollbackError) || v.rollback !== '*') throw err;
        skipped.push(err.message);
      }
    }
    for (const m of skipped) log(`not rolled back: ${m}`);
    if (!desired.length) throw new RollbackError(`Nothing to roll back to: ${skipped.join('; ')}`);
    return desired;
  }

  async apply(req: ApplyRequest): Promise<ApplyResult> {
    let file: PlanFile;
    try {
      file = JSON.parse(fs.readFileSync(req.planFile, 'utf8'));
    } catch (err) {
      return { outcome: 'failed', error: `cannot read the plan file: ${messageOf(err)}` };
    }
    const v = req.vars as unknown as KubernetesVars;
    try {
      const cluster = this.cluster(file.record.context, v?.kubeconfig);
      const out = await applyPlan(cluster, file.record, {
        signal: req.signal,
        log: req.log,
        learnSecret: (s) => req.redactor.add(s),
        crashLoopRestarts: this.opts.crashLoopRestarts,
        rolloutTimeoutMs: this.opts.rolloutTimeoutMs,
      });
      if (out.error) req.log(out.error);
      return { outcome: out.outcome, error: out.error };
    } catch (err) {
      return { outcome: 'failed', error: message(err) };
    }
  }

  /**
   * Drift: the manifests rendered as a deploy would (with the image `vars.image` names: the last deployed one),
   * each object read live and compared on the fields helix-deploy applies. Reads only.
   */
  async drift(req: DriftRequest): Promise<DriftResult> {
    const v = req.vars as unknown as KubernetesVars;
    try {
      const cluster = this.cluster(v.context, v.kubeconfig);
      const files = await readManifests(req.dir, { kubectl: this.opts.kubectl?.(), signal: req.signal });
      const desired = renderManifests({ files, namespace: v.namespace, environment: v.environment, image: v.image });
      req.log(`comparing ${desired.length} object(s) from ${req.dir} with the cluster (context "${cluster.context}")`);
      const report = await kubernetesDrift(cluster, desired, {
        signal: req.signal,
        learnSecret: (s) => req.redactor.add(s),
        isSecret: (x) => req.redactor.isSecret(x),
      });
      report.notices.unshift(
        `Live objects in context "${cluster.context}" against the manifests${v.image ? ` with image ${v.image}` : ''}, on the fields helix-deploy applies.`,
      );
      return { outcome: 'checked', report };
    } catch (err) {
      if (req.signal.aborted || (err instanceof KubeError && err.kind === 'cancelled')) return { outcome: 'cancelled' };
      return { outcome: 'errored', error: message(err) };
    }
  }

  async show(req: Omit<ToolRequest, 'log' | 'progress'> & { planFile: string }): Promise<PlanModel> {
    return (JSON.parse(fs.readFileSync(req.planFile, 'utf8')) as PlanFile).model;
  }
}

function message(err: unknown): string {
  if (
    err instanceof KubeError ||
    err instanceof RenderError ||
    err instanceof ManifestsError ||
    err instanceof RollbackError
  )
    return err.message;
  return messageOf(err);
}
