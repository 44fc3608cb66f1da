import { attributesOf, type PlanModel, type ResourceChange } from '../plan/model';
import { FLY_SOURCE, flyTerraformMonthly, round, type Priced } from './fly';
import type { InfracostReport } from './infracost';
import { KUBERNETES_SOURCE, kubernetesMonthly, type KubernetesRates } from './kubernetes';
import type { CostEstimate, CostProblem, CostSource, ResourceCost } from './types';

// One estimate from every source that knows something, one source per resource: Infracost first (it prices
// Terraform resources of the big clouds), then the shipped Fly.io table, then the user's Kubernetes rates. A
// resource none of them knows is "not estimated", and the totals say they cover the estimated resources only.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed JSON document, walked by hand
type Obj = Record<string, any>;

export interface CostInputs {
  model: PlanModel;
  /** Full values before and after the plan, by address (terraform show -json; the kubernetes plan record). */
  values?: Map<string, { before?: Obj; after?: Obj }>;
  infracost?: { report?: InfracostReport; source?: CostSource; problem?: CostProblem };
  /** Set when helix.deploy.toml has `[cost.kubernetes]`. */
  kubernetesRates?: KubernetesRates;
}

export function estimateCost(inp: CostInputs): CostEstimate {
  const report = inp.infracost?.report;
  const currency = report?.currency ?? 'USD';
  const used = new Set<CostSource>();
  const resources: ResourceCost[] = [];
  for (const r of inp.model.resources) {
    if (r.mode === 'data' || r.action === 'read' || r.deferred) continue;
    resources.push(priceOne(r, inp, currency, used));
  }
  // Infracost read the same plan: what it priced under an address the model does not list (a module's nested
  // resource, an older format) still counts.
  if (report && inp.infracost?.source) {
    const listed = new Set(resources.map((r) => r.address));
    for (const r of report.resources.values()) {
      if (listed.has(r.address)) continue;
      resources.push(r);
      if (r.monthly !== undefined) used.add(inp.infracost.source);
    }
  }
  const estimated = resources.filter((r) => r.monthly !== undefined);
  const total = estimated.length ? round(estimated.reduce((s, r) => s + (r.monthly ?? 0), 0)) : undefined;
  const past = estimated.length ? round(estimated.reduce((s, r) => s + (r.pastMonthly ?? 0), 0)) : undefined;
  const order: CostSource[] = [...(inp.infracost?.source ? [inp.infracost.source] : []), FLY_SOURCE, KUBERNETES_SOURCE];
  return {
    currency,
    sources: order.filter((s) => used.has(s)),
    totalMonthly: total,
    pastTotalMonthly: past,
    diffMonthly: total !== undefined && past !== undefined ? round(total - past) : undefined,
    resources,
    notEstimated: resources.filter((r) => r.monthly === undefined).map((r) => r.address),
    problems: inp.infracost?.problem ? [inp.infracost.problem] : [],
  };
}

function priceOne(r: ResourceChange, inp: CostInputs, currency: string, used: Set<CostSource>): ResourceCost {
  const report = inp.infracost?.report;
  if (report && inp.infracost?.source) {
    const known = report.resources.get(r.address);
    if (known) {
      if (known.monthly !== undefined) used.add(inp.infracost.source);
      return known;
    }
    if (report.freeTypes.has(r.type)) {
      used.add(inp.infracost.source);
      return { address: r.address, source: 'infracost', monthly: 0, pastMonthly: 0, note: 'free (Infracost)' };
    }
  }
  const vals = inp.values?.get(r.address);
  const fly = (side: Obj | undefined) => flyTerraformMonthly(r.type, side);
  if (inp.model.source !== 'kubernetes' && fly(undefined) !== undefined) {
    if (currency !== 'USD')
      return { address: r.address, note: `the Fly.io table is in USD, Infracost reported ${currency}` };
    return both(r, vals, fly, FLY_SOURCE, used);
  }
  if (inp.model.source === 'kubernetes' && inp.kubernetesRates) {
    return both(r, vals, (o) => kubernetesMonthly(o, inp.kubernetesRates!), KUBERNETES_SOURCE, used);
  }
  const why =
    inp.model.source === 'kubernetes'
      ? 'no [cost.kubernetes] rates in helix.deploy.toml'
      : report
        ? 'not in the Infracost report'
        : 'no source prices this resource type';
  return { address: r.address, note: why };
}

/** Prices both sides of a change; unknown on either side leaves the resource not estimated. */
function both(
  r: ResourceChange,
  vals: { before?: Obj; after?: Obj } | undefined,
  price: (o: Obj | undefined) => Priced | undefined,
  source: CostSource,
  used: Set<CostSource>,
): ResourceCost {
  const creates = r.action === 'create';
  const deletes = r.action === 'delete';
  if (!vals) return { address: r.address, note: 'its values are not in the plan' };
  const after = deletes ? ({ monthly: 0, note: 'deleted' } as Priced) : price(vals.after);
  const before = creates ? ({ monthly: 0, note: 'created' } as Priced) : price(vals.before);
  if (after?.monthly === undefined) return { address: r.address, note: after?.note ?? 'not priced' };
  if (before?.monthly === undefined)
    return { address: r.address, note: `before the plan: ${before?.note ?? 'not priced'}` };
  used.add(source);
  return {
    address: r.address,
    source: source.id,
    monthly: after.monthly,
    pastMonthly: before.monthly,
    note: deletes ? before.note : after.note,
  };
}

/** Before/after values of every resource of a `terraform show -json` document. */
export function terraformValues(doc: unknown): Map<string, { before?: Obj; after?: Obj }> {
  const out = new Map<string, { before?: Obj; after?: Obj }>();
  const rcs = (doc as Obj | undefined)?.resource_changes;
  for (const rc of Array.isArray(rcs) ? rcs : []) {
    if (typeof rc?.address !== 'string') continue;
    const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
    out.set(rc.address, { before: obj(rc.change?.before), after: obj(rc.change?.after) });
  }
  return out;
}

/**
 * Before/after objects of a Kubernetes plan: after = the object applied (the plan record), before = that
 * object with the diff's "before" side put back (a deletion's diff holds the whole live object).
 */
export function kubernetesValues(
  model: PlanModel,
  desired: Map<string, Obj>,
): Map<string, { before?: Obj; after?: Obj }> {
  const out = new Map<string, { before?: Obj; after?: Obj }>();
  for (const r of model.resources) {
    const after = r.action === 'delete' ? undefined : desired.get(r.address);
    if (r.action !== 'delete' && !after) continue;
    if (r.action === 'create') {
      out.set(r.address, { after });
      continue;
    }
    const before: Obj = r.action === 'delete' ? {} : structuredClone(after!);
    for (const d of attributesOf(r)) setAt(before, d.path, d.before);
    out.set(r.address, { before, after });
  }
  return out;
}

function setAt(root: Obj, path: (string | number)[], value: unknown): void {
  if (!path.length) return;
  let cur: Obj = root;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i];
    if (cur[k] === undefined || cur[k] === null || typeof cur[k] !== 'object')
      cur[k] = typeof path[i + 1] === 'number' ? [] : {};
    cur = cur[k];
  }
  const last = path[path.length - 1];
  if (value !== undefined) cur[last] = value;
  else if (Array.isArray(cur)) cur[Number(last)] = undefined;
  else delete cur[last];
}
