import { messageOf } from '../../core/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePlanDocument } from '../../core/plan/parse';
import { toJSON } from '../../core/plan/model';
import { renderPlan } from '../../core/plan/render';
import { Redactor } from '../../core/process/redact';
import { TerraformProvider } from '../../providers/terraform/terraform';
import type { CliCommand } from './types';
import { cliCostDeps, CliUsageError, reportError } from './deploy-env';
import { estimateTerraformDocument } from '../../core/cost/estimator';
import type { PlanModel } from '../../core/plan/model';
import { commandArgs } from '../args';
import { builtinReport } from '../../core/guardrails';

// `helix-deploy show-plan FILE [--json]`: renders a saved Terraform `show -json` document, a Pulumi
// `preview --json` document or a Pulumi event log as the same summary (for CI comments). A binary
// terraform plan file is read through `terraform show -json` (in --dir, its root module).

const HELP = `Usage: helix-deploy show-plan FILE [--json] [--attributes] [--dir DIR]

FILE: terraform \`show -json\` output, pulumi \`preview --json\` output, a pulumi event log (NDJSON),
a terraform \`plan -json\` log, or a binary terraform plan (read with \`terraform show -json\` in DIR).
UTF-8 and UTF-16 (with BOM) are accepted.

Options:
  --json         print the diff model as JSON: {source, summary: {create, update, delete, replace, ...},
                 resources, drift, outputs, errored, diagnostics, cost, guardrails}; a replace counts once. Values redacted.
                 A terraform show -json document is priced by Infracost (when installed) and the Fly.io table.
                 guardrails: the built-in checks ({findings: [{rule, severity, source, message, address}], blocked,
                 needsConfirmation}); without an environment nothing counts as protected.
  --attributes   text mode: list attribute changes under each resource
  --dir DIR      root module for a binary terraform plan (default: the plan's folder)

Exit status: 0 shown, 1 unreadable or unsupported plan, 2 usage error.`;

export const showPlan: CliCommand = {
  name: 'show-plan',
  summary: 'Render a saved Terraform/Pulumi plan as the common summary (--json: the diff model)',
  async run(argv) {
    const args = commandArgs('show-plan', argv, {
      values: ['dir'],
      flags: ['json', 'attributes'],
      help: HELP,
      positional: 'FILE',
      check: (a) => {
        if (!fs.existsSync(a.positional!)) throw new CliUsageError(`no such file: ${a.positional}`);
      },
    });
    if (typeof args === 'number') return args;
    const file = args.positional;
    const { dir } = args.values;
    const { json, attributes } = args.flags;
    try {
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch (e) {
        // Node's message ("EISDIR: illegal operation on a directory, read") does not say which file.
        const code = (e as NodeJS.ErrnoException).code;
        throw new CliUsageError(
          code === 'EISDIR'
            ? `${path.resolve(file)} is a folder, not a plan file: give the plan file (terraform show -json output, pulumi preview --json, or a saved plan)`
            : `cannot read ${file}: ${code ?? messageOf(e)}`,
        );
      }
      const redactor = new Redactor();
      const isZip = bytes.length > 2 && bytes[0] === 0x50 && bytes[1] === 0x4b; // binary terraform plans are zip files
      const terraform = new TerraformProvider({
        executable: () => process.env.HELIX_DEPLOY_TERRAFORM_PATH || 'terraform',
      });
      const model = isZip
        ? await terraform.show({
            runId: 'show-plan',
            dir: path.resolve(dir ?? path.dirname(file)),
            vars: {},
            signal: new AbortController().signal,
            redactor,
            planFile: path.resolve(file),
          })
        : parsePlanDocument(bytes, { redactor });
      if (!isZip) await addCost(model, bytes, path.resolve(file), terraform);
      for (const p of model.cost?.problems ?? []) p.message = redactor.redact(p.message);
      model.guardrails = builtinReport(model);
      process.stdout.write((json ? JSON.stringify(toJSON(model), null, 2) : renderPlan(model, { attributes })) + '\n');
      return 0;
    } catch (err) {
      return reportError('show-plan', err);
    }
  },
};

/**
 * A Terraform `show -json` document gets the estimate of the sources that need no environment (Infracost on the
 * file itself, the Fly.io table); budgets and Kubernetes rates belong to an environment: see `plan`.
 */
async function addCost(model: PlanModel, bytes: Buffer, file: string, terraform: TerraformProvider): Promise<void> {
  if (model.source !== 'terraform') return;
  let text: string;
  try {
    text = bytes.toString('utf8').replace(/^\uFEFF/, '');
    const doc = JSON.parse(text);
    if (!doc || typeof doc !== 'object' || !('resource_changes' in doc)) return;
  } catch {
    return; // a `plan -json` log or UTF-16: the plan is shown without an estimate
  }
  model.cost = await estimateTerraformDocument(model, text, file, cliCostDeps(terraform));
}
