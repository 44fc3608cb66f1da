// The one diff model shared by Terraform, Pulumi and Kubernetes plans.
// Producers: src/core/plan/terraform/*, src/core/plan/pulumi/*, the kubernetes provider.
// Consumers: the plan panel, the CLI `show-plan`, the engine.
//
// Masking convention (every producer MUST follow it; the UI renders these strings as-is):
// - a sensitive value is replaced by the string SENSITIVE = "(sensitive)" and the diff entry has `sensitive: true`;
// - an unknown value (known only after apply) is replaced by KNOWN_AFTER_APPLY = "(known after apply)" and
//   the diff entry has `unknown: true`;
// - any other string equal to a known sensitive value is also replaced by SENSITIVE (src/core/process/redact.ts).
// No raw provider document (terraform `show -json`) may leave the provider: only this model, already redacted.
import type { DeployImage } from '../engine/image';
import type { BudgetWarning, CostEstimate } from '../cost/types';
import type { GuardrailReport } from '../guardrails/types';

export const SENSITIVE = '(sensitive)';
export const KNOWN_AFTER_APPLY = '(known after apply)';

export type PlanSource = 'terraform' | 'pulumi' | 'kubernetes';

export type ChangeAction = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'no-op' | 'import' | 'move' | 'forget';

export const CHANGE_ACTIONS: readonly ChangeAction[] = [
  'create',
  'update',
  'delete',
  'replace',
  'read',
  'no-op',
  'import',
  'move',
  'forget',
];

/** Counts. A replace is counted once (in `replace`), never as a create plus a delete. */
export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  replace: number;
  read: number;
  noop: number;
  import: number;
  move: number;
  forget: number;
  /** Number of resources changed outside the tool (Terraform resource_drift, Pulumi refresh). */
  drift: number;
  /** Output changes that are not no-op. */
  outputs: number;
}

/** One attribute (leaf or subtree) that differs. Values are already redacted. */
export interface AttributeDiff {
  /** Path from the resource root, e.g. ["tags", "Owner"] or ["ingress", 0, "from_port"]. */
  path: (string | number)[];
  before?: unknown;
  after?: unknown;
  /** After-value unknown until apply (after === KNOWN_AFTER_APPLY). */
  unknown?: boolean;
  /** Before or after is sensitive (the masked side(s) hold SENSITIVE). */
  sensitive?: boolean;
  /** This attribute forced the replace. */
  forcesReplace?: boolean;
}

export interface ResourceChange {
  /** Unique address: terraform `module.x.aws_s3_bucket.b[0]`, pulumi URN, k8s `namespace/Kind/name`. */
  address: string;
  /** Module / parent (terraform module address, pulumi parent type, k8s namespace); undefined at root. */
  module?: string;
  type: string;
  name: string;
  /** Instance key (terraform count/for_each index). */
  index?: string | number;
  /** 'data' for terraform data sources. */
  mode?: 'managed' | 'data';
  action: ChangeAction;
  /** Replace only: the order the tool will use. */
  replaceOrder?: 'delete-before-create' | 'create-before-destroy' | 'create-then-forget';
  /** Attributes that forced a replace (terraform replace_paths, pulumi replaceReasons). */
  replacePaths?: (string | number)[][];
  /** Why (terraform action_reason like "replace_because_cannot_update", pulumi diffReasons joined). */
  reason?: string;
  /** Move: the address it had before. */
  previousAddress?: string;
  /** Import: the id being imported. */
  importId?: string;
  /** Provider-specific extra tag (terraform deposed key, pulumi op) for display. */
  detail?: string;
  /** Drift only: this drift fed into a planned change (terraform relevant_attributes); other drift is noise. */
  relevant?: boolean;
  /** Not applied by this plan: the tool deferred it (terraform deferred_changes reason). */
  deferred?: string;
  /**
   * Attribute-level differences, redacted. Producers may build these lazily: when `attributes` is undefined,
   * call `attributesOf(change)` (see below) which uses `loadAttributes` and caches the result.
   */
  attributes?: AttributeDiff[];
  /** Lazy builder (not serialised). */
  loadAttributes?: () => AttributeDiff[];
}

export interface OutputChange {
  name: string;
  action: ChangeAction;
  before?: unknown;
  after?: unknown;
  unknown?: boolean;
  sensitive?: boolean;
}

