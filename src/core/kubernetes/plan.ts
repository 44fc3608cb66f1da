import { summarize, type PlanModel, type ResourceChange } from '../plan/model';
import { addressOf, CLUSTER_SCOPED, type KubeObject } from './objects';
import { diffObjects } from './diff';
import { fingerprint } from './fingerprint';

// From (desired objects, server dry-run results, live objects, owned objects no longer in the folder) to the
// one diff model the panel shows. Also the record that binds the apply: what to apply and which live
// resourceVersions the plan was computed against.

export interface PlannedObject {
  address: string;
  desired: KubeObject;
  /** Fingerprint of the live object at plan time ("" when absent): apply refuses if it changed. */
  liveVersion: string;
  action: 'create' | 'update' | 'no-op';
}

export interface PlannedPrune {
  address: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  liveVersion: string;
}

/** What an approved plan applies: written to the plan file, read back at apply. */
export interface KubernetesPlanRecord {
  format: 'helix-deploy/kubernetes-plan@1';
  context: string;
  namespace: string;
  environment: string;
  objects: PlannedObject[];
  prunes: PlannedPrune[];
  /** Rollback plans take fields back from other managers. */
  force?: boolean;
}

export interface PlanInputs {
  context: string;
  namespace: string;
  environment: string;
  desired: KubeObject[];
  /** address -> server-side apply dry-run result */
  dryRun: Map<string, KubeObject>;
  /** address -> live object (absent = does not exist) */
  live: Map<string, KubeObject>;
  /** Live objects carrying our ownership labels (pruning candidates). */
  owned: KubeObject[];
  isSecret?: (v: unknown) => boolean;
  force?: boolean;
}

/** Objects we own that left the folder. Only objects with our labels are ever candidates. */
export function pruneSet(owned: KubeObject[], desired: KubeObject[]): KubeObject[] {
  const keep = new Set(desired.map(addressOf));
  return owned.filter((o) => !keep.has(addressOf(o)) && !o.metadata.ownerReferences?.length);
}

export function buildPlan(inp: PlanInputs): { model: PlanModel; record: KubernetesPlanRecord } {
  const resources: ResourceChange[] = [];
  const objects: PlannedObject[] = [];
  for (const d of inp.desired) {
    const address = addressOf(d);
    const live = inp.live.get(address);
    const after = inp.dryRun.get(address) ?? d;
    const attrs = diffObjects(live, after, inp.isSecret);
    const action = !live ? 'create' : attrs.length ? 'update' : 'no-op';
    resources.push(change(address, d, action, () => diffObjects(live, after, inp.isSecret), attrs));
    objects.push({ address, desired: d, liveVersion: fingerprint(live), action });
  }
  const prunes: PlannedPrune[] = [];
  for (const o of pruneSet(inp.owned, inp.desired)) {
    const address = addressOf(o);
    resources.push(change(address, o, 'delete', () => diffObjects(o, undefined, inp.isSecret)));
    prunes.push({
      address,
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name,
      namespace: CLUSTER_SCOPED.has(o.kind) ? undefined : o.metadata.namespace,
      liveVersion: fingerprint(o),
    });
  }
  const model: PlanModel = {
    source: 'kubernetes',
    formatVersion: 'server-side-apply dry-run',
    summary: summarize({ resources, drift: [], outputs: [] }),
    resources,
    drift: [],
    outputs: [],
    errored: false,
    diagnostics: [],
    notices: [
      `Server-side dry run (dryRun=All, fieldManager=helix-deploy) in context "${inp.context}"; apply is refused if any planned object changes on the cluster meanwhile.`,
    ],
  };
  return {
    model,
    record: {
      format: 'helix-deploy/kubernetes-plan@1',
      context: inp.context,
      namespace: inp.namespace,
      environment: inp.environment,
      objects,
      prunes,
      ...(inp.force ? { force: true } : {}),
    },
  };
}

function change(
  address: string,
  o: KubeObject,
  action: ResourceChange['action'],
  load: () => ReturnType<typeof diffObjects>,
  attrs?: ReturnType<typeof diffObjects>,
): ResourceChange {
  return {
    address,
    module: o.metadata.namespace,
    type: `${o.apiVersion}/${o.kind}`,
    name: o.metadata.name,
    mode: 'managed',
    action,
    ...(action === 'delete' ? { reason: 'no longer in the manifests (owned by helix-deploy: pruned)' } : {}),
    ...(attrs ? { attributes: attrs } : { loadAttributes: load }),
  };
}
