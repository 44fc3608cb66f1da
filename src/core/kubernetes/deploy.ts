import { messageOf } from '../errors';
import { KubeError, type KubeCluster } from './cluster';
import { addressOf, CLUSTER_SCOPED, ownershipSelector, refOf, type KubeObject } from './objects';
import { buildPlan, type KubernetesPlanRecord } from './plan';
import { maskObject, secretValues } from './diff';
import { fingerprint } from './fingerprint';
import { watchRollout, type RolloutOutcome } from './watch-rollout';
import type { PlanModel } from '../plan/model';

// Plan = server-side apply dry run of every rendered object + structural diff against live + pruning of
// owned objects that left the folder. Apply = exactly the planned objects (refused when the cluster changed
// since the plan), then the rollout of every changed Deployment is watched to ready or to a failure reason.

/** Kinds whose owned objects are pruning candidates (kinds absent from the cluster are skipped). */
export const PRUNE_KINDS: [string, string][] = [
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['v1', 'Service'],
  ['v1', 'ServiceAccount'],
  ['v1', 'PersistentVolumeClaim'],
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'StatefulSet'],
  ['apps/v1', 'DaemonSet'],
  ['batch/v1', 'Job'],
  ['batch/v1', 'CronJob'],
  ['networking.k8s.io/v1', 'Ingress'],
];

export interface RunContext {
  signal: AbortSignal;
  log(line: string): void;
  /** Learns secret values so the engine masks them in logs and journal. */
  learnSecret?(value: string): void;
  isSecret?(v: unknown): boolean;
}

/** Runs `fn` over items with at most `limit` in flight (keeps 200-object plans fast without a flood). */
export async function pool<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new KubeError('cancelled', 'cancelled');
}

export interface PlanOptions extends RunContext {
  context: string;
  namespace: string;
  environment: string;
  /** Compute deletions of owned objects no longer rendered (false for rollbacks). */
  prune?: boolean;
  force?: boolean;
}

export async function planObjects(
  cluster: KubeCluster,
  desired: KubeObject[],
  o: PlanOptions,
): Promise<{ model: PlanModel; record: KubernetesPlanRecord }> {
  for (const d of desired) for (const s of secretValues(d)) o.learnSecret?.(s);
  const live = await liveObjects(cluster, desired, o.signal);
  const dryRun = new Map<string, KubeObject>();
  const creatingNamespaces = new Set(desired.filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name));
  await pool(desired, 16, async (d) => {
    checkAborted(o.signal);
    const address = addressOf(d);
    try {
      dryRun.set(address, await cluster.apply(d, { dryRun: true, force: o.force }));
    } catch (err) {
      // A namespace created by this same plan does not exist yet, so the dry run of its contents cannot
      // run; the rendered object stands in for the server's answer (defaults will show after apply).
      if (
        err instanceof KubeError &&
        err.kind === 'not-found' &&
        d.metadata.namespace &&
        creatingNamespaces.has(d.metadata.namespace)
      )
        dryRun.set(address, d);
      else throw prefixed(err, address);
    }
  });
  const owned: KubeObject[] = [];
  if (o.prune !== false) {
    const kinds = new Map<string, [string, string]>(PRUNE_KINDS.map((k) => [k.join('/'), k]));
    for (const d of desired) kinds.set(`${d.apiVersion}/${d.kind}`, [d.apiVersion, d.kind]);
    const namespaces = new Set([
      o.namespace,
      ...desired.map((d) => d.metadata.namespace).filter((n): n is string => !!n),
    ]);
    const lists: [string, string, string | undefined][] = [];
    for (const [v, k] of kinds.values()) {
      if (CLUSTER_SCOPED.has(k)) lists.push([v, k, undefined]);
      else for (const n of namespaces) lists.push([v, k, n]);
    }
    await pool(lists, 8, async ([v, k, n]) => {
      checkAborted(o.signal);
      try {
        const r = await cluster.list(v, k, n, { labelSelector: ownershipSelector(o.environment) });
        for (const item of r.items) owned.push({ ...item, apiVersion: v, kind: k });
      } catch (err) {
        if (!(err instanceof KubeError && err.kind === 'not-found')) throw err; // kind not served by this cluster
      }
    });
  }
  for (const obj of owned) for (const s of secretValues(obj)) o.learnSecret?.(s);
  for (const obj of live.values()) for (const s of secretValues(obj)) o.learnSecret?.(s);
  return buildPlan({
    context: o.context,
    namespace: o.namespace,
    environment: o.environment,
    desired,
    dryRun,
    live,
    owned,
    isSecret: o.isSecret,
    force: o.force,
  });
}

/**
 * Live objects for the desired ones: one list per kind and namespace (a 200-object plan costs a few lists,
 * not 200 GETs); where listing is forbidden (narrow RBAC), one GET per object.
 */
