import { LogFollower } from '../../core/logs/follower';
import type { ContainerEngine } from '../../core/local/engine';
import type { Disposable } from '../../core/engine/emitter';
import type { LogLine } from '../protocol';
import type { KubeCluster } from '../../core/kubernetes/cluster';
import { ENVIRONMENT_LABEL, labelValue } from '../../core/kubernetes/objects';
import { WorkloadLogs } from '../../core/kubernetes/workload-logs';

/**
 * Follows a local environment's container for the panel: lines arrive in batches of the protocol's shape,
 * across restarts and re-creations (the follower reattaches), until disposed.
 */
export function followContainerLogs(
  engine: ContainerEngine,
  container: string,
  onLines: (lines: LogLine[]) => void,
  onStopped: (err: unknown) => void,
): Disposable {
  const follower = new LogFollower(engine, container, { tail: 500 });
  const sub = follower.onLine((l) => onLines([{ t: l.at, text: l.text, err: l.stream === 'stderr' }]));
  void follower.start().catch(onStopped);
  return { dispose: () => (sub.dispose(), follower.dispose()) };
}

/**
 * Follows every pod of a Kubernetes environment's workloads (pods carry the environment label our render adds)
 * for the panel: lines prefixed `[pod/container]`, across container restarts and rollouts, until disposed.
 */
export function followWorkloadLogs(
  cluster: KubeCluster,
  namespace: string,
  environment: string,
  onLines: (lines: LogLine[]) => void,
  onStopped: (err: unknown) => void,
  redact?: (line: string) => string,
): Disposable {
  const ctl = new AbortController();
  const selector = `${ENVIRONMENT_LABEL}=${labelValue(environment)}`;
  const logs = new WorkloadLogs(cluster, {
    namespace,
    selector,
    signal: ctl.signal,
    redact,
    onLine: (text) => onLines([{ t: Date.now(), text }]),
  });
  logs.start().catch((err) => {
    if (!ctl.signal.aborted) onStopped(err);
  });
  return { dispose: () => ctl.abort() };
}
