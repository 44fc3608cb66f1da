import { execFile } from 'node:child_process';
import type { Generation } from '../model/types';
import { assertTrusted } from '../trust/gate';
import type { ConfigNode } from './tree';
import type { GenerationInfo } from './types';

// The helix CLI generations that read helix.toml differently, keyed by the real releases (the table in
// docs/helix-cli-compat.md). Detection order: the installed CLI (`helix --version`), then decisive content, then the
// user's setting, then the newest generation. No 3.2.x or 3.3.x release exists: such a version is read by
// the rule for the releases between 3.1.2 and 3.4.0 (the format after the Helix Cloud move), with a note.

/** `v3.2` is the setting's old name for the newest format; it is read as v3.4. */
export type GenerationSetting = 'auto' | Generation | 'v3.2';

/** Defaults of `[local.<name>]` from one release on (until the next row). */
export interface ReleaseDefaults {
  from: string;
  port: number;
  image: string;
  tag: string;
}

export interface GenerationSpec {
  id: Generation;
  /** What the UI shows: the real versions. */
  label: string;
  /** The releases it covers, for descriptions. */
  versions: string;
  /** Oldest first. v2 builds its own image: `image`/`tag` there name the build (`helix-<p>-<i>:dev`). */
  releases: readonly ReleaseDefaults[];
  /** `[local.<n>] storage` values; empty for v2 (no storage key). */
  storage: readonly ('memory' | 'disk' | 's3')[];
  /** `[local.<n>] pull = "always" | "missing" | "never"`. */
  pull: boolean;
  /** `tag = "sha256:<64 hex>"`. */
  digestTags: boolean;
  /** serde deny_unknown_fields at the top level, in [project] and [enterprise.*] ([local.*] never). */
  strict: boolean;
  /** Instance names outside [A-Za-z0-9_-]: the CLI refuses to load the file (else only a warning of ours). */
  nameCharsetEnforced: boolean;
  /** Longest instance name the CLI loads, from `sinceRelease` on. */
  maxNameLength?: { max: number; since: string };
  /** How Helix Cloud appears: v2 `[cloud.<n>.helix]`, `[enterprise.<n>] cluster_id`, or `database`. */
  cloud: 'cloud-v2' | 'cluster' | 'database';
  /** Whether the CLI deploys a Helix Cloud instance (`helix push`); after the Helix Cloud move the control plane does. */
  cloudDeploy: boolean;
}

const HELIXDB = 'ghcr.io/helixdb/helixdb';

export const GENERATION_TABLE: Readonly<Record<Generation, GenerationSpec>> = {
  v2: {
    id: 'v2',
    label: 'CLI 2.x',
    versions: '2.0.0-2.3.5',
    releases: [{ from: '2.0.0', port: 6969, image: '', tag: 'dev' }],
    storage: [],
    pull: false,
    digestTags: false,
    strict: false,
    nameCharsetEnforced: false,
    cloud: 'cloud-v2',
    cloudDeploy: true,
  },
  'v3.0': {
    id: 'v3.0',
    label: 'CLI 3.0',
    versions: '3.0.0-3.0.8',
    releases: [
      { from: '3.0.0', port: 8080, image: 'ghcr.io/helixdb/enterprise-dev', tag: 'latest' },
      { from: '3.0.8', port: 6969, image: 'ghcr.io/helixdb/enterprise-dev', tag: 'latest' },
    ],
    storage: ['memory', 'disk'],
    pull: false,
    digestTags: false,
    strict: false,
    nameCharsetEnforced: false,
    cloud: 'cluster',
    cloudDeploy: true,
  },
  'v3.1': {
    id: 'v3.1',
    label: 'CLI 3.1',
    versions: '3.1.0-3.1.2',
    releases: [
      { from: '3.1.0', port: 6969, image: HELIXDB, tag: 'v0.0.3' },
      { from: '3.1.2', port: 6969, image: HELIXDB, tag: 'v0.0.4' },
    ],
    storage: ['memory', 'disk', 's3'],
    pull: false,
    digestTags: false,
    strict: false,
    nameCharsetEnforced: false,
    cloud: 'cluster',
    cloudDeploy: true,
  },
  // The first release number after the Helix Cloud move is not known; its docs show tag v0.0.5.
  'v3-1025': {
    id: 'v3-1025',
    label: 'CLI 3.x after #1025',
    versions: 'the releases after 3.1.2 and before 3.4.0',
    releases: [{ from: '3.1.3', port: 6969, image: HELIXDB, tag: 'v0.0.5' }],
    storage: ['memory', 'disk', 's3'],
    pull: true,
    digestTags: true,
    strict: true,
    nameCharsetEnforced: true,
    cloud: 'database',
    cloudDeploy: false,
  },
  'v3.4': {
    id: 'v3.4',
    label: 'CLI 3.4',
    versions: '3.4.0-3.4.4',
    releases: [
      { from: '3.4.0', port: 6969, image: HELIXDB, tag: 'v0.0.7' },
      { from: '3.4.1', port: 6969, image: HELIXDB, tag: 'v0.0.8' },
      { from: '3.4.2', port: 6969, image: HELIXDB, tag: 'v0.0.9' },
      { from: '3.4.4', port: 6969, image: HELIXDB, tag: 'v0.0.11' },
    ],
    storage: ['memory', 'disk', 's3'],
    pull: true,
    digestTags: true,
    strict: true,
    nameCharsetEnforced: true,
    maxNameLength: { max: 32, since: '3.4.4' },
    cloud: 'database',
    cloudDeploy: false,
  },
};

