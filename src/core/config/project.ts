import * as path from 'node:path';
import type { Environment, EnvironmentKind, Generation, Project } from '../model/types';
import { validateConfig } from './validate';
import { child, toPlain, type ConfigNode } from './tree';
import { LineIndex } from './text';
import { defaultsFor, type GenerationSetting, type ReleaseDefaults } from './generation';
import { DEPLOY_TOOLS } from './rules-deploy';
import { at } from '../json';

// Project model from helix.toml (+ helix.deploy.toml) for the tree, the engine and the CLI. Same parser and
// validator as the editor, so the error badge and the Problems view always agree.

export interface ReadProjectOptions {
  generation?: GenerationSetting;
  cliVersion?: string;
}

/** True when the parsed table looks like HelixDB's helix.toml (the file name is shared with unrelated tools). */
export function isHelixConfig(value: unknown): value is Record<string, unknown> {
  return (
    !!value && typeof value === 'object' && typeof at(value, 'project') === 'object' && at(value, 'project') !== null
  );
}

/**
 * Reads a helix.toml (and its helix.deploy.toml). Undefined when the file is not a HelixDB project file
 * (no [project]). A file with errors still yields a project with errorCount > 0, so the tree can show it.
 */
export function readProject(
  configFile: string,
  text: string,
  deployText?: string,
  o: ReadProjectOptions = {},
): Project | undefined {
  const dir = path.dirname(configFile);
  const res = validateConfig(text, {
    kind: 'helix',
    file: configFile,
    generation: o.generation,
    cliVersion: o.cliVersion,
    folderName: path.basename(dir),
  });
  if (!res.applies) return undefined;
  let errorCount = res.diagnostics.filter((d) => d.severity === 'error').length;
  const gen = res.generation.generation;
  const defaults = defaultsFor(gen, res.generation.release);
  const root = res.tree;
  const lines = new LineIndex(text);
  const name = child(root, 'project', 'name');
  const projectName = name?.kind === 'string' && String(name.value).trim() ? String(name.value) : path.basename(dir);
  const environments = root ? helixEnvironments(root, gen, defaults, projectName, lines) : [];
  if (deployText !== undefined) {
    const dep = validateConfig(deployText, {
      kind: 'deploy',
      file: path.join(dir, 'helix.deploy.toml'),
      dir,
      helixTree: root ?? null,
    });
    errorCount += dep.diagnostics.filter((d) => d.severity === 'error').length;
    if (dep.tree) {
      environments.push(...deployEnvironments(dep.tree, new LineIndex(deployText)));
      attachOwnSettings(environments, dep.tree);
    }
  }
  const runtime = child(root, 'project', 'container_runtime');
  return {
    name: projectName,
    dir,
    configFile,
    generation: gen,
    containerRuntime: runtime?.value === 'podman' ? 'podman' : 'docker',
    environments,
    errorCount,
  };
}

function rangeOf(n: ConfigNode, lines: LineIndex) {
  return { start: lines.position(n.range.start), end: lines.position(n.range.end) };
}

function plain(n: ConfigNode): Record<string, unknown> {
  const v = toPlain(n);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

const str = (n: ConfigNode | undefined) => (n?.kind === 'string' ? String(n.value) : undefined);

function helixEnvironments(
  root: ConfigNode,
  gen: Generation,
  defaults: ReleaseDefaults,
  project: string,
  lines: LineIndex,
): Environment[] {
  const out: Environment[] = [];
  const each = (t: string, f: (name: string, n: ConfigNode) => Environment | undefined) => {
    const tbl = root.entries!.get(t);
    if (tbl?.kind !== 'table') return;
    for (const [name, n] of tbl.entries!) {
      if (n.kind !== 'table') continue;
      const e = f(name, n);
      if (e) out.push(e);
    }
  };
  each('local', (name, n) => {
    const port = child(n, 'port');
    const v2 = gen === 'v2';
    const buildMode = str(child(n, 'build_mode')) ?? 'dev';
    return {
      name,
      kind: 'local',
      source: 'helix.toml',
      range: rangeOf(n, lines),
      // Defaults of the CLI release in use (CLI 3.0.0-3.0.7: port 8080; 3.4.4: tag v0.0.11...).
      port: port?.kind === 'integer' ? Number(port.value) : defaults.port,
      // v2 builds `helix-<project>-<instance>:dev|latest`; v3 runs a prebuilt image.
      image: v2 ? `helix-${project}-${name}` : (str(child(n, 'image')) ?? defaults.image),
      tag: v2 ? (buildMode === 'release' ? 'latest' : 'dev') : (str(child(n, 'tag')) ?? defaults.tag),
      settings: plain(n),
    };
  });
  each('enterprise', (name, n) => ({
    name,
    kind: 'enterprise',
    source: 'helix.toml',
    range: rangeOf(n, lines),
    target: str(child(n, 'database')) ?? str(child(n, 'cluster_id')),
    settings: plain(n),
  }));
  if (gen === 'v2') {
    each('cloud', (name, n) => {
      const provider = [...n.entries!.keys()][0];
      const p = n.entries!.get(provider);
      const kinds: Record<string, EnvironmentKind> = { helix: 'helix-cloud', fly: 'fly', ecr: 'ecr' };
      if (!p || !kinds[provider]) return undefined;
      const target =
        provider === 'helix'
          ? str(child(p, 'cluster_id'))
          : provider === 'fly'
            ? `helix-${project.replace(/_/g, '-')}-${name}`
            : [str(child(p, 'registry_url')), str(child(p, 'repository_name'))].filter(Boolean).join('/');
      return {
        name,
        kind: kinds[provider],
        source: 'helix.toml',
        range: rangeOf(n, lines),
        target,
        settings: plain(p),
      };
    });
  }
  return out;
}

/** `[instances.<n>]` of helix.deploy.toml belongs to the local environment `n` of helix.toml. */
function attachOwnSettings(environments: Environment[], root: ConfigNode): void {
  const own = child(root, 'instances');
  if (own?.kind !== 'table') return;
  for (const e of environments) {
    const n = e.kind === 'local' && e.source === 'helix.toml' ? own.entries!.get(e.name) : undefined;
    if (n?.kind === 'table') e.own = plain(n);
  }
}

function deployEnvironments(root: ConfigNode, lines: LineIndex): Environment[] {
  const envs = root.entries!.get('environments');
  if (envs?.kind !== 'table') return [];
  const out: Environment[] = [];
  for (const [name, n] of envs.entries!) {
    if (n.kind !== 'table') continue;
    const tool = DEPLOY_TOOLS.find((t) => n.entries!.has(t));
    const kind: EnvironmentKind = tool ?? 'registry';
    const t = tool ? child(n, tool) : undefined;
    const target =
      tool === 'terraform'
        ? (str(t) ?? str(child(t, 'dir')))
        : tool === 'pulumi'
          ? str(child(t, 'stack'))
          : tool === 'kubernetes'
            ? [str(child(t, 'context')), str(child(t, 'namespace')) ?? 'default'].filter(Boolean).join('/')
            : str(child(n, 'registry'));
    const prot = child(n, 'protected');
    out.push({
      name,
      kind,
      source: 'helix.deploy.toml',
      range: rangeOf(n, lines),
      target,
      protected: prot?.kind === 'boolean' ? Boolean(prot.value) : false,
      settings: plain(n),
    });
  }
  return out;
}
