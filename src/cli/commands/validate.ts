import { messageOf } from '../../core/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliCommand } from './types';
import { validateConfig, kindOf, type ValidationResult } from '../../core/config/validate';
import { findConfigs } from '../../core/config/discover';
import { LineIndex } from '../../core/config/text';
import {
  DEFAULT_GENERATION,
  GENERATIONS,
  probeHelixVersion,
  type GenerationSetting,
} from '../../core/config/generation';
import type { ConfigDiagnostic, ConfigKind } from '../../core/config/types';
import type { Generation } from '../../core/model/types';

// `helix-deploy validate [PATH...] [--json]`: the editor's diagnostics, for CI. Exit 1 when any error.

const HELP = `Usage: helix-deploy validate [PATH...] [--json] [--generation auto|v2|v3.0|v3.1|v3-1025|v3.4]

Checks helix.toml and helix.deploy.toml files: TOML syntax, the JSON Schema of the helix CLI generation,
and the CLI's own rules. PATH is a file or a folder (searched for helix.toml / helix.deploy.toml);
default: the current folder.

Options:
  --json              print one JSON object {files: [{file, kind, generation, diagnostics: [...]}],
                      unreadable: [{path, message}]} (folders the search could not read)
  --generation GEN    validate helix.toml for this CLI generation: v2 (CLI 2.x), v3.0, v3.1, v3-1025 (the
                      releases after HelixDB #1025, before 3.4.0) or v3.4 (default auto: \`helix --version\`
                      if the helix CLI is on PATH, then the file's content, then the newest)
  -h, --help          show this help

A file named on the command line must hold something to check: an empty one is an error; another tool's
helix.toml (no [project] table) is skipped with a note on stderr. A folder that cannot be read during the search is reported (a warning; its files are not checked).

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error or nothing to validate.`;

export interface JsonDiagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
  code: string;
}

/** A folder the search could not read: reported, never skipped silently. */
export interface Unreadable {
  path: string;
  message: string;
}

export interface JsonFile {
  file: string;
  kind: ConfigKind;
  generation: Generation;
  diagnostics: JsonDiagnostic[];
}

export const validate: CliCommand = {
  name: 'validate',
  summary: 'Check helix.toml / helix.deploy.toml files (syntax, schema, CLI rules)',
  async run(argv) {
    let json = false;
    let generation: GenerationSetting = 'auto';
    const paths: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === '--json') json = true;
      else if (a === '-h' || a === '--help') {
        process.stdout.write(HELP + '\n');
        return 0;
      } else if (a === '--generation' || a.startsWith('--generation=')) {
        const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
        if (v !== 'auto' && v !== 'v3.2' && !GENERATIONS.includes(v as Generation))
          return usageError(`--generation must be auto, ${GENERATIONS.join(', ')} (got ${v ?? 'nothing'})`);
        generation = v as GenerationSetting;
      } else if (a.startsWith('-') && a !== '-') return usageError(`unknown option '${a}'`);
      else paths.push(a);
    }
    if (paths.length === 0) paths.push('.');

    const files: string[] = [];
    const explicit = new Set<string>();
    const unreadable: Unreadable[] = [];
    for (const p of paths) {
      const abs = path.resolve(p);
      let st: fs.Stats;
      try {
        st = fs.statSync(abs);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        return usageError(
          code === 'ENOENT' || code === 'ENOTDIR'
            ? `no such file or folder: ${p}`
            : `cannot access ${p}: ${fsError(e)}`,
        );
      }
      if (st.isDirectory()) files.push(...findConfigFiles(abs, unreadable));
      else {
        files.push(abs);
        explicit.add(abs);
      }
    }
    const unique = [...new Set(files)];
    for (const u of unreadable) process.stderr.write(`helix-deploy validate: warning: ${u.message}\n`);
    if (unique.length === 0) {
      if (json) process.stdout.write(JSON.stringify({ files: [], unreadable }) + '\n');
      process.stderr.write(`helix-deploy validate: no helix.toml or helix.deploy.toml found in ${paths.join(', ')}\n`);
      return 2;
    }

    let cliVersion: string | undefined;
    let probed = false;
    const cli = async () => {
      if (!probed && generation === 'auto') {
        probed = true;
        cliVersion = await probeHelixVersion(process.env.HELIX_DEPLOY_HELIX_PATH || 'helix', 3000);
      }
      return cliVersion;
    };

    const out: JsonFile[] = [];
    for (const abs of unique) {
      const r = await checkFile(abs, explicit.has(abs), generation, cli);
      // Another tool's helix.toml gets no diagnostic (an editor running this through a problem matcher
      // must not mark it); naming it explicitly earns a note on stderr saying why it was skipped.
      if (r === 'foreign') {
        if (explicit.has(abs))
          process.stderr.write(
            `helix-deploy validate: skipped ${display(abs)}: not a HelixDB project file (no [project] table)\n`,
          );
      } else out.push(r);
    }
    const errors = out.reduce((n, f) => n + f.diagnostics.filter((d) => d.severity === 'error').length, 0);
    const warnings = out.reduce((n, f) => n + f.diagnostics.filter((d) => d.severity === 'warning').length, 0);
    if (json) process.stdout.write(JSON.stringify({ files: out, unreadable }, null, 2) + '\n');
    else {
      for (const f of out)
        for (const d of f.diagnostics)
          process.stdout.write(`${f.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.code}]\n`);
      const n = out.length;
      process.stdout.write(
        `${n} file${n === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`,
      );
    }
    return errors > 0 ? 1 : 0;
  },
};

