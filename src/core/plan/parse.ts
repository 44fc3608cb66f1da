import { Redactor } from '../process/redact';
import { decodePlanBytes, PlanFormatError, stripBom } from './decode';
import type { PlanModel } from './model';
import { isPulumiEventLog, parsePulumiEvents } from './pulumi/events';
import { isPulumiPreview, parsePulumiPreview } from './pulumi/preview';
import { parseTerraformShow } from './terraform/show';
import { modelFromStream } from './terraform/fromStream';

export { PlanFormatError } from './decode';

/**
 * Any saved plan document -> the one diff model: Terraform `show -json`, Pulumi `preview --json`,
 * a Pulumi event log, or a Terraform `plan -json` stream (addresses and actions only). Encoding is
 * detected (UTF-8, UTF-8/16 with BOM). Throws PlanFormatError with a message fit for the user.
 */
export function parsePlanDocument(input: Uint8Array | string, opts: { redactor?: Redactor } = {}): PlanModel {
  const text = stripBom(typeof input === 'string' ? input : decodePlanBytes(input)).trim();
  if (!text) throw new PlanFormatError('the plan file is empty');
  const redactor = opts.redactor ?? new Redactor();
  let doc: unknown;
  let single = true;
  try {
    doc = JSON.parse(text);
  } catch {
    single = false;
  }
  if (single) {
    if (doc && typeof doc === 'object' && 'format_version' in (doc as object))
      return parseTerraformShow(doc, { redactor });
    if (isPulumiPreview(doc)) return parsePulumiPreview(doc, { redactor });
    // A one-line stream is also valid JSON: fall through to the line formats.
  }
  if (isPulumiEventLog(text)) return parsePulumiEvents(text, { redactor });
  const first = text.split('\n', 1)[0];
  if (/"@message"|"type"\s*:\s*"version"/.test(first)) return modelFromStream(text, { redactor });
  throw new PlanFormatError(
    'unrecognised plan format: expected `terraform show -json PLANFILE`, `pulumi preview --json`, a Pulumi event log, or a `terraform plan -json` stream' +
      (text.startsWith('{') || text.startsWith('[')
        ? ''
        : ' (a binary Terraform plan file must first go through `terraform show -json`)'),
  );
}
