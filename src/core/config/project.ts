import * as path from 'node:path';
import { parseTOML, getStaticTOMLValue } from 'toml-eslint-parser';
import type { Environment, Project } from '../model/types';

// Interim reader (issue 2). The config module of issue 3 replaces its internals and keeps this signature.

/** True when the parsed table looks like HelixDB's helix.toml (the file name is shared with unrelated tools). */
export function isHelixConfig(value: unknown): value is Record<string, any> {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.project === 'object' && v.project !== null && ('local' in v || 'enterprise' in v || 'cloud' in v);
}

/**
 * Reads a helix.toml. Returns undefined when the file is not a HelixDB project file.
 * A file that does not parse still yields a project (named after its folder) with errorCount > 0,
 * so the tree can show it with a problem badge.
 */
export function readProject(configFile: string, text: string, _deployText?: string): Project | undefined {
  const dir = path.dirname(configFile);
  let value: unknown;
  try {
    value = getStaticTOMLValue(parseTOML(text));
  } catch {
    // Only claim a broken file when it visibly tries to be a HelixDB project.
    if (!/^\s*\[project\]/m.test(text)) return undefined;
    return { name: path.basename(dir), dir, configFile, generation: 'v3.1', containerRuntime: 'docker', environments: [], errorCount: 1 };
  }
  if (!isHelixConfig(value)) return undefined;
  const environments: Environment[] = [];
  for (const [name, settings] of Object.entries((value.local ?? {}) as Record<string, any>)) {
    environments.push({ name, kind: 'local', source: 'helix.toml', port: settings?.port ?? 6969, image: settings?.image, tag: settings?.tag, settings: settings ?? {} });
  }
  for (const [name, settings] of Object.entries((value.enterprise ?? {}) as Record<string, any>)) {
    environments.push({ name, kind: 'enterprise', source: 'helix.toml', target: settings?.database ?? settings?.cluster_id, settings: settings ?? {} });
  }
  const generation = value.cloud ? 'v2' : Object.values((value.enterprise ?? {}) as Record<string, any>).some((e) => e && 'database' in e) ? 'v3.2' : 'v3.1';
  return {
    name: String(value.project.name ?? path.basename(dir)),
    dir,
    configFile,
    generation,
    containerRuntime: value.project.container_runtime === 'podman' ? 'podman' : 'docker',
    environments,
    errorCount: 0,
  };
}
