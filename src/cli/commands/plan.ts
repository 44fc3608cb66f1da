import * as fs from 'node:fs';
import * as path from 'node:path';
import { toJSON } from '../../core/plan/model';
import { renderPlan } from '../../core/plan/render';
import type { CliCommand } from './types';
import { cancelOnSigint, CliUsageError, openCliDeployRunner, reportError, streamLogs } from './deploy-env';
import { commandArgs } from '../args';
import { insideFolder } from '../../core/engine/headless';
import { shellQuote } from '../../core/process/shell-quote';
import { EXIT_GUARDRAIL_DENIED } from '../../core/guardrails/types';

// `helix-deploy plan ENV`: plan a Terraform/Pulumi environment of helix.deploy.toml, print the summary,
// save the plan file. Exit codes follow terraform's -detailed-exitcode: 0 no changes, 1 error, 2 changes.

const HELP = `Usage: helix-deploy plan ENV [--out FILE] [--destroy] [--project DIR] [--json] [--quiet]

Plans environment ENV (a [environments.ENV] with terraform or pulumi in helix.deploy.toml), prints the
summary and saves the plan so \`helix-deploy apply ENV --plan FILE\` applies exactly it. The summary ends with
the monthly cost estimate and its sources (Infracost when installed: HELIX_DEPLOY_INFRACOST_PATH, INFRACOST_API_KEY;
the shipped Fly.io price table; Kubernetes requests x [cost.kubernetes] rates) and a WARNING when it is over the
environment's budget_monthly (a warning: the exit status is unchanged).

Options:
  --out FILE      where to save the plan (default: .helix/ENV.plan in the project)
  --destroy       plan the destruction of everything the environment manages
  --project DIR   folder holding helix.toml / helix.deploy.toml (default: current folder)
  --json          print the diff model as JSON (values redacted) instead of text
  --quiet         do not stream the tool's log to stderr

Exit status: 0 no changes, 2 changes planned, 1 error (terraform -detailed-exitcode), 2 also for usage errors
(with a message on stderr), 5 a guardrail denies the plan (printed under the plan; nothing is saved). The saved plan file may hold secrets (a terraform plan does): keep it private.`;

export const plan: CliCommand = {
  name: 'plan',
  summary: 'Plan a Terraform/Pulumi environment and save the plan (exit 0 none, 2 changes, 1 error, 5 denied)',
  async run(argv) {
    const args = commandArgs('plan', argv, {
      values: ['out', 'project'],
      flags: ['destroy', 'json', 'quiet'],
      help: HELP,
      positional: 'ENV',
    });
    if (typeof args === 'number') return args;
    const env = args.positional;
    const { out, project } = args.values;
    const { destroy, json, quiet } = args.flags;
    let cli;
    try {
      cli = await openCliDeployRunner(env, project);
    } catch (err) {
      return reportError('plan', err);
    }
    // The environment name is checked (deployTargetFor), and the derived default must still land in .helix/.
    const helixDir = path.join(cli.target.project.dir, '.helix');
    const dest = path.resolve(out ?? path.join(helixDir, `${env}.plan`));
    try {
      if (!out && !insideFolder(helixDir, dest))
        throw new CliUsageError(`the default plan file ${dest} would be outside ${helixDir}: use --out FILE`);
      if (fs.statSync(dest, { throwIfNoEntry: false })?.isDirectory())
        throw new CliUsageError(`--out ${dest} is a folder: name the plan file to write`);
    } catch (err) {
      await cli.close();
      return reportError('plan', err);
    }
    const logs = streamLogs(cli.engine, quiet);
    const sigint = cancelOnSigint(cli.engine, env);
    try {
      const handle = await cli.engine.startPlan(cli.target, { destroy });
      const snap = await handle.done;
      if (snap.model)
        process.stdout.write((json ? JSON.stringify(toJSON(snap.model), null, 2) : renderPlan(snap.model)) + '\n');
      if (snap.run.state !== 'Planned') {
        process.stderr.write(`helix-deploy plan: ${snap.run.state}: ${snap.run.error ?? ''}\n`);
        return 1;
      }
      if (snap.model?.guardrails?.blocked) {
        await cli.engine.discard(snap.run.id);
        process.stderr.write(
          `helix-deploy plan: blocked by guardrails (exit ${EXIT_GUARDRAIL_DENIED}): the plan was not saved. Fix the findings above, or change the rule in helix.deploy.toml, and plan again.\n`,
        );
        return EXIT_GUARDRAIL_DENIED;
      }
      const applyWith = shellQuote([
        'helix-deploy',
        'apply',
        env,
        '--plan',
        dest,
        ...(project ? ['--project', path.resolve(project)] : []),
      ]);
      await cli.engine.handOff(snap.run.id, dest, applyWith);
      process.stderr.write(`Plan saved to ${dest} (run ${snap.run.id}). Apply it with: ${applyWith}\n`);
      return snap.run.meta?.noChanges ? 0 : 2;
    } catch (err) {
      return reportError('plan', err);
    } finally {
      sigint.dispose();
      logs.dispose();
      await cli.close();
    }
  },
};