export const GENERATIONS: readonly Generation[] = ['v2', 'v3.0', 'v3.1', 'v3-1025', 'v3.4'];
export const DEFAULT_GENERATION: Generation = 'v3.4';

export function specOf(gen: Generation): GenerationSpec {
  return GENERATION_TABLE[gen];
}

/** "CLI 3.4" */
export function generationLabel(gen: Generation): string {
  return GENERATION_TABLE[gen].label;
}

/** The newest release a generation is known by (whose defaults apply when the exact version is unknown). */
export function newestRelease(gen: Generation): string {
  const r = GENERATION_TABLE[gen].releases;
  return r[r.length - 1].from;
}

type Triple = [number, number, number];
function triple(v: string): Triple | undefined {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}
export function compareVersions(a: string, b: string): number {
  const x = triple(a) ?? [0, 0, 0];
  const y = triple(b) ?? [0, 0, 0];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** `[local.<n>]` defaults of a generation at a release (the newest known release when omitted). */
export function defaultsFor(gen: Generation, release?: string): ReleaseDefaults {
  const rows = GENERATION_TABLE[gen].releases;
  if (!release) return rows[rows.length - 1];
  let pick = rows[0];
  for (const r of rows) if (compareVersions(r.from, release) <= 0) pick = r;
  return pick;
}

/** Is a release-dependent rule (like the 32-character name limit) in force at this release? */
export function atLeast(release: string | undefined, since: string): boolean {
  return !release || compareVersions(release, since) >= 0;
}

export interface VersionMatch {
  generation: Generation;
  /** The version whose defaults apply (the CLI's own, or the newest known when it is newer than all). */
  release: string;
  /** Said to the user when the version is not a known release. */
  note?: string;
}

const NEWEST_KNOWN = '3.4.4';

/** `helix --version` output ("helix 3.4.4", "helix-cli 2.3.5") -> generation and release. */
export function matchVersion(output: string): VersionMatch | undefined {
  const t = triple(output);
  if (!t) return undefined;
  const v = t.join('.');
  const [major, minor] = t;
  if (major < 3)
    return {
      generation: 'v2',
      release: major < 2 ? '2.0.0' : v,
      note: major < 2 ? `helix ${v} predates helix.toml: read as CLI 2.x` : undefined,
    };
  if (major === 3 && minor === 0) return { generation: 'v3.0', release: v };
  if (major === 3 && minor === 1 && compareVersions(v, '3.1.2') <= 0) return { generation: 'v3.1', release: v };
  if (major === 3 && minor < 4) {
    return {
      generation: 'v3-1025',
      release: v,
      note: `helix ${v} is not a known release (3.1.2 was followed by 3.4.0; no 3.2 or 3.3 exists): read by the rules of the releases between them, the format after #1025`,
    };
  }
  if (major === 3 && minor === 4) {
    if (compareVersions(v, NEWEST_KNOWN) <= 0) return { generation: 'v3.4', release: v };
    return {
      generation: 'v3.4',
      release: v,
      note: `helix ${v} is newer than the newest known release (${NEWEST_KNOWN}): read with ${NEWEST_KNOWN}'s rules and defaults`,
    };
  }
  return {
    generation: DEFAULT_GENERATION,
    release: v,
    note: `helix ${v} is newer than any known release: read as the newest known, ${generationLabel(DEFAULT_GENERATION)} (${NEWEST_KNOWN}); some checks may be out of date`,
  };
}

/** `helix --version` output -> generation. */
export function generationFromVersion(output: string): Generation | undefined {
  return matchVersion(output)?.generation;
}

/** Which way of writing helix.toml a generation shares with others (content cannot tell 3.0 from 3.1). */
export function family(gen: Generation): 'v2' | 'cluster' | 'database' {
  const c = GENERATION_TABLE[gen].cloud;
  return c === 'cloud-v2' ? 'v2' : c;
}

const V2_INSTANCE_KEYS = [
  'build_mode',
  'vector_config',
  'graph_config',
  'mcp',
  'bm25',
  'embedding_model',
  'graphvis_node_label',
];
const CLUSTER_ENTERPRISE_KEYS = [
  'cluster_id',
  'gateway_url',
  'query_auth_header',
  'query_auth_env',
  'availability_mode',
  'gateway_node_type',
  'db_node_type',
  'min_instances',
  'max_instances',
];

/** Generation implied by the file's content, with the evidence; undefined when the content fits several. */
export function generationFromContent(
  root: ConfigNode | undefined,
): { generation: Generation; reason: string } | undefined {
  if (!root?.entries) return undefined;
  if (root.entries.has('cloud')) return { generation: 'v2', reason: 'has a [cloud] table (CLI 2.x)' };
  const tables = (name: string) => [...(root.entries!.get(name)?.entries?.entries() ?? [])];
  for (const [n, inst] of [...tables('local'), ...tables('enterprise')]) {
    const k = V2_INSTANCE_KEYS.find((key) => inst.entries?.has(key));
    if (k) return { generation: 'v2', reason: `instance '${n}' has \`${k}\` (CLI 2.x)` };
  }
  for (const [n, inst] of tables('enterprise')) {
    // `database` exists only after the Helix Cloud move; the newest of those releases is assumed.
    if (inst.entries?.has('database'))
      return { generation: 'v3.4', reason: `[enterprise.${n}] has \`database\` (CLI 3.x after #1025)` };
    const k = CLUSTER_ENTERPRISE_KEYS.find((key) => inst.entries?.has(key));
    if (k) return { generation: 'v3.1', reason: `[enterprise.${n}] has \`${k}\` (CLI 3.0-3.1)` };
  }
  for (const [n, inst] of tables('local')) {
    if (inst.entries?.has('pull'))
      return { generation: 'v3.4', reason: `[local.${n}] has \`pull\` (CLI 3.x after #1104)` };
  }
  // Only [local] v3 keys (image, tag, storage) or nothing specific: valid in several generations alike.
  return undefined;
}

/** How a setting value reads: `v3.2` (the old name of the newest format) is v3.4 with a note. */
function fromSetting(setting: Exclude<GenerationSetting, 'auto'>, by: string): GenerationInfo {
  if (setting === 'v3.2') {
    return {
      generation: 'v3.4',
      source: 'setting',
      reason: `set by ${by} = "v3.2"`,
      release: newestRelease('v3.4'),
      note: `${by} = "v3.2" names no real release (there is no helix 3.2): read as "v3.4"; choose "v3.4" or "v3-1025" to silence this note`,
    };
  }
  return {
    generation: setting,
    source: 'setting',
    reason: `set by ${by} = "${setting}"`,
    release: newestRelease(setting),
  };
}

/**
 * `pinned`: the setting wins over everything (the headless CLI's explicit `--generation`); otherwise it only
 * decides when neither the installed CLI nor the content does.
 */
export function resolveGeneration(
  setting: GenerationSetting,
  root: ConfigNode | undefined,
  cliVersion?: string,
  pinned = false,
): GenerationInfo {
  if (pinned && setting !== 'auto') return fromSetting(setting, '--generation');
  const byCli = cliVersion ? matchVersion(cliVersion) : undefined;
  if (byCli)
    return {
      generation: byCli.generation,
      source: 'cli',
      reason: `installed helix CLI reports ${cliVersion!.trim()}`,
      release: byCli.release,
      ...(byCli.note ? { note: byCli.note } : {}),
    };
  const byContent = generationFromContent(root);
  if (byContent) return { ...byContent, source: 'content', release: newestRelease(byContent.generation) };
  if (setting === 'v3.2' || (setting !== 'auto' && GENERATION_TABLE[setting]))
    return fromSetting(setting as Exclude<GenerationSetting, 'auto'>, 'helixDeploy.cliGeneration');
  return {
    generation: DEFAULT_GENERATION,
    source: 'default',
    reason: `no helix CLI found and no generation-specific keys: the newest known, ${generationLabel(DEFAULT_GENERATION)}, assumed`,
    release: newestRelease(DEFAULT_GENERATION),
  };
}

/**
 * Runs `helix --version` (argument array, no shell, hard timeout). Resolves undefined when the CLI is missing,
 * fails or is slow: a missing CLI is a normal state. Callers must only do this in a trusted workspace.
 */
export function probeHelixVersion(helixPath = 'helix', timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      assertTrusted(`spawn ${helixPath}`);
      execFile(helixPath, ['--version'], { timeout: timeoutMs, windowsHide: true, shell: false }, (err, stdout) => {
        resolve(err ? undefined : String(stdout).trim() || undefined);
      });
    } catch {
      resolve(undefined);
    }
  });
}
