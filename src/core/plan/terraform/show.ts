import { arr, at, obj } from '../../json';
import { Redactor } from '../../process/redact';
import { assertPlanDepth, PlanFormatError } from '../decode';
import { collectMasked, diffAttributes, mask, type Path } from '../diff';
import {
  summarize,
  type ChangeAction,
  type OutputChange,
  type PlanDiagnostic,
  type PlanModel,
  type ResourceChange,
} from '../model';

// `terraform show -json PLANFILE` -> PlanModel. The raw document holds secrets in plain text
// (docs/plan-formats.md), so this is the only place that sees it: first every sensitive value is learned
// (masks, sensitive variables, sensitive outputs) into the Redactor, then the model is built from
// masked values only. Attribute diffs are built lazily (a 5,000-resource plan shows its summary first).

/** Major versions of the JSON plan format this parser understands. Minor bumps only add fields. */
const SUPPORTED_MAJORS = new Set([0, 1]);

export interface TerraformShowOptions {
  /** Shared redactor; learned secrets are added to it (so logs and journal mask them too). */
  redactor?: Redactor;
}

export function parseTerraformShow(doc: unknown, opts: TerraformShowOptions = {}): PlanModel {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new PlanFormatError('not a Terraform JSON plan: expected an object');
  const d = doc as Record<string, unknown>;
  const fv = typeof d.format_version === 'string' ? d.format_version : undefined;
  if (!fv)
    throw new PlanFormatError(
      'not a Terraform JSON plan: "format_version" is missing (expected the output of `terraform show -json PLANFILE`)',
    );
  const major = Number(fv.split('.')[0]);
  if (!Number.isInteger(major) || !SUPPORTED_MAJORS.has(major)) {
    throw new PlanFormatError(
      `unsupported Terraform plan format version ${fv}: this version of Helix Deploy reads format 0.x and 1.x. ` +
        'Update Helix Deploy, or produce the plan with a Terraform version that writes format 1.x.',
    );
  }
  assertPlanDepth(d);
  const redactor = opts.redactor ?? new Redactor();
  learnSecrets(d, redactor);
  const isSecret = (v: unknown) => redactor.isSecret(v);

  const resources: ResourceChange[] = [];
  for (const rc of arr(d.resource_changes)) resources.push(resourceChange(rc, isSecret));
  for (const dc of arr(d.deferred_changes).map(obj)) {
    if (dc.resource_change)
      resources.push({ ...resourceChange(dc.resource_change, isSecret), deferred: String(dc.reason ?? 'unknown') });
  }
  const relevant = new Set<unknown>(arr(d.relevant_attributes).map((r) => String(at(r, 'resource'))));
  const drift = arr(d.resource_drift).map((rc) => ({
    ...resourceChange(rc, isSecret),
    relevant: relevant.has(at(rc, 'address')),
  }));

  const outputs: OutputChange[] = [];
  for (const [name, output] of Object.entries((d.output_changes ?? {}) as Record<string, unknown>)) {
    const ch = obj(output);
    const action = mapActions(arr(ch.actions));
    const unknown = ch.after_unknown === true;
    outputs.push({
      name,
      action: action.action,
      before: mask(ch.before ?? undefined, ch.before_sensitive === true, isSecret),
      after: unknown ? '(known after apply)' : mask(ch.after ?? undefined, ch.after_sensitive === true, isSecret),
      ...(unknown ? { unknown } : {}),
      ...(ch.before_sensitive === true || ch.after_sensitive === true ? { sensitive: true } : {}),
    });
  }

  const diagnostics: PlanDiagnostic[] = [];
  for (const c of arr(d.checks).map(obj)) {
    if (c.status !== 'fail' && c.status !== 'error') continue;
    for (const inst of arr(c.instances)) {
      for (const p of arr(at(inst, 'problems'))) {
        diagnostics.push({
          severity: 'error',
          summary: redactor.redact(String(at(p, 'message') ?? 'check failed')),
          address: (at(inst, 'address', 'to_display') ?? at(c, 'address', 'to_display')) as string | undefined,
        });
      }
    }
  }
  const errored = d.errored === true;
  if (errored && !diagnostics.length)
    diagnostics.push({ severity: 'error', summary: "The plan failed; see the run log for Terraform's error." });

  const model: PlanModel = {
    source: 'terraform',
    formatVersion: fv,
    toolVersion: typeof d.terraform_version === 'string' ? d.terraform_version : undefined,
    summary: undefined as never,
    resources,
    drift,
    outputs,
    errored,
    diagnostics,
  };
  if (d.applyable === false && !errored && resources.some((r) => r.action !== 'no-op')) {
    model.notices = ['Terraform marked this plan as not applyable.'];
  }
  model.summary = summarize(model);
  return model;
}

function mapActions(actions: readonly unknown[]): { action: ChangeAction; order?: ResourceChange['replaceOrder'] } {
  const a = actions.join(',');
  switch (a) {
    case 'delete,create':
      return { action: 'replace', order: 'delete-before-create' };
    case 'create,delete':
      return { action: 'replace', order: 'create-before-destroy' };
    case 'create,forget':
      return { action: 'replace', order: 'create-then-forget' };
    case 'create':
    case 'update':
    case 'delete':
    case 'read':
    case 'forget':
      return { action: a };
    case 'no-op':
    case '':
      return { action: 'no-op' };
    default:
      // Unknown future combination: anything with a delete is at least destructive; say so.
      if (actions.includes('delete')) return { action: 'replace' };
      return { action: 'update' };
  }
}

