import { execFile } from 'node:child_process';
import type { Generation } from '../model/types';
import type { ConfigNode } from './tree';
import type { GenerationInfo } from './types';

// Which helix CLI generation a helix.toml is written for (helix-toml.md §1). Order: the user's setting,
// then decisive content, then the installed CLI, then the newest generation.

export type GenerationSetting = 'auto' | Generation;
export const GENERATIONS: readonly Generation[] = ['v2', 'v3.1', 'v3.2'];
export const DEFAULT_GENERATION: Generation = 'v3.2';

const V2_INSTANCE_KEYS = ['build_mode', 'vector_config', 'graph_config', 'mcp', 'bm25', 'embedding_model', 'graphvis_node_label'];
const V31_ENTERPRISE_KEYS = ['cluster_id', 'gateway_url', 'query_auth_header', 'query_auth_env', 'availability_mode', 'gateway_node_type', 'db_node_type', 'min_instances', 'max_instances'];

/** Generation implied by the file's content, with the evidence; undefined when the content fits several. */
export function generationFromContent(root: ConfigNode | undefined): { generation: Generation; reason: string } | undefined {
  if (!root?.entries) return undefined;
  if (root.entries.has('cloud')) return { generation: 'v2', reason: 'has a [cloud] table (CLI v2)' };
  const tables = (name: string) => [...(root.entries!.get(name)?.entries?.entries() ?? [])];
  for (const [n, inst] of [...tables('local'), ...tables('enterprise')]) {
    const k = V2_INSTANCE_KEYS.find((key) => inst.entries?.has(key));
    if (k) return { generation: 'v2', reason: `instance '${n}' has \`${k}\` (CLI v2)` };
  }
  for (const [n, inst] of tables('enterprise')) {
    if (inst.entries?.has('database')) return { generation: 'v3.2', reason: `[enterprise.${n}] has \`database\` (CLI v3.2+)` };
    const k = V31_ENTERPRISE_KEYS.find((key) => inst.entries?.has(key));
    if (k) return { generation: 'v3.1', reason: `[enterprise.${n}] has \`${k}\` (CLI v3.0-3.1)` };
  }
  // Only [local] v3 keys (image, tag, storage) or nothing specific: valid in v3.1 and v3.2 alike.
  return undefined;
}

/** `helix --version` output ("helix 3.1.2", "helix-cli 2.3.5") -> generation. */
export function generationFromVersion(output: string): Generation | undefined {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(output);
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major < 3) return 'v2';
  if (major === 3 && minor < 2) return 'v3.1';
  return 'v3.2';
}

export function resolveGeneration(setting: GenerationSetting, root: ConfigNode | undefined, cliVersion?: string): GenerationInfo {
  if (setting !== 'auto') return { generation: setting, source: 'setting', reason: `set by helixDeploy.cliGeneration = "${setting}"` };
  const byContent = generationFromContent(root);
  if (byContent) return { ...byContent, source: 'content' };
  const byCli = cliVersion ? generationFromVersion(cliVersion) : undefined;
  if (byCli) return { generation: byCli, source: 'cli', reason: `installed helix CLI reports ${cliVersion!.trim()}` };
  return { generation: DEFAULT_GENERATION, source: 'default', reason: 'no generation-specific keys and no helix CLI found: newest generation assumed' };
}

/**
 * Runs `helix --version` (argument array, no shell, hard timeout). Resolves undefined when the CLI is missing,
 * fails or is slow: a missing CLI is a normal state. Callers must only do this in a trusted workspace.
 */
export function probeHelixVersion(helixPath = 'helix', timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      execFile(helixPath, ['--version'], { timeout: timeoutMs, windowsHide: true, shell: false }, (err, stdout) => {
        resolve(err ? undefined : String(stdout).trim() || undefined);
      });
    } catch {
      resolve(undefined);
    }
  });
}
