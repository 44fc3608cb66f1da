import { Redactor } from '../../process/redact';
import { assertPlanTextDepth, PlanFormatError } from '../decode';
import { summarize, type PlanDiagnostic, type PlanModel, type ResourceChange } from '../model';
import { parseStreamLine } from './stream';

// A `terraform plan -json` log -> a model without attribute values (the stream has none). Also the
// progress view while a plan is still running.

export function modelFromStream(text: string, opts: { redactor?: Redactor } = {}): PlanModel {
  assertPlanTextDepth(text);
  const redactor = opts.redactor ?? new Redactor();
  const byAddr = new Map<string, ResourceChange>();
  const drift: ResourceChange[] = [];
  const diagnostics: PlanDiagnostic[] = [];
  let version: string | undefined;
  let ui: string | undefined;
  let seen = 0;
  for (const line of text.split('\n')) {
    const l = parseStreamLine(line);
    if (!l) continue;
    seen++;
    const e = l.event;
    if (e.type === 'version') {
      version = e.terraform;
      ui = e.ui;
      const major = Number(e.ui.split('.')[0]);
      if (major > 1)
        throw new PlanFormatError(
          `unsupported Terraform UI message version ${e.ui}: this version of Helix Deploy reads 0.x and 1.x`,
        );
    } else if (e.type === 'planned_change') byAddr.set(e.change.address, { ...e.change, attributes: [] });
    else if (e.type === 'resource_drift') drift.push({ ...e.change, attributes: [] });
    else if (e.type === 'diagnostic')
      diagnostics.push({
        ...e.diagnostic,
        summary: redactor.redact(e.diagnostic.summary),
        detail: e.diagnostic.detail && redactor.redact(e.diagnostic.detail),
      });
  }
  if (!seen) throw new PlanFormatError('not a Terraform JSON stream');
  const model: PlanModel = {
    source: 'terraform',
    formatVersion: ui ? `ui-${ui}` : 'ui',
    toolVersion: version,
    summary: undefined as never,
    resources: [...byAddr.values()],
    drift,
    outputs: [],
    errored: diagnostics.some((d) => d.severity === 'error'),
    diagnostics,
    notices: ['Built from the `terraform plan -json` stream: it lists changes without attribute values.'],
  };
  model.summary = summarize(model);
  return model;
}
