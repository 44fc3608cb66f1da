import type { CredentialRedactor } from '../credentials/redact';
import type { RunStore } from '../engine/journal';
import { isCancelled, messageOf } from '../errors';
import type { HealthResult } from '../health/types';
import type { CloudDeployer, DeployContext, DeployResult } from './cloud';
import { checkDeployment, type DeployHealthOptions } from './deployHealth';

// A cloud deploy as a recorded run (kind "deploy"): the provider's progress stream becomes the run
// log (redacted), the result URL goes into the run's meta for the trees and the health check.
// With `health`, the URL is probed before the run ends (its log and meta say how it went); an unhealthy
// deployment is still a Succeeded deploy - the deploy did happen, the health is reported beside it.

export interface DeployRunDeps {
  redactor: CredentialRedactor;
  journal?: RunStore;
  log?: (line: string) => void;
  health?: DeployHealthOptions;
}

export async function runDeploy(
  deps: DeployRunDeps,
  deployer: CloudDeployer,
  ctx: Omit<DeployContext, 'log'>,
  who: string,
): Promise<DeployResult & { health?: HealthResult; runId?: string }> {
  const run = await deps.journal?.begin({
    kind: 'deploy',
    project: ctx.project.name,
    projectDir: ctx.project.dir,
    environment: ctx.environment.name,
    who,
    meta: { target: ctx.environment.kind },
  });
  const log = (line: string) => {
    const safe = deps.redactor.redact(line);
    deps.log?.(safe);
    if (run) void deps.journal!.appendLog(run.id, safe);
  };
  try {
    const result = await deployer.deploy({ ...ctx, log });
    if (result.secret) deps.redactor.add(result.secret.value);
    if (result.url) log(`Deployed: ${result.url}`);
    const health =
      result.url && deps.health
        ? await checkDeployment(deps.health, ctx.project, ctx.environment, result.url, log, ctx.signal)
        : undefined;
    const healthMeta = health
      ? { health: health.status, healthReason: health.status === 'healthy' ? undefined : health.reason }
      : {};
    if (run)
      await deps.journal!.end(run.id, 'Succeeded', undefined, {
        url: result.url,
        ...healthMeta,
        ...(result.meta ?? {}),
      });
    return { ...result, health, runId: run?.id };
  } catch (err) {
    const cancelled = ctx.signal.aborted || isCancelled(err);
    const message = deps.redactor.redact(messageOf(err));
    log(cancelled ? 'Deploy cancelled' : `Deploy failed: ${message}`);
    if (run) await deps.journal!.end(run.id, cancelled ? 'Cancelled' : 'Failed', cancelled ? undefined : message);
    throw err;
  }
}