function resourceChange(value: unknown, isSecret: (v: unknown) => boolean): ResourceChange {
  if (!value || typeof value !== 'object')
    throw new PlanFormatError(
      `not a Terraform JSON plan: a resource change is ${value === null ? 'null' : typeof value}, expected an object`,
    );
  const rc = obj(value);
  const ch = obj(rc.change);
  const mapped = mapActions(arr(ch.actions));
  let action = mapped.action;
  const importing = ch.importing && typeof ch.importing === 'object' ? obj(ch.importing) : undefined;
  if (importing && (action === 'no-op' || action === 'update')) action = 'import';
  else if (action === 'no-op' && rc.previous_address) action = 'move';
  const replacePaths = Array.isArray(ch.replace_paths) ? (ch.replace_paths as Path[]) : undefined;
  const out: ResourceChange = {
    address: rc.address ? String(rc.address) : addressFromParts(rc),
    module: (rc.module_address || undefined) as string | undefined,
    type: String(rc.type ?? ''),
    name: String(rc.name ?? ''),
    action,
    attributes: undefined,
    loadAttributes: () =>
      diffAttributes({
        before: ch.before,
        after: ch.after,
        afterUnknown: ch.after_unknown,
        beforeSensitive: ch.before_sensitive,
        afterSensitive: ch.after_sensitive,
        replacePaths,
        isSecret,
      }),
  };
  if (rc.index !== undefined) out.index = rc.index as string | number;
  if (rc.mode === 'data' || rc.mode === 'managed') out.mode = rc.mode;
  if (mapped.order) out.replaceOrder = mapped.order;
  if (replacePaths) out.replacePaths = replacePaths;
  if (rc.action_reason) out.reason = String(rc.action_reason);
  if (rc.previous_address) out.previousAddress = String(rc.previous_address);
  if (importing)
    out.importId =
      importing.id !== undefined
        ? String(mask(importing.id, false, isSecret))
        : importing.unknown
          ? '(known after apply)'
          : undefined;
  if (rc.deposed) out.detail = `deposed object ${rc.deposed}`;
  if (importing && mapped.action === 'update') out.detail = 'import, then update';
  return out;
}

/** Terraform 1.0.0 wrote `resource_drift` entries without "address": build it as Terraform prints it. */
function addressFromParts(rc: {
  module_address?: unknown;
  mode?: unknown;
  type?: unknown;
  name?: unknown;
  index?: unknown;
}): string {
  const parts = [
    rc.module_address,
    rc.mode === 'data' ? 'data' : undefined,
    `${String(rc.type ?? '')}.${String(rc.name ?? '')}`,
  ].filter(Boolean);
  return parts.join('.') + (rc.index === undefined ? '' : `[${JSON.stringify(rc.index)}]`);
}

/** Learns every value Terraform marks sensitive, anywhere in the document, before anything is built. */
function learnSecrets(d: Record<string, unknown>, redactor: Redactor): void {
  const add = (v: string) => redactor.add(v);
  const sensitiveVars = new Set<string>();
  collectSensitiveVariables(at(d, 'configuration', 'root_module'), sensitiveVars);
  for (const name of sensitiveVars) {
    const v = at(d, 'variables', name, 'value');
    collectMasked(v, true, add);
    const def = at(d, 'configuration', 'root_module', 'variables', name, 'default');
    collectMasked(def, true, add);
  }
  for (const list of [d.resource_changes, d.resource_drift]) {
    for (const rc of arr(list)) {
      collectMasked(at(rc, 'change', 'before'), at(rc, 'change', 'before_sensitive'), add);
      collectMasked(at(rc, 'change', 'after'), at(rc, 'change', 'after_sensitive'), add);
    }
  }
  for (const dc of arr(d.deferred_changes)) {
    collectMasked(
      at(dc, 'resource_change', 'change', 'before'),
      at(dc, 'resource_change', 'change', 'before_sensitive'),
      add,
    );
    collectMasked(
      at(dc, 'resource_change', 'change', 'after'),
      at(dc, 'resource_change', 'change', 'after_sensitive'),
      add,
    );
  }
  for (const ch of Object.values((d.output_changes ?? {}) as Record<string, unknown>)) {
    collectMasked(at(ch, 'before'), at(ch, 'before_sensitive'), add);
    collectMasked(at(ch, 'after'), at(ch, 'after_sensitive'), add);
  }
  // State values carry their own masks (`sensitive_values`), and state outputs a `sensitive` flag.
  for (const root of [at(d, 'prior_state', 'values'), d.planned_values]) collectStateSecrets(root, add);
}

function collectSensitiveVariables(mod: unknown, into: Set<string>): void {
  if (!mod) return;
  for (const [name, v] of Object.entries((obj(mod).variables ?? {}) as Record<string, unknown>))
    if (at(v, 'sensitive')) into.add(name);
}

function collectStateSecrets(values: unknown, add: (v: string) => void): void {
  if (!values) return;
  for (const o of Object.values((obj(values).outputs ?? {}) as Record<string, unknown>))
    if (at(o, 'sensitive')) collectMasked(at(o, 'value'), true, add);
  const walkModule = (m: unknown) => {
    if (!m) return;
    for (const r of arr(at(m, 'resources'))) collectMasked(at(r, 'values'), at(r, 'sensitive_values'), add);
    for (const c of arr(at(m, 'child_modules'))) walkModule(c);
  };
  walkModule(at(values, 'root_module'));
}
