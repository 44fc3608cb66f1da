import type { Generation } from '../model/types';

// Diagnostics and fixes in plain offsets, so core stays editor-agnostic: the VS Code layer maps offsets with
// TextDocument.positionAt, the CLI with LineIndex. Offsets are UTF-16 code units, as in JS strings and VS Code.

export type Severity = 'error' | 'warning' | 'info';
export type ConfigKind = 'helix' | 'deploy';

export interface OffsetRange {
  start: number;
  end: number;
}

export interface TextEditSpec extends OffsetRange {
  newText: string;
}

/** A quick fix: a minimal set of text edits, never a rewrite of the file (comments and order survive). */
export interface ConfigFix {
  title: string;
  edits: TextEditSpec[];
  preferred?: boolean;
  /** Also edits helix.deploy.toml: computed when applied, from its text then (own-keys.ts moveOwnKeyEdits). */
  move?: { instance: string; key: string };
}

export interface ConfigDiagnostic extends OffsetRange {
  severity: Severity;
  message: string;
  /** Stable rule id, e.g. `toml-syntax`, `unknown-key`, `enum`, `s3-missing`. */
  code: string;
  fixes?: ConfigFix[];
}

export interface GenerationInfo {
  generation: Generation;
  /** Why this generation: the user's setting, the file's content, the installed CLI, or the default. */
  source: 'setting' | 'content' | 'cli' | 'default';
  reason: string;
  /** The CLI version whose defaults and release-bound rules apply (the newest known when not probed). */
  release: string;
  /** Shown to the user: the version is not a known release, or an old setting value was read. */
  note?: string;
}
