import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { getStaticTOMLValue, parseTOML } from 'toml-eslint-parser';
import { at } from '../../core/json';
import { checkLimits } from '../../core/config/limits';
import type { Environment, Project } from '../../core/model/types';
import { writeToml, type Value } from './toml';

// The request bodies the helix CLI sends to Helix Cloud (docs/helix-cli-compat.md; CLI v2.3.5 and 3.1).

const DB_CONFIG_KEYS = [
  'vector_config',
  'graph_config',
  'mcp',
  'bm25',
  'schema',
  'embedding_model',
  'graphvis_node_label',
];

async function readConfig(project: Project): Promise<Record<string, unknown>> {
  const text = await fs.readFile(project.configFile, 'utf8');
  // The same bounds as the editor and `validate`: a hostile file is refused before the parser sees it.
  const tooBig = checkLimits(text);
  if (tooBig) throw new Error(`${project.configFile}: ${tooBig.message}`);
  return getStaticTOMLValue(parseTOML(text)) as Record<string, unknown>;
}

/** helix.toml with only [project] and the deployed instance (what the CLI sends as `helix_toml`). */
function pruned(config: Record<string, unknown>, section: 'cloud' | 'enterprise', env: Environment): string {
  const instance = (
    section === 'cloud'
      ? { helix: at(config, 'cloud', env.name, 'helix') ?? env.settings }
      : (at(config, 'enterprise', env.name) ?? env.settings)
  ) as Value;
  const table = { [env.name]: instance };
  return writeToml({ project: (config.project ?? { name: 'unknown' }) as Value, [section]: table });
}

async function walk(dir: string, accept: (rel: string) => boolean, base = dir, out: string[] = []): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'target' && e.name !== 'node_modules' && !e.name.startsWith('.git'))
        await walk(full, accept, base, out);
    } else if (accept(path.relative(base, full).split(path.sep).join('/'))) out.push(full);
  }
  return out;
}

/** v2 `[cloud.<n>.helix]`: schema.hx, the other .hx files by relative path, env vars, runtime config. */
export async function cloudDeployPayload(project: Project, env: Environment): Promise<Record<string, unknown>> {
  const config = await readConfig(project);
  const queriesDir = path.resolve(project.dir, String(at(config, 'project', 'queries') ?? './db/'));
  const files = await walk(queriesDir, (rel) => rel.endsWith('.hx'));
  if (!files.length)
    throw new Error(`No .hx query files in ${queriesDir} (the [project] queries folder). Nothing to deploy.`);
  let schema = '';
  const queries: Record<string, string> = {};
  for (const f of files.sort()) {
    const rel = path.relative(queriesDir, f).split(path.sep).join('/');
    const text = await fs.readFile(f, 'utf8');
    if (rel.endsWith('schema.hx')) schema = text;
    else queries[rel] = text;
  }
  const s = env.settings;
  const runtime: Record<string, unknown> = {};
  for (const k of DB_CONFIG_KEYS) if (s[k] !== undefined) runtime[k] = s[k];
  return {
    schema,
    queries,
    env_vars: (s.env_vars as Record<string, string>) ?? {},
    runtime_config: runtime,
    build_mode: s.build_mode ?? 'dev',
    instance_name: env.name,
    helix_toml: pruned(config, 'cloud', env),
    build_mode_override: null,
  };
}

const SOURCE_LIMIT = { files: 2000, bytes: 20 * 1024 * 1024 };

/**
 * v3.0-3.1 `[enterprise.<n>]`: the compiled queries.json (base64) and the Rust query project's sources.
 * `queriesJson` is produced by `cargo run` in the queries project (the caller runs it, in a trusted workspace).
 */
export async function enterpriseDeployPayload(
  project: Project,
  env: Environment,
  queriesJson: Buffer,
): Promise<Record<string, unknown>> {
  const config = await readConfig(project);
  const queriesDir = path.resolve(project.dir, String(at(config, 'project', 'queries') ?? 'db'));
  const accept = (rel: string) =>
    ['Cargo.toml', 'Cargo.lock', 'build.rs', 'rust-toolchain', 'rust-toolchain.toml'].includes(rel) ||
    rel.startsWith('src/') ||
    /^\.cargo\/[^/]+\.toml$/.test(rel);
  const files = await walk(queriesDir, accept);
  if (files.length > SOURCE_LIMIT.files)
    throw new Error(
      `The query project has ${files.length} source files; Helix Cloud accepts at most ${SOURCE_LIMIT.files}.`,
    );
  const source_files: Record<string, string> = {};
  let bytes = queriesJson.length;
  for (const f of files.sort()) {
    const text = await fs.readFile(f, 'utf8');
    bytes += Buffer.byteLength(text);
    source_files[path.relative(queriesDir, f).split(path.sep).join('/')] = text;
  }
  if (bytes > SOURCE_LIMIT.bytes)
    throw new Error(
      `The deploy request would be ${(bytes / 1048576).toFixed(1)} MiB; Helix Cloud accepts at most 20 MiB.`,
    );
  return {
    queries_json_b64: queriesJson.toString('base64'),
    queries_json_size_bytes: queriesJson.length,
    source_files,
    instance_name: env.name,
    helix_toml: pruned(config, 'enterprise', env),
  };
}

export async function queriesDirOf(project: Project): Promise<string> {
  const config = await readConfig(project);
  return path.resolve(project.dir, String(at(config, 'project', 'queries') ?? 'db'));
}
