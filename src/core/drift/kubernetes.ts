import { mask } from '../plan/diff';
import type { AttributeDiff, ResourceChange } from '../plan/model';
import type { KubeCluster } from '../kubernetes/cluster';
import { addressOf, FIELD_MANAGER, refOf, type KubeObject } from '../kubernetes/objects';
import { secretValues } from '../kubernetes/diff';
import type { DriftReport } from './model';

// Kubernetes drift: each object helix-deploy applies, read live, against the values helix-deploy applies
// (the environment's manifests rendered with the image of its last deployment). Only fields helix-deploy
// sets are compared, so defaults and fields other controllers own are never drift. Live managedFields say
// who changed a field: a write by another manager (kubectl edit, scale, patch) takes the field over.

/** Metadata the server sets or that only names the object: never compared. */
const IDENTITY_METADATA = new Set([
  'name',
  'namespace',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'managedFields',
  'selfLink',
]);

export interface KubernetesDriftOptions {
  isSecret?: (v: unknown) => boolean;
  learnSecret?: (v: string) => void;
  signal?: AbortSignal;
  now?: Date;
}

export async function kubernetesDrift(
  cluster: KubeCluster,
  desired: KubeObject[],
  opts: KubernetesDriftOptions = {},
): Promise<DriftReport> {
  const resources: ResourceChange[] = [];
  const notices: string[] = [];
  const isSecret = opts.isSecret ?? (() => false);
  for (const d of desired) {
    if (opts.signal?.aborted) throw new Error('cancelled');
    const live = await cluster.get(refOf(d));
    for (const s of [...secretValues(d), ...secretValues(live)]) opts.learnSecret?.(s);
    const address = addressOf(d);
    const base = {
      address,
      module: d.metadata.namespace,
      type: `${d.apiVersion}/${d.kind}`,
      name: d.metadata.name,
      mode: 'managed' as const,
    };
    if (!live) {
      resources.push({
        ...base,
        action: 'delete',
        reason: 'not on the cluster: deleted outside helix-deploy',
        attributes: [],
      });
      continue;
    }
    if (!managerEntry(live, FIELD_MANAGER)) {
      notices.push(
        `${address} exists but was never applied by helix-deploy (no "${FIELD_MANAGER}" field manager): not compared.`,
      );
      continue;
    }
    const attrs = compareObject(d, live, isSecret);
    if (!attrs.length) continue;
    const by = [...new Set(attrs.flatMap((a) => ownersOf(live, a.path).filter((m) => m !== FIELD_MANAGER)))];
    resources.push({
      ...base,
      action: 'update',
      reason: by.length ? `changed by ${by.join(', ')}` : 'changed outside helix-deploy',
      attributes: attrs,
    });
  }
  return {
    source: 'kubernetes',
    checkedAt: (opts.now ?? new Date()).toISOString(),
    resources,
    diagnostics: [],
    notices,
  };
}

/** Fields of `desired` whose live value differs: before = what helix-deploy applies, after = live. */
export function compareObject(
  desired: KubeObject,
  live: KubeObject,
  isSecret: (v: unknown) => boolean = () => false,
): AttributeDiff[] {
  const out: AttributeDiff[] = [];
  const secret = desired.kind === 'Secret';
  for (const [k, v] of Object.entries(desired)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    // stringData is write-only: the server folds it into data (base64), where it is compared.
    if (secret && k === 'stringData') {
      for (const [sk, sv] of Object.entries((v ?? {}) as Record<string, unknown>)) {
        const raw = (live.data as Record<string, string> | undefined)?.[sk];
        const liveText = typeof raw === 'string' ? Buffer.from(raw, 'base64').toString('utf8') : undefined;
        if (String(sv) !== liveText) out.push({ path: ['data', sk], before: sv, after: liveText });
      }
      continue;
    }
    if (k === 'metadata') {
      for (const [mk, mv] of Object.entries(v as Record<string, unknown>)) {
        if (!IDENTITY_METADATA.has(mk)) walk(['metadata', mk], mv, (live.metadata as Record<string, unknown>)[mk], out);
      }
      continue;
    }
    walk([k], v, live[k], out);
  }
  return out.map((a) => {
    const sensitive = secret && a.path[0] === 'data';
    const m = { ...a, before: mask(a.before, sensitive, isSecret), after: mask(a.after, sensitive, isSecret) };
    return sensitive || isSecret(a.before) || isSecret(a.after) ? { ...m, sensitive: true } : m;
  });
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function walk(path: (string | number)[], d: unknown, l: unknown, out: AttributeDiff[]): void {
  if (d === null || d === undefined) return; // null in a manifest means "unset": nothing to hold the live value to
  if (isMap(d)) {
    if (!isMap(l)) return void out.push({ path, before: d, after: l });
    for (const [k, v] of Object.entries(d)) walk([...path, k], v, l[k], out);
    return;
  }
  if (Array.isArray(d)) {
    if (!Array.isArray(l) || l.length !== d.length) return void out.push({ path, before: d, after: l });
    d.forEach((v, i) => walk([...path, i], v, l[i], out));
    return;
  }
  // YAML may give a number where the API returns a string (quantities, int-or-string ports) and back.
  if (d !== l && String(d) !== String(l)) out.push({ path, before: d, after: l });
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: unknown;
}

function entries(o: KubeObject): ManagedFieldsEntry[] {
  return (Array.isArray(o.metadata.managedFields) ? o.metadata.managedFields : []) as ManagedFieldsEntry[];
}

function managerEntry(o: KubeObject, manager: string): ManagedFieldsEntry | undefined {
  return entries(o).find((e) => e.manager === manager);
}

/** Managers whose FieldsV1 set covers `path` (or a field under or above it), status writes excluded. */
export function ownersOf(o: KubeObject, path: (string | number)[]): string[] {
  const keys = path.filter((p): p is string => typeof p === 'string');
  const out: string[] = [];
  for (const e of entries(o)) {
    if (!e.manager || e.subresource === 'status') continue;
    if (covers(e.fieldsV1, keys)) out.push(e.manager);
  }
  return out;
}

function covers(fields: unknown, keys: string[]): boolean {
  let node = fields;
  for (const k of keys) {
    if (!isMap(node)) return false;
    const next = node[`f:${k}`];
    // Lists are owned per element (k:/v: keys) or whole: either way the manager owns something at this path.
    if (next === undefined)
      return Object.keys(node).some((x) => x.startsWith('k:') || x.startsWith('v:') || x.startsWith('i:'));
    node = next;
  }
  return true;
}
