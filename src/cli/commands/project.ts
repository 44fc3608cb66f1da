import { messageOf } from '../../core/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readProject } from '../../core/config/project';
import { RunHistory } from '../../core/engine/history';
import { formatWarning } from '../../core/engine/journal';
import type { Environment, Project } from '../../core/model/types';
import { Redactor } from '../../core/process/redact';
import { CliUsageError } from './deploy-env';

// For the CLI commands that need the project and its run history but no plan engine (build, push, history):
// the same `<project>/.helix/runs.jsonl` the extension and `plan`/`apply`/`deploy` use.

export function readCliProject(projectDir: string | undefined): Project {
  const dir = path.resolve(projectDir ?? '.');
  const configFile = path.join(dir, 'helix.toml');
  if (!fs.existsSync(configFile)) throw new CliUsageError(`no helix.toml in ${dir} (use --project DIR)`);
  const deployFile = path.join(dir, 'helix.deploy.toml');
  const read = (f: string) => {
    try {
      return fs.readFileSync(f, 'utf8');
    } catch (err) {
      throw new CliUsageError(`cannot read ${f}: ${messageOf(err)}`);
    }
  };
  const project = readProject(configFile, read(configFile), fs.existsSync(deployFile) ? read(deployFile) : undefined);
  if (!project) throw new CliUsageError(`${configFile} is not a HelixDB project file (no [project] table)`);
  return project;
}

export async function openCliHistory(project: Project, redactor = new Redactor()): Promise<RunHistory> {
  const history = new RunHistory({ redact: (s) => redactor.redact(s) });
  history.onWarning((w) => process.stderr.write(`helix-deploy: warning: run history ${formatWarning(w)}\n`));
  await history.openProject(project.dir);
  return history;
}

/** An environment of the project by name, or a usage error naming the ones that fit. */
export function findEnvironment(
  project: Project,
  name: string,
  fits: (e: Environment) => boolean,
  what: string,
): Environment {
  const env = project.environments.find((e) => e.name === name && fits(e));
  if (env) return env;
  const names = [...new Set(project.environments.filter(fits).map((e) => e.name))];
  throw new CliUsageError(
    `no ${what} "${name}" in ${project.dir}${names.length ? ` (available: ${names.join(', ')})` : ' (it defines none)'}`,
  );
}
