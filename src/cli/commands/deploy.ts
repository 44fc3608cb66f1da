import * as path from 'node:path';
import { toJSON } from '../../core/plan/model';
import { renderPlan } from '../../core/plan/render';
import type { CliCommand } from './types';
import { cancelOnSigint, openCliDeployRunner, reportError, streamLogs } from './deploy-env';
import { commandArgs } from '../args';
import { shellQuote } from '../../core/process/shell-quote';
import { autoRollbackLines, EXIT_UNHEALTHY, healthLines } from './apply';
import { EXIT_GUARDRAIL_DENIED } from '../../core/guardrails/types';

// `helix-deploy deploy ENV`: plan, print the summary, then apply exactly that plan, but only when told so
// (`--yes`, and for a `protected = true` environment `--confirm ENV`). Otherwise the plan is saved for a
// later `helix-deploy apply` and the command exits NOT_APPLIED: CI can gate on it.

/** Planned with changes, not applied (no --yes, or a protected environment without --confirm). */
export const NOT_APPLIED = 4;

const HELP = `Usage: helix-deploy deploy ENV [--yes] [--confirm ENV] [--out FILE] [--project DIR] [--json] [--quiet]

Plans environment ENV of helix.deploy.toml (\${image} = the image last pushed for ENV, by digest: push first
with \`helix-deploy push ENV\`), prints the summary and, with --yes, applies exactly that plan. A
\`protected = true\` environment, or a plan that destroys data (a guardrail finding), also needs --confirm ENV
(its name, typed). A plan a guardrail denies is never applied. Without them the plan is saved
(.helix/ENV.plan, or --out FILE) and the command prints how to apply it.

Options:
  --yes           apply the plan after printing it (the approval)
  --confirm ENV   the environment's name, required with --yes for a protected environment
  --out FILE      where to save the plan when it is not applied (default: .helix/ENV.plan)
  --project DIR   folder holding helix.toml / helix.deploy.toml (default: current folder)
  --json          print {plan, run, state, image, outputs} as JSON instead of text
  --quiet         do not stream the tool's log to stderr

Exit status: 0 applied (healthy, no health checks, or no changes), 1 plan/apply failed or refused (e.g. nothing
pushed yet), 2 usage error, 3 applied but unhealthy (as \`apply\`), 4 planned with changes but not applied (no
--yes, or protected without --confirm; plan saved), 5 a guardrail denies the plan (not saved).`;

export const deploy: CliCommand = {
  name: 'deploy',
  summary: 'Plan an environment and apply it with --yes (exit 0 applied, 1 failed, 3 unhealthy, 4 planned only)',
  async run(argv) {
    const args = commandArgs('deploy', argv, {
      values: ['confirm', 'out', 'project'],
      flags: ['yes', 'json', 'quiet'],
      help: HELP,
      positional: 'ENV',
    });
    if (typeof args === 'number') return args;
    const env = args.positional;
    const { confirm, out, project } = args.values;
    const { yes, json, quiet } = args.flags;
    let cli;
    try {
      cli = await openCliDeployRunner(env, project);
    } catch (err) {
      return reportError('deploy', err);
    }
    const logs = streamLogs(cli.engine, quiet);
    const sigint = cancelOnSigint(cli.engine, env);
    const print = (o: Record<string, unknown>) => json && process.stdout.write(JSON.stringify(o, null, 2) + '\n');
    try {
      const planned = await (await cli.engine.startPlan(cli.target)).done;
      const run = planned.run;
      if (planned.model && !json) process.stdout.write(renderPlan(planned.model) + '\n');
      const plan = planned.model ? toJSON(planned.model) : undefined;
      if (run.state !== 'Planned') {
        print({ plan, run: run.id, state: run.state, error: run.error, image: run.meta?.image });
        process.stderr.write(`helix-deploy deploy: ${run.state}: ${run.error ?? ''}\n`);
        return 1;
      }
      if (run.meta?.noChanges) {
        await cli.engine.discard(run.id);
        print({ plan, run: run.id, state: 'NoChanges', image: run.meta?.image });
        if (!json) process.stdout.write('No changes: nothing to apply.\n');
        return 0;
      }
      if (planned.model?.guardrails?.blocked) {
        await cli.engine.discard(run.id);
        print({ plan, run: run.id, state: 'Blocked', image: run.meta?.image, guardrails: planned.model.guardrails });
        process.stderr.write(
          `helix-deploy deploy: blocked by guardrails (exit ${EXIT_GUARDRAIL_DENIED}): nothing was applied or saved.\n`,
        );
        return EXIT_GUARDRAIL_DENIED;
      }
      const isProtected = !!cli.target.environment.protected || !!planned.model?.guardrails?.needsConfirmation;
      const why = !yes
        ? 'not applied: pass --yes to apply it'
        : isProtected && confirm !== env
          ? `not applied: ${cli.target.environment.protected ? `${env} is protected` : 'the plan destroys data'}; pass --confirm ${env} with --yes`
          : undefined;
      if (why) {
        const dest = path.resolve(out ?? path.join(cli.target.project.dir, '.helix', `${env}.plan`));
        const applyWith = shellQuote([
          'helix-deploy',
          'apply',
          env,
          '--plan',
          dest,
          ...(project ? ['--project', path.resolve(project)] : []),
        ]);
        await cli.engine.handOff(run.id, dest, applyWith);
        print({ plan, run: run.id, state: 'Saved', image: run.meta?.image, savedTo: dest, reason: why });
        process.stderr.write(
          `helix-deploy deploy: ${why}. Plan saved to ${dest} (run ${run.id}). Apply it with: ${applyWith}\n`,
        );
        return NOT_APPLIED;
      }
      await cli.engine.approve(run.id, planned.planHash!);
      const done = await (await cli.engine.startApply(run.id)).done;
      const outputs = done.run.meta?.outputs as Record<string, unknown> | undefined;
      const autoId = done.run.meta?.autoRollback;
      const auto = typeof autoId === 'string' ? cli.engine.journal.get(autoId) : undefined;
      print({
        plan,
        run: run.id,
        state: done.run.state,
        error: done.run.error,
        image: done.run.meta?.image,
        outputs,
        health: done.run.meta?.health,
        healthChecks: done.run.meta?.healthChecks,
        autoRollback: auto ? { run: auto.id, state: auto.state, health: auto.meta?.health } : undefined,
      });
      if (done.run.state !== 'Applied' && done.run.state !== 'Unhealthy') {
        process.stderr.write(`helix-deploy deploy: ${done.run.state}: ${done.run.error ?? ''}\n`);
        return 1;
      }
      const healthy = done.run.state === 'Applied';
      if (!json) {
        process.stdout.write(`${healthy ? 'Applied' : 'Applied, but UNHEALTHY'} (run ${run.id}).\n`);
        for (const [k, v] of Object.entries(outputs ?? {})) process.stdout.write(`  ${k} = ${JSON.stringify(v)}\n`);
        process.stdout.write(healthLines(done.run.meta) + autoRollbackLines(cli.engine, done.run, env));
      }
      if (healthy) return 0;
      process.stderr.write(`helix-deploy deploy: Unhealthy: ${done.run.error ?? 'the health check failed'}\n`);
      return EXIT_UNHEALTHY;
    } catch (err) {
      return reportError('deploy', err);
    } finally {
      sigint.dispose();
      logs.dispose();
      await cli.close();
    }
  },
};
