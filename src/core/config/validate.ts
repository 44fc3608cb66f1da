import { messageOf } from '../errors';
import type { AST } from 'toml-eslint-parser';
import { parseToml } from './parse';
import { buildTree, DepthError, type ConfigNode } from './tree';
import { checkSchema } from './schema-check';
import { schemaFor } from './schema';
import {
  family,
  generationFromContent,
  generationLabel,
  resolveGeneration,
  type GenerationSetting,
} from './generation';
import { helixRules, instancesOf } from './rules-helix';
import { deployRules } from './rules-deploy';
import { OWN_KEY_CODE } from './own-keys';
import type { ConfigDiagnostic, ConfigKind, GenerationInfo } from './types';

// One entry point for the editor, the CLI and readProject: parse -> tree -> generation -> schema -> CLI rules.

export interface ValidateOptions {
  /** Default: from the file name (helix.deploy.toml -> deploy). */
  kind?: ConfigKind;
  /** The file as named in messages (the CLI uses the path relative to the working folder). */
  file?: string;
  generation?: GenerationSetting;
  /** The `generation` wins over the installed CLI and the content (the headless CLI's `--generation`). */
  pinGeneration?: boolean;
  /** Output of `helix --version`, when known. */
  cliVersion?: string;
  /** For a deploy file: the sibling helix.toml, to check `instance` references. */
  helixText?: string;
  /** The same, already parsed (null: it does not parse); spares parsing it twice when the caller has it. */
  helixTree?: ConfigNode | null;
  /** Folder holding the file, offered as project name when [project].name is blank. */
  folderName?: string;
  /** Absolute folder holding the file, when known (deploy files: names a resolved dir outside it). */
  dir?: string;
}

export interface ValidationResult {
  kind: ConfigKind;
  /** False for a helix.toml that is not HelixDB's (no [project]): it gets no diagnostics. */
  applies: boolean;
  generation: GenerationInfo;
  diagnostics: ConfigDiagnostic[];
  ast?: AST.TOMLProgram;
  tree?: ConfigNode;
}

export function kindOf(file: string): ConfigKind {
  return /(^|[\\/])helix\.deploy\.toml$/i.test(file) ? 'deploy' : 'helix';
}

/** Cheap text test used while the file does not parse: does it try to be a HelixDB project? */
const PROJECT_HEADER = /^[ \t]*\[[ \t]*project[ \t]*\]/m;

export interface ParsedConfig {
  /** toml-eslint-parser's AST, for callers that need more than the tree. */
  ast?: AST.TOMLProgram;
  tree?: ConfigNode;
  error?: ConfigDiagnostic;
}

export function parseConfig(text: string): ParsedConfig {
  const parsed = parseToml(text);
  if (!parsed.ast) return { error: parsed.error };
  try {
    return { ast: parsed.ast, tree: buildTree(parsed.ast.body[0].body) };
  } catch (e) {
    if (e instanceof DepthError)
      return { error: { ...e.range, severity: 'error', code: 'toml-limit', message: e.message } };
    const message =
      e instanceof RangeError
        ? `the file is nested too deeply: ${e.message}`
        : `could not read the file: ${messageOf(e)}`;
    return { error: { start: 0, end: 0, severity: 'error', code: 'toml-syntax', message } };
  }
}

