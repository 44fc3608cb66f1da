import * as fs from 'node:fs';
import * as path from 'node:path';
import { messageOf } from '../errors';
import type { PlanModel } from '../plan/model';
import { budgetOf, checkBudget } from './budget';
import { estimateCost, kubernetesValues, terraformValues, type CostInputs } from './estimate';
import { parseInfracostJson } from './infracost';
import { kubernetesRatesFrom } from './settings';
import type { BudgetWarning, CostEstimate, CostProblem, CostSource } from './types';

// Runs the sources for one plan. Infracost needs the plan as `terraform show -json` text in a file: written
// next to the plan (the private plans folder, mode 0600) only while Infracost reads it, then deleted: it holds
// Terraform's unredacted values. Nothing here ever fails a plan: a source that cannot run is a stated problem.

/** The `infracost` program (src/providers/infracost). */
export interface InfracostRunner {
  /** `infracost breakdown --path FILE --format json`: its stdout, or why not. */
  breakdown(planJsonFile: string, signal?: AbortSignal): Promise<InfracostOutcome>;
}

export type InfracostOutcome =
  { state: 'ok'; json: string; version?: string } | { state: 'missing' | 'failed'; message: string };

export interface CostDeps {
  infracost?: InfracostRunner;
  /** `terraform show -json PLANFILE` in the root module (raw text). */
  terraformShowJson?: (req: { dir: string; planFile: string; signal?: AbortSignal }) => Promise<string>;
}

export interface PlanCost {
  estimate: CostEstimate;
  budget?: BudgetWarning;
}

export interface PlanCostRequest {
  model: PlanModel;
  /** Environment name and its raw helix.deploy.toml settings (budget_monthly). */
  environment: { name: string; settings?: Record<string, unknown> };
  projectDir: string;
  /** The tool's working folder (terraform root module). */
  dir: string;
  planFile: string;
  signal?: AbortSignal;
}

export async function estimatePlanCost(req: PlanCostRequest, deps: CostDeps): Promise<PlanCost> {
  const inputs: CostInputs = { model: req.model };
  const problems: CostProblem[] = [];
  try {
    // terraform show runs only when a source can use its values.
    const flyResources = req.model.resources.some((r) => r.type.startsWith('fly_'));
    if (req.model.source === 'terraform' && deps.terraformShowJson && (deps.infracost || flyResources)) {
      const json = await deps.terraformShowJson({ dir: req.dir, planFile: req.planFile, signal: req.signal });
      inputs.values = terraformValues(JSON.parse(json));
      if (deps.infracost) {
        const tmp = `${req.planFile}.cost.json`;
        try {
          fs.writeFileSync(tmp, json, { mode: 0o600 });
          inputs.infracost = await runInfracost(deps.infracost, tmp, req.signal);
        } finally {
          fs.rmSync(tmp, { force: true });
        }
      }
    } else if (req.model.source === 'kubernetes') {
      inputs.kubernetesRates = kubernetesRatesFrom(readIfExists(path.join(req.projectDir, 'helix.deploy.toml')));
      // The kubernetes provider's plan file: { record: KubernetesPlanRecord, model }.
      const file = JSON.parse(fs.readFileSync(req.planFile, 'utf8')) as {
        record?: { objects?: { address: string; desired: Record<string, unknown> }[] };
      };
      inputs.values = kubernetesValues(
        req.model,
        new Map((file.record?.objects ?? []).map((o) => [o.address, o.desired])),
      );
    }
  } catch (err) {
    problems.push({
      source: req.model.source === 'kubernetes' ? 'kubernetes-rates' : 'infracost',
      kind: 'failed',
      message: `Could not read the plan for the cost estimate: ${messageOf(err)}`,
    });
  }
  const estimate = estimateCost(inputs);
  estimate.problems.push(...problems);
  return { estimate, budget: checkBudget(req.environment.name, budgetOf(req.environment.settings), estimate) };
}

/** A saved `terraform show -json` document (CLI `show-plan`): Infracost reads the file as it is. */
export async function estimateTerraformDocument(
  model: PlanModel,
  json: string,
  file: string,
  deps: CostDeps,
  signal?: AbortSignal,
): Promise<CostEstimate> {
  const inputs: CostInputs = { model, values: terraformValues(JSON.parse(json)) };
  if (deps.infracost) inputs.infracost = await runInfracost(deps.infracost, file, signal);
  return estimateCost(inputs);
}

async function runInfracost(
  runner: InfracostRunner,
  file: string,
  signal?: AbortSignal,
): Promise<NonNullable<CostInputs['infracost']>> {
  const out = await runner.breakdown(file, signal);
  if (out.state !== 'ok') return { problem: { source: 'infracost', kind: out.state, message: out.message } };
  try {
    const report = parseInfracostJson(out.json);
    const when = report.timeGenerated ? `, prices of ${report.timeGenerated.slice(0, 10)}` : '';
    const source: CostSource = {
      id: 'infracost',
      label: `Infracost${out.version ? ` ${out.version}` : ''}${when}`,
      version: out.version,
      url: 'https://www.infracost.io/docs/',
    };
    return { report, source };
  } catch (err) {
    return { problem: { source: 'infracost', kind: 'failed', message: `Infracost: ${messageOf(err)}` } };
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
