import * as path from 'node:path';

// One environment of one project. Projects are told apart by folder, never by name: two projects of a
// monorepo may both be called "app", and their histories, panels and health must not mix.

export interface EnvironmentRef {
  /** The project's folder (absolute). */
  readonly projectDir: string;
  /** The environment's name inside that project. */
  readonly environment: string;
}

/** The one string key of an environment (maps, tree ids, panel state): `<project folder>#<environment>`. */
export function envKey(projectDir: string, environment: string): string {
  return `${projectDir}#${environment}`;
}

/** The parts of an envKey; the folder may itself hold a '#', an environment name never does. */
export function parseEnvKey(key: string): EnvironmentRef {
  const at = key.lastIndexOf('#');
  return { projectDir: key.slice(0, at), environment: key.slice(at + 1) };
}

/**
 * Whether a run (or any record naming its project) belongs to this project: by folder; by name only for a
 * record without a folder, which no run history read through RunHistory has (it fills in the folder).
 */
export function isOfProject(
  record: { project: string; projectDir?: string },
  project: { name: string; dir: string },
): boolean {
  return record.projectDir !== undefined
    ? path.resolve(record.projectDir) === path.resolve(project.dir)
    : record.project === project.name;
}
