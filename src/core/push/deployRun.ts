import type { Redactor } from '../credentials/redact';
import type { Journal } from '../engine/journal';
import type { CloudDeployer, DeployContext, DeployResult } from './cloud';

// A cloud deploy as a recorded run (kind "deploy"): the provider's progress stream becomes the run
// log (redacted), the result URL goes into the run's meta for the trees and the health check.

export interface DeployRunDeps {
  redactor: Redactor;
  journal?: Journal;
  log?: (line: string) => void;
}

export async function runDeploy(deps: DeployRunDeps, deployer: CloudDeployer, ctx: Omit<DeployContext, 'log'>, who: string): Promise<DeployResult & { runId?: string }> {
  const run = await deps.journal?.begin({ kind: 'deploy', project: ctx.project.name, environment: ctx.environment.name, who, meta: { target: ctx.environment.kind } });
  const log = (line: string) => {
    const safe = deps.redactor.redact(line);
    deps.log?.(safe);
    if (run) void deps.journal!.appendLog(run.id, safe);
  };
  try {
    const result = await deployer.deploy({ ...ctx, log });
    if (result.secret) deps.redactor.add(result.secret.value);
    if (result.url) log(`Deployed: ${result.url}`);
    if (run) await deps.journal!.end(run.id, 'Succeeded', undefined, { url: result.url, ...(result.meta ?? {}) });
    return { ...result, runId: run?.id };
  } catch (err) {
    const cancelled = ctx.signal.aborted;
    const message = deps.redactor.redact((err as Error).message ?? String(err));
    log(cancelled ? 'Deploy cancelled' : `Deploy failed: ${message}`);
    if (run) await deps.journal!.end(run.id, cancelled ? 'Cancelled' : 'Failed', cancelled ? undefined : message);
    throw err;
  }
}
