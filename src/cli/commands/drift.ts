import type { CliCommand } from './types';
import { openCliDeployRunner, reportError, streamLogs } from './deploy-env';
import { commandArgs } from '../args';
import { driftToJSON, renderDrift } from '../../core/drift/model';

// `helix-deploy drift ENV`: compare what is live with what the environment's tool manages. Reads only.
// Exit codes: 0 no drift, 2 drift, 1 error (as `plan`: 2 means "something differs").

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const HELP = `Usage: helix-deploy drift ENV [--project DIR] [--json] [--quiet]

Checks environment ENV for drift: Terraform \`plan -refresh-only\`, Pulumi \`preview --refresh\`, Kubernetes
live objects against the manifests helix-deploy applies (with the image of the last deployment). Nothing is
changed. The check is recorded in the run history (kind "drift").

Options:
  --project DIR   folder holding helix.toml / helix.deploy.toml (default: current folder)
  --json          print the drift report as JSON (values redacted) instead of text
  --quiet         do not stream the tool's log to stderr

Exit status: 0 no drift, 2 drift found, 1 error; 2 also for usage errors (with a message on stderr).`;

export const drift: CliCommand = {
  name: 'drift',
  summary: 'Check an environment for drift (exit 0 none, 2 drift, 1 error)',
  async run(argv) {
    const args = commandArgs('drift', argv, {
      values: ['project'],
      flags: ['json', 'quiet'],
      help: HELP,
      positional: 'ENV',
    });
    if (typeof args === 'number') return args;
    const env = args.positional;
    const { json, quiet } = args.flags;
    let cli;
    try {
      cli = await openCliDeployRunner(env, args.values.project);
    } catch (err) {
      return reportError('drift', err);
    }
    const logs = streamLogs(cli.engine, quiet);
    // The check only reads: the first signal interrupts the tool and waits for it, a second stops waiting.
    let runId: string | undefined;
    let signals = 0;
    const onSignal = () => {
      if (++signals > 1 || !runId) process.exit(130);
      process.stderr.write('helix-deploy drift: interrupting the check (interrupt again to stop waiting).\n');
      void cli.engine.cancel(runId, 'signal').catch(() => undefined);
    };
    const sigint = { dispose: () => SIGNALS.forEach((s) => process.off(s, onSignal)) };
    SIGNALS.forEach((s) => process.on(s, onSignal));
    try {
      const handle = await cli.engine.startDriftCheck(cli.target);
      runId = handle.id;
      const { run, report } = await handle.done;
      if (run.state !== 'Succeeded' || !report) {
        process.stderr.write(`helix-deploy drift: ${run.state}: ${run.error ?? ''}\n`);
        return 1;
      }
      process.stdout.write((json ? JSON.stringify(driftToJSON(report), null, 2) : renderDrift(report)) + '\n');
      return report.resources.length ? 2 : 0;
    } catch (err) {
      return reportError('drift', err);
    } finally {
      sigint.dispose();
      logs.dispose();
      await cli.close();
    }
  },
};
