import type { KubeCluster } from './cluster';
import { ENVIRONMENT_LABEL, type KubeObject, type ObjectRef } from './objects';
import { normalize } from './diff';
import { newReplicaSet, ownedBy, revisionOf } from './rollout';
import { HelixError, type HelixErrorOptions } from '../errors';

// Rollback = apply the previous ReplicaSet's pod template to the Deployment (what `kubectl rollout undo`
// does), as a planned run: the desired object below goes through the same dry run, diff and approval.

export class RollbackError extends HelixError {
  constructor(message: string, options?: HelixErrorOptions) {
    super('rollback', message, options);
  }
}

export interface RollbackRevision {
  desired: KubeObject;
  fromRevision: number;
  toRevision: number;
  toReplicaSet: string;
}

export async function rollbackTarget(cluster: KubeCluster, ref: ObjectRef): Promise<RollbackRevision> {
  const d = await cluster.get(ref);
  if (!d) throw new RollbackError(`Deployment ${ref.namespace}/${ref.name} not found`);
  const selector = Object.entries((d.spec?.selector?.matchLabels ?? {}) as Record<string, string>)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const rss: KubeObject[] = (
    await cluster.list('apps/v1', 'ReplicaSet', ref.namespace, { labelSelector: selector })
  ).items.map((r) => ({ ...r, apiVersion: 'apps/v1', kind: 'ReplicaSet' }));
  const owned = rss.filter((r) => ownedBy(r, d));
  const current = newReplicaSet(d, owned);
  const currentRev = current ? revisionOf(current) : revisionOf(d);
  const previous = owned.filter((r) => revisionOf(r) < currentRev).sort((a, b) => revisionOf(b) - revisionOf(a))[0];
  if (!previous)
    throw new RollbackError(
      `${ref.name} has no previous revision to roll back to (current revision ${currentRev}; revisionHistoryLimit may have removed older ReplicaSets)`,
    );
  // The whole current spec (so no field we applied before is dropped) with the previous template.
  const desired = normalize(d)!;
  const template = structuredClone(previous.spec.template);
  delete template.metadata?.labels?.['pod-template-hash'];
  if (d.spec.template?.metadata?.labels?.[ENVIRONMENT_LABEL])
    template.metadata.labels[ENVIRONMENT_LABEL] = d.spec.template.metadata.labels[ENVIRONMENT_LABEL];
  desired.spec.template = template;
  desired.apiVersion = d.apiVersion ?? 'apps/v1';
  desired.kind = 'Deployment';
  return { desired, fromRevision: currentRev, toRevision: revisionOf(previous), toReplicaSet: previous.metadata.name };
}
