import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliCommand } from './types';
import { validateConfig, kindOf, type ValidationResult } from '../../core/config/validate';
import { LineIndex } from '../../core/config/text';
import { GENERATIONS, probeHelixVersion, type GenerationSetting } from '../../core/config/generation';
import type { ConfigDiagnostic, ConfigKind } from '../../core/config/types';
import type { Generation } from '../../core/model/types';

// `helix-deploy validate [PATH...] [--json]`: the editor's diagnostics, for CI. Exit 1 when any error.

const HELP = `Usage: helix-deploy validate [PATH...] [--json] [--generation auto|v2|v3.1|v3.2]

Checks helix.toml and helix.deploy.toml files: TOML syntax, the JSON Schema of the helix CLI generation,
and the CLI's own rules. PATH is a file or a folder (searched for helix.toml / helix.deploy.toml);
default: the current folder.

Options:
  --json              print one JSON object {files: [{file, kind, generation, diagnostics: [...]}]}
  --generation GEN    validate helix.toml as written for this CLI generation (default auto: by content,
                      then \`helix --version\` if the helix CLI is on PATH, then the newest)
  -h, --help          show this help

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error or nothing to validate.`;

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', 'target', '.helix']);
const NAMES = new Set(['helix.toml', 'helix.deploy.toml']);

export interface JsonDiagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
  code: string;
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
        if (v !== 'auto' && !GENERATIONS.includes(v as Generation)) return usageError(`--generation must be auto, ${GENERATIONS.join(', ')} (got ${v ?? 'nothing'})`);
        generation = v as GenerationSetting;
      } else if (a.startsWith('-') && a !== '-') return usageError(`unknown option '${a}'`);
      else paths.push(a);
    }
    if (paths.length === 0) paths.push('.');

    const files: string[] = [];
    const explicit = new Set<string>();
    for (const p of paths) {
      const abs = path.resolve(p);
      let st: fs.Stats;
      try {
        st = fs.statSync(abs);
      } catch {
        return usageError(`no such file or folder: ${p}`);
      }
      if (st.isDirectory()) files.push(...findConfigs(abs));
      else {
        files.push(abs);
        explicit.add(abs);
      }
    }
    const unique = [...new Set(files)];
    if (unique.length === 0) {
      if (json) process.stdout.write(JSON.stringify({ files: [] }) + '\n');
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
      if (r) out.push(r);
    }
    const errors = out.reduce((n, f) => n + f.diagnostics.filter((d) => d.severity === 'error').length, 0);
    const warnings = out.reduce((n, f) => n + f.diagnostics.filter((d) => d.severity === 'warning').length, 0);
    if (json) process.stdout.write(JSON.stringify({ files: out }, null, 2) + '\n');
    else {
      for (const f of out) for (const d of f.diagnostics) process.stdout.write(`${f.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.code}]\n`);
      const n = out.length;
      process.stdout.write(`${n} file${n === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
    }
    return errors > 0 ? 1 : 0;
  },
};

function usageError(msg: string): number {
  process.stderr.write(`helix-deploy validate: ${msg}\nRun 'helix-deploy validate --help' for usage.\n`);
  return 2;
}

export function findConfigs(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return; // unreadable folder: nothing to validate there
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(path.join(d, e.name));
      } else if (NAMES.has(e.name)) found.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return found;
}

function display(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

function readText(abs: string): { text?: string; problem?: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(abs);
  } catch (e) {
    return { problem: `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { problem: 'the file is not valid UTF-8: TOML files must be UTF-8 encoded; re-save it as UTF-8' };
  }
}

async function checkFile(abs: string, explicit: boolean, generation: GenerationSetting, cli: () => Promise<string | undefined>): Promise<JsonFile | undefined> {
  const file = display(abs);
  const kind = kindOf(abs);
  const { text, problem } = readText(abs);
  const single = (severity: JsonDiagnostic['severity'], message: string, code: string, gen: Generation = 'v3.2'): JsonFile => ({
    file, kind, generation: gen, diagnostics: [{ line: 1, column: 1, endLine: 1, endColumn: 1, severity, message, code }],
  });
  if (text === undefined) return single('error', problem!, 'io');

  let helixText: string | undefined;
  if (kind === 'deploy') helixText = readText(path.join(path.dirname(abs), 'helix.toml')).text;
  const source = kind === 'deploy' ? helixText : text;
  // Only ask the helix CLI when the content does not decide (and only once per run).
  let res: ValidationResult = validateConfig(text, { kind, file, generation, helixText, folderName: path.basename(path.dirname(abs)), dir: path.dirname(abs) });
  let genInfo = kind === 'helix' ? res.generation : source !== undefined ? validateConfig(source, { kind: 'helix', generation }).generation : res.generation;
  if (generation === 'auto' && genInfo.source === 'default') {
    const v = await cli();
    if (v) {
      if (kind === 'helix') res = validateConfig(text, { kind, file, generation, helixText, cliVersion: v, folderName: path.basename(path.dirname(abs)) });
      genInfo = kind === 'helix' ? res.generation : validateConfig(source ?? '', { kind: 'helix', generation, cliVersion: v }).generation;
    }
  }
  if (!res.applies) {
    if (!explicit) return undefined; // another tool's helix.toml found while searching: not ours
    return single('info', 'not a HelixDB project file (no [project] table): not validated', 'not-helix', genInfo.generation);
  }
  return { file, kind, generation: genInfo.generation, diagnostics: toJson(text, res.diagnostics) };
}

export function toJson(text: string, diags: ConfigDiagnostic[]): JsonDiagnostic[] {
  const li = new LineIndex(text);
  return diags.map((d) => {
    const s = li.position(d.start);
    const e = li.position(d.end);
    return { line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1, severity: d.severity, message: d.message, code: d.code };
  });
}
