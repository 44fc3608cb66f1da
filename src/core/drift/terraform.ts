import { Redactor } from '../process/redact';
import { parseTerraformShow } from '../plan/terraform/show';
import { modelFromStream } from '../plan/terraform/fromStream';
import type { DriftReport } from './model';

// Terraform drift from `terraform plan -refresh-only`: the saved plan's `show -json` has each object that
// changed outside Terraform in `resource_drift` (with before/after values and sensitive masks), the
// `-json` stream has one `resource_drift` message per object (addresses only). Both go through the plan
// decoders, which learn every sensitive value first and mask it.

export function driftFromTerraformShow(doc: unknown, opts: { redactor?: Redactor; now?: Date } = {}): DriftReport {
  const model = parseTerraformShow(doc, { redactor: opts.redactor ?? new Redactor() });
  return {
    source: 'terraform',
    checkedAt: (opts.now ?? new Date()).toISOString(),
    resources: model.drift.map(({ relevant: _r, ...x }) => x),
    diagnostics: model.diagnostics,
    notices: [],
  };
}

/** The streamed messages alone (no values): used when `show -json` is not available. */
export function driftFromTerraformStream(text: string, opts: { redactor?: Redactor; now?: Date } = {}): DriftReport {
  const model = modelFromStream(text, { redactor: opts.redactor ?? new Redactor() });
  return {
    source: 'terraform',
    checkedAt: (opts.now ?? new Date()).toISOString(),
    resources: model.drift,
    diagnostics: model.diagnostics,
    notices: ['Built from the `terraform plan -refresh-only -json` stream: addresses without attribute values.'],
  };
}
