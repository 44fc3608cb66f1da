import type { Redactor } from '../process/redact';
import { DeployError } from './errors';
import type { RunRecord, RunStore } from './journal';
import type { DeployTool } from './provider';
import type { DeployTarget, ResolvedDeploySettings } from './target';

// Rollback as a planned run (Terraform, Pulumi and Kubernetes alike): "roll back" means plan again with what the previous successful
// deployment of the environment applied, then go through the same review, approval and apply.
//  - Terraform/Pulumi: every apply records the variables it used (run meta `deployed`); a rollback re-plans
//    with the vars of the deployment before the current one. Secret values are never recorded, so a var that
//    was secret cannot be replayed: the current value is used and the plan says so.
//  - Kubernetes: the cluster keeps the revisions (ReplicaSets); the provider plans the previous template.

/** What an Applied run recorded about what it deployed (run meta `deployed`). Never holds secret values. */
export interface DeployedRecord {
  /** Variables/config as applied, minus the secret ones. */
  vars: Record<string, unknown>;
  /** Names of variables left out because their value was (or contained) a secret. */
  secretVars: string[];
  /** The non-secret `${...}` context (image, tag...), for people: "rolls back to image X". */
  context: Record<string, string>;
}

/** Run kinds that deploy something (a destroy removes it: not a deployment to roll back to). */
export const DEPLOY_KINDS = ['plan', 'apply', 'rollback'] as const;

/** The journal record of what this apply used, secrets left out. */
export function deployedRecord(
  resolved: ResolvedDeploySettings,
  context: Record<string, string | undefined>,
  redactor: Redactor,
): DeployedRecord {
  const secret = (v: unknown) => {
    const text = JSON.stringify(v) ?? '';
    return (
      resolved.secretValues.some((s) => s && text.includes(s)) ||
      redactor.redact(text) !== text ||
      (typeof v === 'string' && redactor.isSecret(v))
    );
  };
  const vars: Record<string, unknown> = {};
  const secretVars: string[] = [];
  for (const [k, v] of Object.entries(resolved.vars)) {
    if (secret(v)) secretVars.push(k);
    else vars[k] = v;
  }
  const ctx: Record<string, string> = {};
  for (const [k, v] of Object.entries(context)) if (typeof v === 'string' && !secret(v)) ctx[k] = v;
  return { vars, secretVars, context: ctx };
}

/** Successful deployments of an environment, newest first (from the journal: survives reloads). */
export function successfulDeployments(
  journal: Pick<RunStore, 'list'>,
  project: string,
  environment: string,
  projectDir?: string,
): RunRecord[] {
  return deployments(journal, project, environment, projectDir).filter((r) => r.state === 'Applied');
}

/**
 * What rolling back the environment means now: `current` is what runs (the newest deployment, an Unhealthy
 * one included), `to` the newest successful (Applied, health not failed) deployment before it. An Unhealthy
 * apply is never a target: a rollback after it goes to the deployment it replaced.
 */
export function rollbackTarget(
  journal: Pick<RunStore, 'list'>,
  project: string,
  environment: string,
  projectDir?: string,
): { current?: RunRecord; to?: RunRecord; good: RunRecord[] } {
  const all = deployments(journal, project, environment, projectDir);
  const current = all[0];
  const good = all.filter((r) => r.state === 'Applied');
  return { current, to: good.find((r) => r !== current), good };
}

function deployments(
  journal: Pick<RunStore, 'list'>,
  project: string,
  environment: string,
  projectDir?: string,
): RunRecord[] {
  const key = (r: RunRecord) => `${r.endedAt ?? r.updatedAt} ${r.startedAt}`;
  return (
    journal
      .list({ project, projectDir, environment, kind: [...DEPLOY_KINDS] })
      .filter((r) => (r.state === 'Applied' || r.state === 'Unhealthy') && !r.meta?.destroy)
      // list() keeps equal timestamps in recording order: reversed, the stable sort keeps the latest first.
      .reverse()
      // Newest deployment first (by when it was applied: a plan started earlier may have been applied later).
      .sort((a, b) => key(b).localeCompare(key(a)))
  );
}

/** Whether a rollback can be offered now (the panel's Rollback button). Kubernetes: the cluster decides. */
export function canRollback(
  journal: Pick<RunStore, 'list'>,
  tool: DeployTool | undefined,
  project: string,
  environment: string,
  projectDir?: string,
): boolean {
  if (!tool) return false;
  const { current, to, good } = rollbackTarget(journal, project, environment, projectDir);
  return tool === 'kubernetes' ? !!current || good.length >= 1 : !!to;
}

export interface RollbackPlan {
  /** The resolved target to plan with (vars of the earlier deployment). */
  resolved: ResolvedDeploySettings;
  /** The run being rolled back to (Terraform/Pulumi). */
  to?: RunRecord;
  /** Lines for the run log and notices for the plan view. */
  notes: string[];
}

/**
 * Terraform/Pulumi: the target re-resolved with the vars of the deployment before the current one.
 * Throws DeployError('not-found') with a message that says why there is nothing to roll back to.
 */
export function terraformRollback(
  journal: Pick<RunStore, 'list'>,
  target: DeployTarget,
  current: ResolvedDeploySettings,
): RollbackPlan {
  const env = target.environment.name;
  const { current: latest, to, good } = rollbackTarget(journal, target.project.name, env, target.project.dir);
  if (!to) {
    const unhealthy =
      latest?.state === 'Unhealthy' ? ` (its latest, run ${latest.id}, is Unhealthy and not a target)` : '';
    const what =
      good.length === 0
        ? 'no successful deployment'
        : `only one successful deployment (run ${good[0]!.id}, ${good[0]!.endedAt ?? good[0]!.updatedAt})`;
    throw new DeployError(
      'not-found',
      `Nothing to roll back to: ${env} has ${what}${unhealthy} in this workspace's run history. A rollback re-plans an earlier successful deployment.`,
    );
  }
  const rec = to.meta?.deployed as DeployedRecord | undefined;
  if (!rec || typeof rec.vars !== 'object') {
    throw new DeployError(
      'not-found',
      `Cannot roll back ${env}: the previous successful deployment (run ${to.id}) did not record the variables it applied, so it cannot be replayed.`,
      [],
      { runId: to.id },
    );
  }
  const notes = [
    `Rollback of ${env} to the deployment of run ${to.id} (applied ${to.endedAt ?? to.updatedAt} by ${to.who})${rec.context.image ? `, image ${rec.context.image}` : ''}.`,
  ];
  const vars: Record<string, unknown> = { ...rec.vars };
  for (const k of rec.secretVars ?? []) {
    // Not recorded on purpose (secrets never reach the journal): the current value is the only one there is.
    if (k in current.vars) vars[k] = current.vars[k];
    notes.push(`Variable "${k}" was secret in run ${to.id} and cannot be replayed: its current value is used.`);
  }
  return { resolved: { ...current, vars }, to, notes };
}
