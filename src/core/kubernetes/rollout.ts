import type { Condition, KubeObject } from './objects';

// When is a rollout done, and why did it fail? The completion rule is kubectl's `rollout status`
// (observedGeneration caught up, all replicas updated and available, no old replicas left). Failure is the
// Progressing=False/ProgressDeadlineExceeded condition, or - earlier, so nobody waits 10 minutes for a pod
// that can never start - a new pod stuck in ImagePullBackOff/ErrImagePull/invalid config, or crash-looping
// for `crashLoopRestarts` restarts.

export interface RolloutSnapshot {
  deployment: KubeObject;
  /** ReplicaSets owned by the deployment. */
  replicaSets: KubeObject[];
  /** Pods of those ReplicaSets. */
  pods: KubeObject[];
}

export type RolloutReason =
  'ProgressDeadlineExceeded' | 'CrashLoopBackOff' | 'ImagePullBackOff' | 'CreateContainerConfigError' | 'Deleted';

export interface RolloutState {
  phase: 'progressing' | 'complete' | 'failed';
  reason?: RolloutReason;
  message: string;
  desired: number;
  updated: number;
  ready: number;
  available: number;
  newReplicaSet?: string;
}

const REVISION = 'deployment.kubernetes.io/revision';
const PULL_FAILURES = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_FAILURES = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

export function revisionOf(o: KubeObject): number {
  return Number(o.metadata.annotations?.[REVISION] ?? 0);
}

export function ownedBy(o: KubeObject, owner: KubeObject): boolean {
  return (o.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid);
}

/** The ReplicaSet whose template is the deployment's current one (highest revision owned). */
export function newReplicaSet(d: KubeObject, rss: KubeObject[]): KubeObject | undefined {
  const rev = d.metadata.annotations?.[REVISION];
  const owned = rss.filter((r) => ownedBy(r, d));
  return (
    owned.find((r) => r.metadata.annotations?.[REVISION] === rev) ??
    owned.sort((a, b) => revisionOf(b) - revisionOf(a))[0]
  );
}

export function evaluateRollout(s: RolloutSnapshot, opts: { crashLoopRestarts?: number } = {}): RolloutState {
  const d = s.deployment;
  const st = d.status ?? {};
  const desired = d.spec?.replicas ?? 1;
  const base = {
    desired,
    updated: st.updatedReplicas ?? 0,
    ready: st.readyReplicas ?? 0,
    available: st.availableReplicas ?? 0,
  };
  const rs = st.observedGeneration >= (d.metadata.generation ?? 0) ? newReplicaSet(d, s.replicaSets) : undefined;
  const progressing = (st.conditions ?? []).find((c: Condition) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      ...base,
      phase: 'failed',
      reason: 'ProgressDeadlineExceeded',
      message: `progress deadline exceeded (${d.spec?.progressDeadlineSeconds ?? 600}s): ${progressing.message ?? ''}${podHint(s, rs)}`,
      newReplicaSet: rs?.metadata.name,
    };
  }
  if (rs) {
    const limit = opts.crashLoopRestarts ?? 3;
    for (const p of s.pods.filter((p) => ownedBy(p, rs))) {
      for (const cs of p.status?.containerStatuses ?? []) {
        const waiting = cs.state?.waiting;
        if (waiting && PULL_FAILURES.has(waiting.reason))
          return {
            ...base,
            phase: 'failed',
            reason: 'ImagePullBackOff',
            message: `pod ${p.metadata.name}: ${waiting.reason} for image "${cs.image}"${waiting.message ? `: ${waiting.message}` : ''}`,
            newReplicaSet: rs.metadata.name,
          };
        if (waiting && CONFIG_FAILURES.has(waiting.reason))
          return {
            ...base,
            phase: 'failed',
            reason: 'CreateContainerConfigError',
            message: `pod ${p.metadata.name}: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`,
            newReplicaSet: rs.metadata.name,
          };
        if (waiting?.reason === 'CrashLoopBackOff' && cs.restartCount >= limit) {
          const term = cs.lastState?.terminated;
          return {
            ...base,
            phase: 'failed',
            reason: 'CrashLoopBackOff',
            message: `pod ${p.metadata.name}: container ${cs.name} is crash-looping (${cs.restartCount} restarts${term ? `, last exit code ${term.exitCode}` : ''})`,
            newReplicaSet: rs.metadata.name,
          };
        }
      }
    }
  }
  if (!rs || st.observedGeneration < (d.metadata.generation ?? 0))
    return { ...base, phase: 'progressing', message: 'waiting for the deployment spec update to be observed' };
  if (base.updated < desired)
    return {
      ...base,
      phase: 'progressing',
      message: `${base.updated} of ${desired} updated replicas`,
      newReplicaSet: rs.metadata.name,
    };
  if ((st.replicas ?? 0) > base.updated)
    return {
      ...base,
      phase: 'progressing',
      message: `${(st.replicas ?? 0) - base.updated} old replicas are pending termination`,
      newReplicaSet: rs.metadata.name,
    };
  if (base.available < base.updated)
    return {
      ...base,
      phase: 'progressing',
      message: `${base.available} of ${base.updated} updated replicas are available`,
      newReplicaSet: rs.metadata.name,
    };
  return {
    ...base,
    phase: 'complete',
    message: `successfully rolled out (${rs.metadata.name}, ${desired}/${desired} ready)`,
    newReplicaSet: rs.metadata.name,
  };
}

function podHint(s: RolloutSnapshot, rs: KubeObject | undefined): string {
  if (!rs) return '';
  for (const p of s.pods.filter((p) => ownedBy(p, rs))) {
    for (const cs of p.status?.containerStatuses ?? []) {
      if (cs.state?.waiting?.reason) return ` (pod ${p.metadata.name}: ${cs.state.waiting.reason})`;
      if (!cs.ready)
        return ` (pod ${p.metadata.name}: container ${cs.name} not ready${cs.restartCount ? `, ${cs.restartCount} restarts` : ''})`;
    }
  }
  return '';
}
