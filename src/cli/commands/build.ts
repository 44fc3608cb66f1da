import type { CliCommand } from './types';
import { reportError } from './deploy-env';
import { commandArgs } from '../args';
import { findEnvironment, openCliHistory, readCliProject } from './project';
import { LocalService } from '../../core/local/service';
import { HealthService } from '../../core/health/service';
import { whoAmI } from '../../core/engine/who';
import { DockerEngine } from '../../providers/docker/engine';

// `helix-deploy build ENV|INSTANCE`: the local Docker build of a helix.toml instance (the one an environment
// of helix.deploy.toml names with `instance = "..."`), through the same build code as Helix: Build Image,
// recorded as a `build` run in the project's history.

const HELP = `Usage: helix-deploy build ENV|INSTANCE [--project DIR] [--json] [--quiet]

Builds the image of a helix.toml instance with the local Docker engine (DOCKER_HOST, the docker context, or
the default socket), as Helix: Build Image does. ENV may name a helix.deploy.toml environment: its
\`instance\` is built. The build is recorded in the project's run history.

Options:
  --project DIR   folder holding helix.toml (default: current folder)
  --json          print {run, image, imageId, sizeBytes} as JSON
  --quiet         do not stream the build output to stderr

Exit status: 0 built, 1 build failed or Docker unreachable (message on stderr), 2 usage error.`;

export const build: CliCommand = {
  name: 'build',
  summary: 'Build the image of an instance with the local Docker engine (exit 0 built, 1 failed)',
  async run(argv) {
    const args = commandArgs('build', argv, {
      values: ['project'],
      flags: ['json', 'quiet'],
      help: HELP,
      positional: 'ENV or INSTANCE',
    });
    if (typeof args === 'number') return args;
    const name = args.positional;
    const { json, quiet } = args.flags;
    try {
      const project = readCliProject(args.values.project);
      const deployEnv = project.environments.find(
        (e) => e.name === name && e.source === 'helix.deploy.toml' && typeof e.settings.instance === 'string',
      );
      const instanceName = deployEnv ? String(deployEnv.settings.instance) : name;
      const environment = findEnvironment(project, instanceName, (e) => e.kind === 'local', 'helix.toml instance');
      const journal = await openCliHistory(project);
      try {
        const service = new LocalService({
          engine: DockerEngine.resolve(),
          journal,
          health: new HealthService(),
          who: () => whoAmI(project.dir),
        });
        const ac = new AbortController();
        const stop = () => ac.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
          const out = await service.build(
            { project, environment },
            { signal: ac.signal, onLine: quiet ? undefined : (l) => process.stderr.write(`${l}\n`) },
          );
          const image = String(out.run.meta?.image ?? '');
          if (json)
            process.stdout.write(
              JSON.stringify(
                { run: out.run.id, image, imageId: out.result.imageId, sizeBytes: out.result.size },
                null,
                2,
              ) + '\n',
            );
          else process.stdout.write(`Built ${image} (${out.result.imageId.slice(0, 19)}, run ${out.run.id}).\n`);
          return 0;
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      } finally {
        await journal.close();
      }
    } catch (err) {
      return reportError('build', err);
    }
  },
};
