import { arr, at, obj, type JsonObject } from '../../json';
import { Redactor } from '../../process/redact';
import { assertPlanDepth, PlanFormatError } from '../decode';
import { summarize, type PlanDiagnostic, type PlanModel, type ResourceChange } from '../model';
import { mapOp, parseUrn, pulumiAttributes, replacePathsOf, PULUMI_REPLAN_NOTICE } from './values';

// `pulumi preview --json` (display.PreviewDigest) -> PlanModel. Secrets already print as "[secret]";
// values equal to a known secret (e.g. config we passed) are masked too.

export function isPulumiPreview(doc: unknown): boolean {
  return (
    !!doc &&
    typeof doc === 'object' &&
    !Array.isArray(doc) &&
    (Array.isArray(obj(doc).steps) || 'changeSummary' in doc) &&
    !('format_version' in doc)
  );
}

export function parsePulumiPreview(doc: unknown, opts: { redactor?: Redactor } = {}): PlanModel {
  if (!isPulumiPreview(doc))
    throw new PlanFormatError(
      'not a Pulumi preview: expected the output of `pulumi preview --json` (an object with "steps")',
    );
  assertPlanDepth(doc);
  const d = obj(doc);
  const redactor = opts.redactor ?? new Redactor();
  const isSecret = (v: unknown) => redactor.isSecret(v);
  const steps = arr(d.steps).map(obj);
  // A logical replace hides its create-replacement/delete-replaced steps (shown with --show-replacement-steps).
  const logicalReplace = new Set(steps.filter((s) => s?.op === 'replace').map((s) => s.urn));
  const resources: ResourceChange[] = [];
  for (const s of steps) {
    const action = mapOp(String(s?.op));
    if (!action) continue;
    if ((s.op === 'create-replacement' || s.op === 'delete-replaced') && logicalReplace.has(s.urn)) continue;
    resources.push(stepToChange(s, action, isSecret));
  }
  const diagnostics: PlanDiagnostic[] = arr(d.diagnostics)
    .map(obj)
    .map((x) => ({
      severity: x.severity === 'error' ? 'error' : x.severity === 'warning' ? 'warning' : 'info',
      summary: redactor.redact(String(x.message ?? '').trim()),
      address: (x.urn || undefined) as string | undefined,
    }));
  const model: PlanModel = {
    source: 'pulumi',
    formatVersion: 'preview',
    summary: undefined as never,
    resources,
    drift: [],
    outputs: [],
    errored: diagnostics.some((x) => x.severity === 'error'),
    diagnostics,
    notices: [PULUMI_REPLAN_NOTICE],
  };
  if (d.maybeCorrupt)
    model.notices!.push(
      'Pulumi reports the stack may be corrupt (maybeCorrupt): run `pulumi refresh` before applying.',
    );
  model.summary = summarize(model);
  return model;
}

function stepToChange(
  s: JsonObject,
  action: ResourceChange['action'],
  isSecret: (v: unknown) => boolean,
): ResourceChange {
  const urn = String(s.urn ?? '');
  const u = parseUrn(urn);
  const oldS = s.oldState ?? undefined;
  const newS = s.newState ?? undefined;
  const replacePaths = action === 'replace' ? replacePathsOf(s.replaceReasons, s.detailedDiff, 'kind') : undefined;
  const rc: ResourceChange = {
    address: urn,
    module: u.parent,
    type: String(at(newS, 'type') ?? at(oldS, 'type') ?? u.type),
    name: u.name,
    action,
    loadAttributes: () =>
      pulumiAttributes(
        at(oldS, 'inputs'),
        action === 'delete' ? undefined : at(newS, 'inputs'),
        replacePaths,
        isSecret,
      ),
  };
  if (replacePaths) rc.replacePaths = replacePaths;
  if (Array.isArray(s.diffReasons) && s.diffReasons.length) rc.reason = `changed: ${s.diffReasons.join(', ')}`;
  if (s.op !== 'same' && mapOp(String(s.op)) !== undefined && s.op !== action) rc.detail = String(s.op);
  return rc;
}