async function liveObjects(
  cluster: KubeCluster,
  desired: KubeObject[],
  signal: AbortSignal,
): Promise<Map<string, KubeObject>> {
  const live = new Map<string, KubeObject>();
  const groups = new Map<string, KubeObject[]>();
  for (const d of desired) {
    const k = `${d.apiVersion}|${d.kind}|${CLUSTER_SCOPED.has(d.kind) ? '' : (d.metadata.namespace ?? '')}`;
    groups.set(k, [...(groups.get(k) ?? []), d]);
  }
  await pool([...groups.entries()], 8, async ([k, items]) => {
    checkAborted(signal);
    const [apiVersion, kind, ns] = k.split('|');
    const wanted = new Set(items.map(addressOf));
    try {
      const r = await cluster.list(apiVersion, kind, ns || undefined);
      for (const o of r.items) {
        const obj = { ...o, apiVersion, kind };
        if (wanted.has(addressOf(obj))) live.set(addressOf(obj), obj);
      }
    } catch (err) {
      // Kind not served or namespace not there yet: nothing is live; the dry run explains what is wrong.
      if (err instanceof KubeError && err.kind === 'not-found') return;
      if (!(err instanceof KubeError && err.kind === 'forbidden')) throw err;
      await pool(items, 16, async (d) => {
        const current = await cluster.get(refOf(d));
        if (current) live.set(addressOf(d), current);
      });
    }
  });
  return live;
}

function prefixed(err: unknown, address: string): Error {
  if (err instanceof KubeError) return new KubeError(err.kind, `${address}: ${err.message}`, err.status);
  return new Error(`${address}: ${messageOf(err)}`);
}

export interface ApplyOutcome {
  outcome: 'applied' | 'failed' | 'cancelled' | 'stale';
  error?: string;
  rollouts: { address: string; result: RolloutOutcome }[];
}

export interface ApplyOptions extends RunContext {
  crashLoopRestarts?: number;
  rolloutTimeoutMs?: number;
}

export async function applyPlan(
  cluster: KubeCluster,
  record: KubernetesPlanRecord,
  o: ApplyOptions,
): Promise<ApplyOutcome> {
  for (const p of record.objects) for (const s of secretValues(p.desired)) o.learnSecret?.(s);
  // 1. The cluster must still be what the plan was computed against.
  const changed: string[] = [];
  await pool(
    [
      ...record.objects.map((p) => ({ address: p.address, ref: refOf(p.desired), v: p.liveVersion })),
      ...record.prunes.map((p) => ({ address: p.address, ref: p, v: p.liveVersion })),
    ],
    16,
    async (x) => {
      const now = await cluster.get(x.ref);
      if (fingerprint(now) !== x.v) changed.push(x.address);
    },
  );
  if (changed.length)
    return {
      outcome: 'stale',
      error: `the cluster changed since the plan (${changed.sort().join(', ')}); plan again`,
      rollouts: [],
    };
  if (o.signal.aborted) return { outcome: 'cancelled', error: 'cancelled before anything was applied', rollouts: [] };
  // 2. Apply in plan order (namespaces, config, services, workloads), then prune.
  for (const p of record.objects) {
    if (o.signal.aborted)
      return {
        outcome: 'cancelled',
        error: `cancelled after applying some objects; next was ${p.address}`,
        rollouts: [],
      };
    if (p.action === 'no-op') continue;
    try {
      await cluster.apply(p.desired, { force: record.force });
      o.log(`${p.address} ${p.action === 'create' ? 'created' : 'configured'} (server-side apply)`);
    } catch (err) {
      return { outcome: 'failed', error: `${p.address}: ${messageOf(err)}`, rollouts: [] };
    }
  }
  for (const p of record.prunes) {
    try {
      await cluster.delete(p);
      o.log(`${p.address} deleted (pruned: no longer in the manifests)`);
    } catch (err) {
      if (!(err instanceof KubeError && err.kind === 'not-found'))
        return { outcome: 'failed', error: `${p.address}: ${messageOf(err)}`, rollouts: [] };
    }
  }
  // 3. Watch the rollouts of the Deployments this apply changed.
  const deployments = record.objects.filter((p) => p.desired.kind === 'Deployment' && p.action !== 'no-op');
  const rollouts = await Promise.all(
    deployments.map(async (p) => ({
      address: p.address,
      result: await watchRollout(cluster, refOf(p.desired), {
        signal: o.signal,
        log: o.log,
        crashLoopRestarts: o.crashLoopRestarts,
        timeoutMs: o.rolloutTimeoutMs,
      }),
    })),
  );
  if (rollouts.some((r) => r.result.phase === 'cancelled'))
    return { outcome: 'cancelled', error: 'stopped watching the rollout (the applied objects stay applied)', rollouts };
  const bad = rollouts.filter((r) => r.result.phase !== 'complete');
  if (bad.length) {
    const why = bad
      .map(
        (r) =>
          `${r.address}: ${'reason' in r.result && r.result.reason ? `${r.result.reason}: ` : ''}${r.result.message}`,
      )
      .join('; ');
    return { outcome: 'failed', error: `rollout failed - ${why}`, rollouts };
  }
  return { outcome: 'applied', rollouts };
}

/** The object as a log or panel may show it. */
export const displayObject = maskObject;