function usageError(msg: string): number {
  process.stderr.write(`helix-deploy validate: ${msg}\nRun 'helix-deploy validate --help' for usage.\n`);
  return 2;
}

/** helix.toml / helix.deploy.toml files under `dir`; folders that cannot be read are added to `unreadable`. */
function findConfigFiles(dir: string, unreadable: Unreadable[]): string[] {
  return findConfigs(dir, {
    // A config in there would go unchecked: the user must hear of it, and CI must see it in --json.
    onUnreadable: (d, e) =>
      unreadable.push({
        path: display(d),
        message: `cannot read folder ${display(d)}: ${fsError(e)}; files in it were not checked`,
      }),
  }).files;
}

function display(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/** An fs error as `CODE (what it means)`, without Node's own message (it repeats the syscall and path). */
function fsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  const what: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'it is a folder',
    ENOTDIR: 'not a folder',
    ELOOP: 'too many symbolic links',
    EMFILE: 'too many open files',
    EIO: 'input/output error',
  };
  return code ? `${code}${what[code] ? ` (${what[code]})` : ''}` : messageOf(e);
}

function readText(abs: string): { text?: string; problem?: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(abs);
  } catch (e) {
    return { problem: `cannot read ${display(abs)}: ${fsError(e)}` };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { problem: 'the file is not valid UTF-8: TOML files must be UTF-8 encoded; re-save it as UTF-8' };
  }
}

async function checkFile(
  abs: string,
  explicit: boolean,
  generation: GenerationSetting,
  cli: () => Promise<string | undefined>,
): Promise<JsonFile | 'foreign'> {
  const file = display(abs);
  const kind = kindOf(abs);
  const { text, problem } = readText(abs);
  const single = (
    severity: JsonDiagnostic['severity'],
    message: string,
    code: string,
    gen: Generation = DEFAULT_GENERATION,
  ): JsonFile => ({
    file,
    kind,
    generation: gen,
    diagnostics: [{ line: 1, column: 1, endLine: 1, endColumn: 1, severity, message, code }],
  });
  if (text === undefined) return single('error', problem!, 'io');

  let helixText: string | undefined;
  if (kind === 'deploy') helixText = readText(path.join(path.dirname(abs), 'helix.toml')).text;
  const source = kind === 'deploy' ? helixText : text;
  // The installed CLI decides first (asked once per run); an explicit --generation wins over everything.
  const pinned = generation !== 'auto';
  const cliVersion = pinned ? undefined : await cli();
  const res: ValidationResult = validateConfig(text, {
    kind,
    file,
    generation,
    pinGeneration: pinned,
    cliVersion,
    helixText,
    folderName: path.basename(path.dirname(abs)),
    dir: path.dirname(abs),
  });
  const genInfo =
    kind === 'helix' || source === undefined
      ? res.generation
      : validateConfig(source, { kind: 'helix', generation, pinGeneration: pinned, cliVersion }).generation;
  // A file named on the command line was meant to be checked: an empty one is an error, not a pass.
  const empty = !res.tree || res.tree.entries!.size > 0 ? false : !res.diagnostics.some((d) => d.severity === 'error');
  if (!res.applies) {
    if (!explicit || !empty) return 'foreign'; // another tool's helix.toml: no diagnostic (a note on stderr when named)
    return single(
      'error',
      'not a HelixDB project file (the file is empty): nothing was validated; a helix.toml starts with [project] and name = "..." (`helix init` writes one)',
      'not-helix',
      genInfo.generation,
    );
  }
  if (explicit && empty && kind === 'deploy') {
    return {
      file,
      kind,
      generation: genInfo.generation,
      diagnostics: [
        {
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 1,
          severity: 'error',
          message:
            'the file is empty: nothing was validated; a helix.deploy.toml declares environments, e.g. [environments.staging]',
          code: 'empty-file',
        },
      ],
    };
  }
  return { file, kind, generation: genInfo.generation, diagnostics: toJson(text, res.diagnostics) };
}

export function toJson(text: string, diags: ConfigDiagnostic[]): JsonDiagnostic[] {
  const li = new LineIndex(text);
  return diags.map((d) => {
    const s = li.position(d.start);
    const e = li.position(d.end);
    return {
      line: s.line + 1,
      column: s.character + 1,
      endLine: e.line + 1,
      endColumn: e.character + 1,
      severity: d.severity,
      message: d.message,
      code: d.code,
    };
  });
}
