import { messageOf } from '../../core/errors';
import type { CliCommand } from './types';
import { CliUsageError, reportError } from './deploy-env';
import { commandArgs } from '../args';
import { findEnvironment, openCliHistory, readCliProject } from './project';
import { CredentialChain } from '../../core/credentials/stored';
import { EnvCredentials } from '../../core/credentials/env';
import { CredentialRedactor } from '../../core/credentials/redact';
import { describeImage, imageOf, lastBuildRun } from '../../core/engine/image';
import { whoAmI } from '../../core/engine/who';
import { gitState } from '../../core/push/git';
import { formatReference, pushTag } from '../../core/push/reference';
import { runPush } from '../../core/push/service';
import { isPushTarget, pushRepository, sourceImage } from '../../core/push/target';
import type { ImageRef } from '../../core/push/types';
import { dockerClient } from '../../providers/docker/client';
import { resolveEndpoint } from '../../providers/docker/connect';
import { shellQuote } from '../../core/process/shell-quote';
import { DockerConfigCredentials } from '../../providers/registry/dockerConfig';
import { EnginePusher } from '../../providers/registry/enginePusher';

// `helix-deploy push ENV`: pushes the environment's built image to its registry through the same code as
// Helix: Push Image, recorded as a `push` run whose meta `image` (repo@sha256:...) the next plan deploys.

const HELP = `Usage: helix-deploy push ENV [--project DIR] [--json] [--quiet]

Pushes the image built for ENV's instance (\`helix-deploy build ENV\`) to ENV's \`registry\`, tagged
<project>-<env>-<commit7>, and records the pushed digest: the next \`plan\`/\`deploy\` of ENV deploys exactly
it (\${image} = repo@sha256:...). Credentials: the Docker config and its credential helpers
(DOCKER_CONFIG), else HELIX_REGISTRY_USERNAME / HELIX_REGISTRY_PASSWORD. They are never printed.

Options:
  --project DIR   folder holding helix.toml / helix.deploy.toml (default: current folder)
  --json          print the run's image record {ref, digest, repository, tag, pushedAt, buildRun?, commit?}
  --quiet         do not stream the push log to stderr

Exit status: 0 pushed, 1 failed (no local image, registry refused, network), 2 usage error.`;

export const push: CliCommand = {
  name: 'push',
  summary: 'Push the built image of an environment to its registry (exit 0 pushed, 1 failed)',
  async run(argv) {
    const args = commandArgs('push', argv, {
      values: ['project'],
      flags: ['json', 'quiet'],
      help: HELP,
      positional: 'ENV',
    });
    if (typeof args === 'number') return args;
    const { json, quiet } = args.flags;
    try {
      const project = readCliProject(args.values.project);
      const environment = findEnvironment(
        project,
        args.positional,
        (e) =>
          isPushTarget(e) && (typeof e.settings.registry === 'string' || typeof e.settings.registry_url === 'string'),
        'environment with a registry',
      );
      let repo: ImageRef;
      try {
        repo = pushRepository(project, environment);
      } catch (err) {
        throw new CliUsageError(`environments.${environment.name}: ${messageOf(err)}`);
      }
      const git = await gitState(project.dir);
      const ref: ImageRef = { ...repo, tag: pushTag(project.name, environment.name, git.commit, git.dirty) };
      const source = sourceImage(project, environment);
      const ep = resolveEndpoint();
      const docker = dockerClient(ep);
      try {
        await docker.getImage(source).inspect();
      } catch {
        throw new Error(
          `the image ${source} does not exist locally (Docker at ${ep.socketPath ?? ep.host}). Build it first: ${shellQuote(['helix-deploy', 'build', environment.name, ...(args.values.project ? ['--project', project.dir] : [])])}`,
        );
      }
      const redactor = new CredentialRedactor();
      const journal = await openCliHistory(project);
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const result = await runPush(
          {
            pusher: new EnginePusher(docker),
            redactor,
            journal,
            log: quiet ? undefined : (l) => process.stderr.write(`${l}\n`),
          },
          {
            project: project.name,
            projectDir: project.dir,
            environment: environment.name,
            source,
            ref,
            commit: git.commit,
            buildRun: lastBuildRun(journal, project, source),
            credentials: new CredentialChain([new DockerConfigCredentials(), new EnvCredentials()]),
            who: await whoAmI(project.dir),
            signal: ac.signal,
          },
        );
        const image = imageOf(result.runId ? journal.get(result.runId) : undefined);
        if (json) process.stdout.write(JSON.stringify({ run: result.runId, ...image }, null, 2) + '\n');
        else
          process.stdout.write(
            `Pushed ${image ? describeImage(image) : `${formatReference(ref)} (${result.digest})`}; run ${result.runId}.\n`,
          );
        return 0;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await journal.close();
      }
    } catch (err) {
      return reportError('push', err);
    }
  },
};
