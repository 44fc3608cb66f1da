import { round, type Priced } from './fly';
import { HOURS_PER_MONTH, type CostSource } from './types';

// Kubernetes objects priced from what they request (the scheduler reserves requests, so a cluster is sized by
// them) times the rates the user sets in helix.deploy.toml `[cost.kubernetes]`. Objects with no compute of their
// own (ConfigMap, Secret, a ClusterIP Service, RBAC) cost nothing; anything else we cannot count (a DaemonSet's
// node count, a LoadBalancer, a Job's run time, a container without requests) is not estimated.

export interface KubernetesRates {
  /** Per requested CPU core and hour. */
  cpuCoreHour?: number;
  /** Per requested GiB of memory and hour. */
  memoryGibHour?: number;
  /** Per requested GiB of PersistentVolumeClaim storage and month. */
  storageGibMonth?: number;
}

export const KUBERNETES_SOURCE: CostSource = {
  id: 'kubernetes-rates',
  label: 'Kubernetes requests × rates from helix.deploy.toml [cost.kubernetes]',
};

const FREE_KINDS = new Set([
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
  'Namespace',
  'NetworkPolicy',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'Ingress',
  'Endpoints',
  'LimitRange',
  'ResourceQuota',
]);

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes resource.Quantity ("500m", "1.5", "512Mi", "1e9") as a number; undefined when malformed. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?$/.exec(q.trim());
  if (!m) return undefined;
  return Number(m[1]) * SUFFIX[m[2] ?? ''];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed JSON document, walked by hand
type Obj = Record<string, any>;

/** Monthly cost of one object as applied (`o` undefined: absent, costs 0). */
export function kubernetesMonthly(o: Obj | undefined, rates: KubernetesRates): Priced {
  if (!o) return { monthly: 0, note: 'absent' };
  const kind = String(o.kind ?? '');
  if (FREE_KINDS.has(kind)) return { monthly: 0, note: 'no compute or storage of its own' };
  if (kind === 'Service') {
    const type = o.spec?.type ?? 'ClusterIP';
    return type === 'ClusterIP' || type === 'NodePort' || type === 'ExternalName'
      ? { monthly: 0, note: `${type} Service` }
      : { note: `${type} Service: priced by the cloud, not by requests` };
  }
  if (kind === 'PersistentVolumeClaim') {
    const gib = parseQuantity(o.spec?.resources?.requests?.storage);
    if (gib === undefined) return { note: 'no storage request' };
    return storage(gib / 2 ** 30, rates, 1);
  }
  const pod =
    kind === 'Pod'
      ? o.spec
      : kind === 'Deployment' || kind === 'StatefulSet' || kind === 'ReplicaSet'
        ? o.spec?.template?.spec
        : undefined;
  if (!pod)
    return {
      note:
        kind === 'DaemonSet'
          ? 'DaemonSet: one pod per node, and the node count is not known'
          : `${kind || 'object'}: no rule to price it`,
    };
  const replicas = kind === 'Pod' ? 1 : o.spec?.replicas === undefined ? 1 : Number(o.spec.replicas);
  if (!Number.isFinite(replicas) || replicas < 0)
    return { note: `replicas ${JSON.stringify(o.spec?.replicas)} is not a number` };
  let cpu = 0;
  let mem = 0;
  for (const c of Array.isArray(pod.containers) ? pod.containers : []) {
    const req = c?.resources?.requests ?? {};
    const cores = parseQuantity(req.cpu);
    const bytes = parseQuantity(req.memory);
    if (cores === undefined || bytes === undefined)
      return { note: `container ${c?.name ?? '?'} requests no ${cores === undefined ? 'cpu' : 'memory'}` };
    cpu += cores;
    mem += bytes / 2 ** 30;
  }
  if (rates.cpuCoreHour === undefined || rates.memoryGibHour === undefined)
    return { note: 'cpu_core_hour / memory_gib_hour not set in [cost.kubernetes]' };
  let monthly = replicas * (cpu * rates.cpuCoreHour + mem * rates.memoryGibHour) * HOURS_PER_MONTH;
  let note = `${replicas} × (${round(cpu * 1000) / 1000} CPU, ${round(mem)} GiB)`;
  if (kind === 'StatefulSet') {
    let gib = 0;
    for (const t of Array.isArray(o.spec?.volumeClaimTemplates) ? o.spec.volumeClaimTemplates : []) {
      const b = parseQuantity(t?.spec?.resources?.requests?.storage);
      if (b === undefined) return { note: `volume claim template ${t?.metadata?.name ?? '?'} requests no storage` };
      gib += b / 2 ** 30;
    }
    if (gib) {
      const s = storage(gib, rates, replicas);
      if (s.monthly === undefined) return s;
      monthly += s.monthly;
      note += `, ${s.note}`;
    }
  }
  return { monthly: round(monthly), note };
}

function storage(gib: number, rates: KubernetesRates, copies: number): Priced {
  if (rates.storageGibMonth === undefined) return { note: 'storage_gib_month not set in [cost.kubernetes]' };
  return {
    monthly: round(copies * gib * rates.storageGibMonth),
    note: `${copies > 1 ? `${copies} × ` : ''}${round(gib)} GiB storage`,
  };
}
