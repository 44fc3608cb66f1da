// The product's vocabulary: project, environment, deployment, run.
// Plain data, shared by core, providers, the VS Code layer, the webview and the CLI.

/**
 * The helix CLI generation a helix.toml is written for: CLI 2.x, 3.0, 3.1, the releases after the Helix Cloud
 * move (upstream PR 1025, hence `v3-1025`) and before 3.4.0, and 3.4 (src/core/config/generation.ts holds the table).
 */
export type Generation = 'v2' | 'v3.0' | 'v3.1' | 'v3-1025' | 'v3.4';

/** How an environment is provided. `local` = Docker on this machine. */
export type EnvironmentKind =
  'local' | 'enterprise' | 'helix-cloud' | 'fly' | 'ecr' | 'terraform' | 'pulumi' | 'kubernetes' | 'registry';

/** A zero-based text range inside a file (UTF-16 offsets and line/character positions). */
export interface TextRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/** A named place a project runs: one `[local.<n>]`, `[enterprise.<n>]`, `[cloud.<n>.<p>]` or deploy environment. */
export interface Environment {
  /** Instance / environment name: the table key (`[local.dev]` -> `dev`). */
  name: string;
  kind: EnvironmentKind;
  /** Which file declares it. */
  source: 'helix.toml' | 'helix.deploy.toml';
  /** Where the declaring table header sits, for "reveal in file". */
  range?: TextRange;
  /** Local: host port (defaults applied per generation). */
  port?: number;
  /** Local: image and tag the CLI would run (v3), or the image it builds (v2). */
  image?: string;
  tag?: string;
  /** Free-form target shown in the tree: registry URL, cluster id, kube context, terraform dir... */
  target?: string;
  /** helix.deploy.toml: requires typed confirmation before apply/destroy. */
  protected?: boolean;
  /** Raw table as parsed, for providers that need more keys. */
  settings: Record<string, unknown>;
  /** Local: Helix Deploy's own settings, `[instances.<name>]` of helix.deploy.toml (read with ownSetting). */
  own?: Record<string, unknown>;
}

export interface Project {
  /** `[project].name` */
  name: string;
  /** Absolute path of the folder holding helix.toml. */
  dir: string;
  /** Absolute path of helix.toml. */
  configFile: string;
  generation: Generation;
  containerRuntime: 'docker' | 'podman';
  environments: Environment[];
  /** Number of error diagnostics in helix.toml / helix.deploy.toml (the tree shows a badge). */
  errorCount: number;
}

/**
 * Container name the helix CLI uses for a local instance, and the base of its network, volume and sidecar names:
 * `helix-<project>-<instance>`, where every character outside `[A-Za-z0-9_.-]` becomes `-` and, when anything was
 * replaced, `-<hash of the unreplaced name>` is appended so "a b" and "a-b" stay distinct. Docker refuses other
 * characters, so names without them are the same in every CLI release.
 */
export function containerName(project: string, instance: string): string {
  const name = `helix-${project}-${instance}`;
  let safe = '';
  // Per code point, as Rust's chars(): one `-` for "é" and one for an emoji.
  for (const ch of name) safe += /^[A-Za-z0-9_.-]$/.test(ch) ? ch : '-';
  return safe === name ? name : `${safe}-${cliNameHash(name)}`;
}

/**
 * The CLI's `fnv1a32`: 64-bit FNV-1a over the UTF-8 bytes, truncated to its low 32 bits (the Rust code folds with
 * the 64-bit offset basis and prime, then casts `as u32`), as 8 lowercase hex digits.
 */
export function cliNameHash(value: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(value)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return (h & 0xffffffffn).toString(16).padStart(8, '0');
}