export interface PlanDiagnostic {
  severity: 'error' | 'warning' | 'info';
  summary: string;
  detail?: string;
  address?: string;
}

export interface PlanModel {
  source: PlanSource;
  /** Format of the document this was read from, e.g. terraform "1.2", pulumi "preview", "events". */
  formatVersion?: string;
  /** Tool version when known (terraform_version). */
  toolVersion?: string;
  summary: PlanSummary;
  /** Planned changes (no-op included; the UI hides them by default). */
  resources: ResourceChange[];
  /** Objects changed outside the tool (informational). */
  drift: ResourceChange[];
  outputs: OutputChange[];
  /** The plan itself failed (terraform errored:true, pulumi failed preview). Not applicable. */
  errored: boolean;
  diagnostics: PlanDiagnostic[];
  /** Warnings about the plan's binding strength, e.g. "Pulumi re-plans at `up`". Shown above the diff. */
  notices?: string[];
  /** The pushed image `${image}` resolved to (by digest), when the environment deploys its pushes. */
  image?: DeployImage;
  /** Monthly cost estimate, each figure with its source; "not estimated" resources listed, never guessed. */
  cost?: CostEstimate;
  /** The estimate is over the environment's budget_monthly: a warning at approval (never a block). */
  budgetWarning?: BudgetWarning;
  /** What the guardrails found (src/core/guardrails): a deny blocks approval. */
  guardrails?: GuardrailReport;
}

export function emptySummary(): PlanSummary {
  return {
    create: 0,
    update: 0,
    delete: 0,
    replace: 0,
    read: 0,
    noop: 0,
    import: 0,
    move: 0,
    forget: 0,
    drift: 0,
    outputs: 0,
  };
}

const SUMMARY_KEY: Record<ChangeAction, keyof PlanSummary> = {
  create: 'create',
  update: 'update',
  delete: 'delete',
  replace: 'replace',
  read: 'read',
  'no-op': 'noop',
  import: 'import',
  move: 'move',
  forget: 'forget',
};

/** Recomputes counts from resources/drift/outputs (producers call it once at the end). */
export function summarize(model: Pick<PlanModel, 'resources' | 'drift' | 'outputs'>): PlanSummary {
  const s = emptySummary();
  for (const r of model.resources) s[SUMMARY_KEY[r.action]]++;
  s.drift = model.drift.length;
  s.outputs = model.outputs.filter((o) => o.action !== 'no-op').length;
  return s;
}

/** True when applying would change something (resources or outputs). */
export function hasChanges(model: PlanModel): boolean {
  const s = model.summary;
  return s.create + s.update + s.delete + s.replace + s.import + s.move + s.forget + s.outputs > 0;
}

/** Attribute diffs of a change, building them on first use. */
export function attributesOf(change: ResourceChange): AttributeDiff[] {
  if (!change.attributes) change.attributes = change.loadAttributes ? change.loadAttributes() : [];
  return change.attributes;
}

/** A JSON-safe copy (attributes materialised, lazy builders dropped) for the webview, CLI `--json`, files. */
export function toJSON(model: PlanModel, opts: { attributes?: boolean } = {}): unknown {
  const withAttrs = opts.attributes !== false;
  const conv = (r: ResourceChange) => {
    const { loadAttributes: _l, attributes: _a, ...rest } = r;
    return withAttrs ? { ...rest, attributes: attributesOf(r) } : rest;
  };
  return { ...model, resources: model.resources.map(conv), drift: model.drift.map(conv) };
}

/** "2 to create, 1 to update, 1 to replace, 1 to delete" (Terraform-like one-liner). */
export function summaryLine(s: PlanSummary): string {
  const parts: string[] = [];
  if (s.create) parts.push(`${s.create} to create`);
  if (s.update) parts.push(`${s.update} to update`);
  if (s.replace) parts.push(`${s.replace} to replace`);
  if (s.delete) parts.push(`${s.delete} to delete`);
  if (s.import) parts.push(`${s.import} to import`);
  if (s.move) parts.push(`${s.move} to move`);
  if (s.forget) parts.push(`${s.forget} to forget`);
  if (s.read) parts.push(`${s.read} to read`);
  if (s.outputs) parts.push(`${s.outputs} output change${s.outputs === 1 ? '' : 's'}`);
  if (!parts.length) parts.push('no changes');
  if (s.drift) parts.push(`${s.drift} drifted outside`);
  return parts.join(', ');
}
