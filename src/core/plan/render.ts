import { describeImage } from '../engine/image';
import { guardrailLines } from '../guardrails/lines';
import { attributesOf, summaryLine, type ChangeAction, type PlanModel, type ResourceChange } from './model';
import { renderCost } from '../cost/render';

// Plain-text rendering of the diff model: the CLI's output, CI comments, the VS Code progress summary.
// Values are already redacted in the model; nothing here can reveal a secret.

const SYMBOL: Record<ChangeAction, string> = {
  create: '+',
  update: '~',
  delete: '-',
  replace: '-/+',
  read: '<=',
  'no-op': ' ',
  import: '<-',
  move: '->',
  forget: '.',
};

export interface RenderOptions {
  /** Include attribute-level changes (default false: one line per resource). */
  attributes?: boolean;
  /** Include no-op resources (default false). */
  noop?: boolean;
  /** Cap on resource lines (default 500; CI comments have size limits). */
  maxResources?: number;
}

export function renderPlan(model: PlanModel, opts: RenderOptions = {}): string {
  const out: string[] = [];
  const max = opts.maxResources ?? 500;
  const shown = model.resources.filter((r) => opts.noop || r.action !== 'no-op');
  if (model.image) out.push(`Image: ${describeImage(model.image)}`);
  for (const n of model.notices ?? []) out.push(`Note: ${n}`);
  for (const d of model.diagnostics)
    out.push(
      `${d.severity === 'error' ? 'Error' : d.severity === 'warning' ? 'Warning' : 'Info'}: ${d.address ? `${d.address}: ` : ''}${d.summary}`,
    );
  for (const r of shown.slice(0, max)) {
    out.push(resourceLine(r));
    if (opts.attributes)
      for (const a of attributesOf(r))
        out.push(
          `      ${a.path.join('.')}: ${fmt(a.before)} -> ${fmt(a.after)}${a.forcesReplace ? '  # forces replacement' : ''}`,
        );
  }
  if (shown.length > max) out.push(`  ... and ${shown.length - max} more`);
  const relevantDrift = model.drift.filter((d) => d.relevant !== false);
  if (relevantDrift.length) {
    out.push(`Changed outside ${model.source === 'terraform' ? 'Terraform' : 'Pulumi'}:`);
    for (const d of relevantDrift.slice(0, 50)) out.push(`  ~ ${d.address}`);
  }
  for (const o of model.outputs.filter((x) => x.action !== 'no-op'))
    out.push(`  output ${o.name}: ${o.action}${o.action === 'delete' ? '' : ` -> ${fmt(o.after)}`}`);
  out.push(`${model.errored ? 'Plan FAILED' : 'Plan'}: ${summaryLine(model.summary)}.`);
  if (model.cost) out.push(renderCost(model.cost, model.budgetWarning));
  if (model.guardrails) out.push(...guardrailLines(model.guardrails));
  return out.join('\n');
}

function resourceLine(r: ResourceChange): string {
  const extra = [
    r.previousAddress && `(moved from ${r.previousAddress})`,
    r.importId && `(import id ${r.importId})`,
    r.replacePaths?.length && `(forced by ${r.replacePaths.map((p) => p.join('.')).join(', ')})`,
    r.reason && !r.replacePaths?.length && `(${r.reason})`,
    r.deferred && `(deferred: ${r.deferred})`,
  ].filter(Boolean);
  return `  ${SYMBOL[r.action].padStart(3)} ${r.action.padEnd(7)} ${r.address}${extra.length ? ` ${extra.join(' ')}` : ''}`;
}

function fmt(v: unknown): string {
  if (v === undefined) return '(none)';
  if (typeof v === 'string') return v.startsWith('(') && v.endsWith(')') ? v : JSON.stringify(v);
  return JSON.stringify(v);
}
