import type { AttributeDiff, PlanDiagnostic, PlanModel, PlanSource, ResourceChange } from '../plan/model';
import { attributesOf, emptySummary } from '../plan/model';

// Drift: what changed on the real system since the tool last recorded or applied it. One report shape for
// Terraform (`plan -refresh-only`), Pulumi (`preview --refresh`) and Kubernetes (live objects against what
// helix-deploy applies). Attribute diffs reuse the plan diff model: `before` is what the tool manages
// (state, program, applied manifest), `after` is what is live now. Values are redacted like any plan.

export interface DriftReport {
  source: PlanSource;
  checkedAt: string;
  /** Drifted resources: action 'update' (changed outside), 'delete' (gone outside), 'create' (appeared outside). */
  resources: ResourceChange[];
  diagnostics: PlanDiagnostic[];
  notices: string[];
}

/** What the run history keeps of a drift check: counts and addresses, never values. */
export interface DriftRecord {
  count: number;
  checkedAt: string;
  /** At most MAX_RECORDED addresses. */
  resources: string[];
}

const MAX_RECORDED = 100;

export function driftRecord(r: DriftReport): DriftRecord {
  return {
    count: r.resources.length,
    checkedAt: r.checkedAt,
    resources: r.resources.slice(0, MAX_RECORDED).map((x) => x.address),
  };
}

/** Reads `meta.drift` of a run record written by any version; undefined when absent or malformed. */
export function readDriftRecord(meta: Record<string, unknown> | undefined): DriftRecord | undefined {
  const d = meta?.drift as Partial<DriftRecord> | undefined;
  if (!d || typeof d !== 'object' || typeof d.count !== 'number' || !Number.isFinite(d.count) || d.count < 0)
    return undefined;
  return {
    count: d.count,
    checkedAt: typeof d.checkedAt === 'string' ? d.checkedAt : '',
    resources: Array.isArray(d.resources) ? d.resources.filter((x): x is string => typeof x === 'string') : [],
  };
}

/** The report as a plan model (no planned changes, everything under `drift`), so the plan diff views render it. */
export function driftAsPlanModel(r: DriftReport): PlanModel {
  const summary = emptySummary();
  summary.drift = r.resources.length;
  return {
    source: r.source,
    formatVersion: 'drift',
    summary,
    resources: [],
    drift: r.resources.map((x) => ({ ...x, relevant: true })),
    outputs: [],
    errored: false,
    diagnostics: r.diagnostics,
    notices: r.notices,
  };
}

/** A JSON-safe copy with attributes materialised (CLI `--json`). */
export function driftToJSON(r: DriftReport): unknown {
  return {
    source: r.source,
    checkedAt: r.checkedAt,
    drifted: r.resources.length,
    resources: r.resources.map((x) => {
      const { loadAttributes: _l, attributes: _a, ...rest } = x;
      return { ...rest, attributes: attributesOf(x) };
    }),
    diagnostics: r.diagnostics,
    notices: r.notices,
  };
}

const TOOL: Record<PlanSource, string> = { terraform: 'Terraform', pulumi: 'Pulumi', kubernetes: 'helix-deploy' };
const VERB: Record<string, string> = { update: 'changed', delete: 'deleted', create: 'created', replace: 'replaced' };

/** Plain text for the CLI and the run log: each drifted resource with its attribute changes. */
export function renderDrift(r: DriftReport): string {
  const out: string[] = [];
  for (const n of r.notices) out.push(`Note: ${n}`);
  for (const d of r.diagnostics)
    out.push(`${d.severity === 'error' ? 'Error' : d.severity === 'warning' ? 'Warning' : 'Info'}: ${d.summary}`);
  for (const x of r.resources) {
    out.push(
      `  ~ ${x.address} (${VERB[x.action] ?? x.action} outside ${TOOL[r.source]}${x.reason ? `; ${x.reason}` : ''})`,
    );
    for (const a of attributesOf(x)) out.push(`      ${a.path.join('.')}: ${fmt(a.before)} -> ${fmt(a.after)}`);
  }
  out.push(
    r.resources.length
      ? `Drift: ${r.resources.length} resource${r.resources.length === 1 ? '' : 's'} changed outside ${TOOL[r.source]}.`
      : 'No drift.',
  );
  return out.join('\n');
}

function fmt(v: unknown): string {
  if (v === undefined) return '(none)';
  if (typeof v === 'string') return v.startsWith('(') && v.endsWith(')') ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

/** Swaps sides of attribute diffs (a tool that reports live -> desired, when drift reads desired -> live). */
export function swapSides(attrs: AttributeDiff[]): AttributeDiff[] {
  return attrs.map(({ before, after, unknown: _u, forcesReplace: _f, ...rest }) => ({
    ...rest,
    before: after,
    after: before,
  }));
}
