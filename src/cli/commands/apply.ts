import { renderPlan } from '../../core/plan/render';
import type { CliCommand } from './types';
import { cancelOnSigint, CliUsageError, openCliDeployRunner, reportError, streamLogs } from './deploy-env';
import { commandArgs } from '../args';
import * as path from 'node:path';
import { shellQuote } from '../../core/process/shell-quote';
import type { HeadlessDeployRunner } from '../../core/engine/headless';
import type { RunRecord } from '../../core/engine/journal';
import { DeployError } from '../../core/engine/errors';
import { EXIT_GUARDRAIL_DENIED } from '../../core/guardrails/types';

// `helix-deploy apply ENV --plan FILE`: applies exactly the saved plan (terraform refuses it when stale).
// Passing the file is the approval; there is no apply without a plan.

const HELP = `Usage: helix-deploy apply ENV --plan FILE [--project DIR] [--quiet]

Applies the plan saved by \`helix-deploy plan ENV --out FILE\`, exactly it. Refused, with nothing run, unless
the project's run history recorded saving that file (same sha256) for ENV, it is younger than
HELIX_DEPLOY_PLAN_EXPIRY_MINUTES (30), and ENV's configuration is unchanged since. The guardrails run again on
the saved plan: a rule that denies it now (changed since the plan) blocks the apply. A stale plan (the state
changed since) is refused too: plan again. Pulumi re-plans at apply unless its experimental saved plans are available.

After the tool succeeds, ENV's health checks (helix.deploy.toml \`health = { liveness, readiness, timeout,
deadline }\`) run until both pass or the deadline, and the result is printed. An unhealthy apply with
\`auto_rollback = true\` plans a rollback to the previous healthy deployment and applies it (a protected ENV's
rollback is only planned: a person approves a rollback, from the editor); that run is printed too.

Exit status: 0 applied (healthy, or no health checks), 1 failed/refused/cancelled (message on stderr),
2 usage error, 3 applied but unhealthy (the health check failed), 5 a guardrail denies the plan (nothing applied).`;

/** Exit status of an apply that succeeded but whose health check failed (run state Unhealthy). */
export const EXIT_UNHEALTHY = 3;

/** "Health: healthy (...)" and one line per check. */
export function healthLines(meta: Record<string, unknown> | undefined): string {
  if (!meta || typeof meta.health !== 'string') return '';
  const checks = Array.isArray(meta.healthChecks)
    ? (meta.healthChecks as { name: string; url: string; ok: boolean; status?: number; ms: number; error?: string }[])
    : [];
  return (
    [
      `Health: ${meta.health}${typeof meta.healthReason === 'string' ? ` (${meta.healthReason})` : ''}`,
      ...checks.map(
        (c) => `  ${c.name} ${c.ok ? 'ok' : 'FAILED'}: ${c.url} ${c.status ?? c.error ?? ''} in ${c.ms} ms`,
      ),
    ].join('\n') + '\n'
  );
}

/** The automatic rollback an Unhealthy apply started (its state and health), or nothing. */
export function autoRollbackLines(engine: HeadlessDeployRunner, run: RunRecord, env: string): string {
  const autoId = run.meta?.autoRollback;
  const auto = typeof autoId === 'string' ? (engine.snapshot(autoId)?.run ?? engine.journal.get(autoId)) : undefined;
  if (!auto) return '';
  const protectedNote =
    auto.state === 'Planned'
      ? ` (${env} is protected: a person approves its rollback; this plan ends with this process, so roll back from the editor, Helix: Roll Back to the Previous Deployment)`
      : '';
  return (
    `Automatic rollback: run ${auto.id} ${auto.state}${protectedNote}.\n` +
    (auto.meta?.health ? healthLines(auto.meta) : '')
  );
}

export const apply: CliCommand = {
  name: 'apply',
  summary:
    'Apply exactly a plan saved by `plan`, then check health (exit 0 applied, 1 failed or stale, 3 unhealthy, 5 denied)',
  async run(argv) {
    const args = commandArgs('apply', argv, {
      values: ['plan', 'project'],
      flags: ['quiet'],
      help: HELP,
      positional: 'ENV',
      check: (a) => {
        if (!a.values.plan)
          throw new CliUsageError(
            'missing --plan FILE: apply only runs a reviewed plan (make one with `helix-deploy plan ENV`)',
          );
      },
    });
    if (typeof args === 'number') return args;
    const env = args.positional;
    const { plan: planFile, project } = args.values as { plan: string; project?: string };
    const { quiet } = args.flags;
    let cli;
    try {
      cli = await openCliDeployRunner(env, project);
    } catch (err) {
      return reportError('apply', err);
    }
    const logs = streamLogs(cli.engine, quiet);
    const sigint = cancelOnSigint(cli.engine, env);
    try {
      const handle = await cli.engine.applySavedPlan(cli.target, planFile);
      const model = cli.engine.snapshot(handle.id)?.model;
      if (model) process.stdout.write(renderPlan(model) + '\n');
      const snap = await handle.done;
      if (snap.run.state === 'Applied' || snap.run.state === 'Unhealthy') {
        const healthy = snap.run.state === 'Applied';
        process.stdout.write(`${healthy ? 'Applied' : 'Applied, but UNHEALTHY'} (run ${snap.run.id}).\n`);
        const outputs = snap.run.meta?.outputs as Record<string, unknown> | undefined;
        for (const [k, v] of Object.entries(outputs ?? {})) process.stdout.write(`  ${k} = ${JSON.stringify(v)}\n`);
        process.stdout.write(healthLines(snap.run.meta) + autoRollbackLines(cli.engine, snap.run, env));
        if (healthy) return 0;
        process.stderr.write(`helix-deploy apply: Unhealthy: ${snap.run.error ?? 'the health check failed'}\n`);
        return EXIT_UNHEALTHY;
      }
      process.stderr.write(`helix-deploy apply: ${snap.run.state}: ${snap.run.error ?? ''}\n`);
      if (snap.run.state === 'Expired')
        process.stderr.write(
          `Plan again with: ${shellQuote(['helix-deploy', 'plan', env, '--out', planFile, ...(project ? ['--project', path.resolve(project)] : [])])}\n`,
        );
      return 1;
    } catch (err) {
      if (err instanceof DeployError && err.code === 'guardrail-denied') {
        // Rules changed since the plan was saved: show what they find in it now, as `plan` would.
        const model = typeof err.details.runId === 'string' ? cli.engine.snapshot(err.details.runId)?.model : undefined;
        if (model) process.stdout.write(renderPlan(model) + '\n');
        process.stderr.write(
          `helix-deploy apply: blocked by guardrails (exit ${EXIT_GUARDRAIL_DENIED}): ${err.message}. Nothing was applied.\n`,
        );
        return EXIT_GUARDRAIL_DENIED;
      }
      return reportError('apply', err);
    } finally {
      sigint.dispose();
      logs.dispose();
      await cli.close();
    }
  },
};