export function validateConfig(text: string, o: ValidateOptions = {}): ValidationResult {
  const file = o.file ?? (o.kind === 'deploy' ? 'helix.deploy.toml' : 'helix.toml');
  const kind = o.kind ?? kindOf(file);
  const parsed = parseConfig(text);
  const { tree, error } = parsed;
  const applies =
    kind === 'deploy' || (tree ? tree.entries!.get('project')?.kind === 'table' : PROJECT_HEADER.test(text));
  const generation = resolveGeneration(o.generation ?? 'auto', tree, o.cliVersion, o.pinGeneration);
  const result: ValidationResult = {
    kind,
    applies,
    generation,
    diagnostics: [],
    tree,
    ast: parsed.ast,
  };
  if (!applies) return result;
  if (error || !tree) {
    result.diagnostics = error ? [error] : [];
    return result;
  }
  if (kind === 'deploy') {
    const schemaDiags = checkSchema(tree, schemaFor('deploy'), { text, ignoredUnknownNote: '' });
    result.diagnostics = sort([
      ...schemaDiags,
      ...deployRules(tree, {
        file,
        dir: o.dir,
        instances: siblingInstances(o),
      }),
    ]);
    return result;
  }
  const gen = generation.generation;
  const schemaDiags = checkSchema(tree, schemaFor(gen), {
    text,
    ignoredUnknownNote: `is ignored by helix ${generationLabel(gen)}`,
  });
  const ruleDiags = helixRules(tree, {
    text,
    generation: gen,
    release: generation.release,
    file,
    folderName: o.folderName,
  });
  // Where the CLI has its own message for a value, it replaces the schema's generic one.
  const ruled = new Set(ruleDiags.filter((d) => d.code === 's3-endpoint' || d.code === 'database').map((d) => d.start));
  const own = new Set(ruleDiags.filter((d) => d.code === OWN_KEY_CODE).map((d) => d.start));
  const merged = schemaDiags
    .filter((d) => !(d.code === 'pattern' && ruled.has(d.start)) && !(d.code === 'unknown-key' && own.has(d.start)))
    .map((d) => debugBuildMode(d, text, file));
  result.diagnostics = sort([...merged, ...ruleDiags, ...generationMismatch(tree, generation)]);
  return result;
}

/**
 * The installed CLI decides the generation; when the content is written for another way of writing
 * helix.toml, say so once on [project] (the schema's errors below are what that CLI would say).
 */
function generationMismatch(tree: ConfigNode, info: ValidationResult['generation']): ConfigDiagnostic[] {
  if (info.source !== 'cli') return [];
  const written = generationFromContent(tree);
  if (!written || family(written.generation) === family(info.generation)) return [];
  const project = tree.entries!.get('project');
  const range = project?.range ?? { start: 0, end: 0 };
  const installed = generationLabel(info.generation);
  const effect = family(info.generation) === 'database' ? 'rejects' : 'ignores or rejects';
  return [
    {
      ...range,
      severity: 'warning',
      code: 'generation-mismatch',
      message: `this file is written for helix ${generationLabel(written.generation)} (${written.reason}), but the installed helix CLI (${info.reason.replace(/^installed helix CLI reports /, '')}) is ${installed}, which ${effect} parts of it: update the file for ${installed}, or install the helix CLI the file is written for`,
    },
  ];
}

/** v2 accepts `build_mode = "debug"` when parsing, then refuses it with this message. */
function debugBuildMode(d: ConfigDiagnostic, text: string, file: string): ConfigDiagnostic {
  if (d.code !== 'enum' || text.slice(d.start, d.end).replace(/['"]/g, '') !== 'debug') return d;
  const key = /build_mode\s*=\s*$/.test(text.slice(Math.max(0, d.start - 40), d.start));
  if (!key) return d;
  return {
    ...d,
    code: 'build-mode-debug',
    message: `\`build_mode = "debug"\` is removed in favour of dev mode. Please update to \`build_mode = "dev"\` in ${file}`,
    fixes: d.fixes?.filter((f) => f.title.includes('"dev"')),
  };
}

/** Instance names of a helix.toml (any generation), or undefined when it does not parse. */
export function instanceNames(helixText: string): string[] | undefined {
  const { tree } = parseConfig(helixText);
  return tree ? instancesOf(tree, 'v2').map((i) => i.name) : undefined;
}

function siblingInstances(o: ValidateOptions): string[] | undefined {
  if (o.helixTree !== undefined) return o.helixTree ? instancesOf(o.helixTree, 'v2').map((i) => i.name) : undefined;
  return o.helixText !== undefined ? instanceNames(o.helixText) : undefined;
}

function sort(d: ConfigDiagnostic[]): ConfigDiagnostic[] {
  return d.sort((a, b) => a.start - b.start || a.end - b.end);
}
