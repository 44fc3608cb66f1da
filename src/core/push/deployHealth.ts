import { envKey } from '../model/environment-ref';
import { deploymentHealthEndpoints } from '../health/remote';
import type { HealthResult, HealthService } from '../health/service';
import type { Environment, Project } from '../model/types';

// Health of what a cloud deploy produced: the probes run against the URL the target returned, with
// retries until a deadline (a fresh deployment may take a while to answer), and the result is kept in
// the HealthService under the environment's key, where the trees and the panel read it.

/** A new deployment gets this long to answer before it is reported unhealthy. */
export const DEPLOY_HEALTH_DEADLINE_MS = 60_000;

/** Which image a target runs: `[enterprise.*]` is v3 (health routes); `[cloud.*.helix|fly]` exist only in v2. */
export function imageGeneration(project: Project, env: Environment): 'v2' | 'v3' {
  if (env.kind === 'enterprise') return 'v3';
  if (env.kind === 'helix-cloud' || env.kind === 'fly') return 'v2';
  return project.generation === 'v2' ? 'v2' : 'v3';
}

export interface DeployHealthOptions {
  service: HealthService;
  deadlineMs?: number;
  initialDelayMs?: number;
}

export async function checkDeployment(
  opts: DeployHealthOptions,
  project: Project,
  env: Environment,
  url: string,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<HealthResult> {
  const target = deploymentHealthEndpoints(url, imageGeneration(project, env));
  log(
    `Checking health: ${[target.liveness, target.readiness].filter(Boolean).join(', ')}${target.anyStatus ? ' (no health route in v2 images: any HTTP answer counts as alive)' : ''}`,
  );
  const r = await opts.service.wait(envKey(project.dir, env.name), target, {
    deadlineMs: opts.deadlineMs ?? DEPLOY_HEALTH_DEADLINE_MS,
    initialDelayMs: opts.initialDelayMs ?? 250,
    signal,
  });
  log(`Health: ${describeHealth(r)}`);
  return r;
}

/** "healthy (liveness 200 in 3 ms, readiness 200 in 2 ms)" or "unhealthy: <reason>". */
export function describeHealth(r: HealthResult): string {
  const probes = [
    r.liveness && `liveness ${r.liveness.status ?? r.liveness.error} in ${r.liveness.ms} ms`,
    r.readiness && `readiness ${r.readiness.status ?? r.readiness.error} in ${r.readiness.ms} ms`,
  ]
    .filter(Boolean)
    .join(', ');
  return `${r.status}${probes ? ` (${probes})` : ''}${r.status !== 'healthy' && r.reason ? `: ${r.reason}` : ''}`;
}
