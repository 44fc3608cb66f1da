import * as fs from 'node:fs';
import { hasChanges, toJSON, type PlanModel } from '../../core/plan/model';
import type { ApplyRequest, ApplyResult, PlanRequest, PlanResult, ToolRequest, ToolStatus } from '../../core/engine/provider';
import { KubeError } from '../../core/kubernetes/cluster';
import { planObjects, applyPlan } from '../../core/kubernetes/deploy';
import { renderManifests, RenderError } from '../../core/kubernetes/render';
import { rollbackTarget, RollbackError } from '../../core/kubernetes/rollback';
import type { KubernetesPlanRecord } from '../../core/kubernetes/plan';
import { ClientNodeCluster } from './client';
import { forContext, loadKubeconfig } from './kubeconfig';
import { readManifests, ManifestsError } from './manifests';

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
  /** Name of a Deployment: plan a rollback of it to its previous revision instead of the manifests. */
  rollback?: string;
}

export interface KubernetesProviderOptions {
  /** The `helix.kubernetes.kubeconfig` setting, read on each call. */
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

  async status(): Promise<ToolStatus> {
    const a = this.access();
    if (a.state !== 'ok') return { state: 'missing', tool: 'kubernetes', path: a.files.join(', '), message: a.message, setting: 'helix.kubernetes.kubeconfig' };
    return { state: 'ok', tool: 'kubernetes', path: a.files.join(', '), version: `kubeconfig with ${a.contexts.length} context(s), current "${a.current}"` };
  }

  /** A client for one context; throws KubeError('invalid') with the reason when kubeconfig cannot give one. */
  cluster(context: string | undefined, kubeconfig?: string): ClientNodeCluster {
    const a = this.access(kubeconfig);
    if (a.state !== 'ok') throw new KubeError('invalid', a.message);
    try {
      return new ClientNodeCluster(forContext(a, context), { timeoutMs: this.opts.timeoutMs });
    } catch (err) {
      throw err instanceof KubeError ? err : new KubeError('invalid', (err as Error).message);
    }
  }

  async plan(req: PlanRequest): Promise<PlanResult> {
    const v = req.vars as unknown as KubernetesVars;
    try {
      if (req.destroy) return { outcome: 'errored', error: 'destroy is not supported for kubernetes environments: remove the manifests and plan (owned objects are pruned)', errorCode: 'failed', binding: true };
      const cluster = this.cluster(v.context, v.kubeconfig);
      let desired;
      if (v.rollback) {
        const t = await rollbackTarget(cluster, { apiVersion: 'apps/v1', kind: 'Deployment', name: v.rollback, namespace: v.namespace });
        req.log(`rollback of ${v.namespace}/${v.rollback}: revision ${t.fromRevision} -> ${t.toRevision} (template of ${t.toReplicaSet})`);
        desired = [t.desired];
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
      for (const r of model.resources) req.progress({ kind: 'planned', change: { address: r.address, action: r.action } });
      const file: PlanFile = { record, model: toJSON(model) as PlanModel };
      fs.writeFileSync(req.planFile, JSON.stringify(file), { mode: 0o600 });
      return { outcome: hasChanges(model) ? 'changes' : 'no-changes', model, binding: true };
    } catch (err) {
      if (req.signal.aborted || (err instanceof KubeError && err.kind === 'cancelled')) return { outcome: 'cancelled', binding: true };
      return { outcome: 'errored', error: message(err), errorCode: 'failed', binding: true };
    }
  }

  async apply(req: ApplyRequest): Promise<ApplyResult> {
    let file: PlanFile;
    try {
      file = JSON.parse(fs.readFileSync(req.planFile, 'utf8'));
    } catch (err) {
      return { outcome: 'failed', error: `cannot read the plan file: ${(err as Error).message}` };
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

  async show(req: Omit<ToolRequest, 'log' | 'progress'> & { planFile: string }): Promise<PlanModel> {
    return (JSON.parse(fs.readFileSync(req.planFile, 'utf8')) as PlanFile).model;
  }
}

function message(err: unknown): string {
  if (err instanceof KubeError || err instanceof RenderError || err instanceof ManifestsError || err instanceof RollbackError) return err.message;
  return (err as Error)?.message ?? String(err);
}
