import type { CliCommand } from './types';
import { CliUsageError, reportError } from './deploy-env';
import { commandArgs } from '../args';
import { openCliHistory, readCliProject } from './project';
import { imageOf } from '../../core/engine/image';
import type { RunRecord } from '../../core/engine/journal';

// `helix-deploy history [ENV]`: the project's run history (builds, pushes, plans, applies... of the CLI and
// the editor alike), newest first. The image a run pushed or deployed is shown by digest.

const HELP = `Usage: helix-deploy history [ENV] [--limit N] [--project DIR] [--json]

Lists the runs recorded in the project's run history (.helix/runs.jsonl: the CLI's and the editor's),
newest first; with ENV only that environment's. Each line: run id, kind, environment, state, start time,
who, and the image (repo@sha256:...) a push recorded or a plan/apply deployed.

Options:
  --limit N       at most N runs (default 50)
  --project DIR   folder holding helix.toml (default: current folder)
  --json          print the runs as a JSON array (log lines left out)

Exit status: 0 listed (also when empty), 1 the history cannot be read, 2 usage error.`;

export const history: CliCommand = {
  name: 'history',
  summary: "List the project's runs, newest first (exit 0, 1 error)",
  async run(argv) {
    const args = commandArgs('history', argv, {
      values: ['limit', 'project'],
      flags: ['json'],
      help: HELP,
      check: (a) => {
        const n = Number(a.values.limit ?? 50);
        if (!Number.isInteger(n) || n < 1)
          throw new CliUsageError(
            `--limit must be a whole number of runs, at least 1 (got ${JSON.stringify(a.values.limit)})`,
          );
      },
    });
    if (typeof args === 'number') return args;
    const limit = Number(args.values.limit ?? 50);
    try {
      const project = readCliProject(args.values.project);
      const journal = await openCliHistory(project);
      try {
        const runs = journal.list({ projectDir: project.dir, environment: args.positional, limit });
        if (args.flags.json)
          process.stdout.write(
            JSON.stringify(
              runs.map(({ log: _log, ...r }) => r),
              null,
              2,
            ) + '\n',
          );
        else if (!runs.length)
          process.stdout.write(`No runs${args.positional ? ` of ${args.positional}` : ''} in ${project.dir}.\n`);
        else for (const r of runs) process.stdout.write(line(r) + '\n');
        return 0;
      } finally {
        await journal.close();
      }
    } catch (err) {
      return reportError('history', err);
    }
  },
};

function line(r: RunRecord): string {
  const image = imageOf(r);
  return [r.id, r.kind.padEnd(8), r.environment, r.state.padEnd(10), r.startedAt, r.who, image ? image.ref : '']
    .join('  ')
    .trimEnd();
}
