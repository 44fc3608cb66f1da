import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { validateConfig } from '../../src/core/config/validate';
import { diagnosticsDelay } from '../../src/core/config/timing';
import type { BenchResult } from './types';
import { bigHelixToml } from '../support/big-helix-toml';

// helix.toml validation speed. Anchor: Even Better TOML's engine, `@taplo/cli lint`, with the same
// JSON Schema on the same files. taplo only runs as a process (a 35 MB JS+WASM bundle), so the comparison is
// made twice: per file inside one process (taplo's marginal cost per extra file) and end to end (one CLI
// process per run, ours bundled the way it ships).

const ROOT = path.resolve(__dirname, '../..');
const TYPICAL = fs.readFileSync(path.join(ROOT, 'test/fixtures/config/typical/helix.toml'), 'utf8');
const SCHEMA = path.join(ROOT, 'schemas/helix-v3.1.schema.json');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeValidate(text: string, runs: number): number {
  for (let i = 0; i < 5; i++) validateConfig(text); // warm-up (JIT, schema build)
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    const r = validateConfig(text);
    t.push(performance.now() - s);
    if (r.diagnostics.some((d) => d.severity === 'error'))
      throw new Error(`bench file has errors: ${r.diagnostics[0].message}`);
  }
  return median(t);
}

function timeProcess(cmd: string, args: string[], cwd: string, runs: number, okCodes = [0]): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120000 });
    t.push(performance.now() - s);
    if (!okCodes.includes(r.status ?? -1))
      throw new Error(`${path.basename(args[0] ?? cmd)} exited ${r.status}: ${r.stderr || r.stdout}`);
  }
  return median(t);
}

function taploCli(): string | undefined {
  const p = path.join(ROOT, 'node_modules/@taplo/cli/dist/cli.js');
  return fs.existsSync(p) ? p : undefined;
}

export async function run(): Promise<BenchResult[]> {
  const big = bigHelixToml();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hd-config-bench-'));
  try {
    const small = timeValidate(TYPICAL, 200);
    const large = timeValidate(big, 30);
    const out: BenchResult[] = [];

    // Ours as it ships: dist/cli.js from the project's build (its heavy libraries load from dist/vendor on use).
    const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
    const cli = path.join(ROOT, 'dist', 'cli.js');
    const files = { small: path.join(tmp, 'small'), large: path.join(tmp, 'large') };
    fs.mkdirSync(files.small);
    fs.mkdirSync(files.large);
    fs.writeFileSync(path.join(files.small, 'helix.toml'), TYPICAL);
    fs.writeFileSync(path.join(files.large, 'helix.toml'), big);
    const env = { ...process.env };

    const taplo = taploCli();
    let taploNote: string | undefined;
    const taploLint = (dir: string, names: string[]) => [
      'lint',
      '--schema',
      `file://${SCHEMA}`,
      ...names.map((n) => path.join(dir, n)),
    ];
    let taploPerFile: { small: number; large: number } | undefined;
    let taploProc: { small: number; large: number } | undefined;
    if (taplo) {
      try {
        // Marginal cost per file inside one taplo process: lint 1 copy and N copies, divide the difference
        // (taplo's own start-up, ~1-3 s for its 35 MB bundle, cancels out).
        const per = (dir: string, text: string, copies: number, runs: number) => {
          for (let i = 0; i < copies; i++) fs.writeFileSync(path.join(dir, `c${i}.toml`), text);
          timeProcess(process.execPath, [taplo, ...taploLint(dir, ['c0.toml'])], dir, 1); // warm the file cache
          const one = timeProcess(process.execPath, [taplo, ...taploLint(dir, ['c0.toml'])], dir, runs);
          const many = timeProcess(
            process.execPath,
            [
              taplo,
              ...taploLint(
                dir,
                Array.from({ length: copies }, (_, i) => `c${i}.toml`),
              ),
            ],
            dir,
            runs,
          );
          return { one, perFile: (many - one) / (copies - 1) };
        };
        const s = per(files.small, TYPICAL, 201, 3);
        const l = per(files.large, big, 11, 3);
        taploPerFile = { small: s.perFile, large: l.perFile };
        taploProc = { small: s.one, large: l.one };
      } catch (e) {
        taploNote = `taplo failed: ${(e as Error).message.split('\n')[0]}`;
      }
    } else taploNote = '@taplo/cli is not installed (devDependency): anchor left out';

    const ratio = (ours: number, anchor?: number) => (anchor && anchor > 0 ? ours / anchor : undefined);
    out.push({
      name: 'config: validate typical 40-line helix.toml (median, in process)',
      value: small,
      unit: 'ms',
      anchor: taploPerFile ? { name: 'taplo lint, per extra file', value: taploPerFile.small, unit: 'ms' } : undefined,
      ratio: ratio(small, taploPerFile?.small),
      goal: '< 2 ms',
      note: taploNote ?? 'ours: syntax + schema + CLI rules; taplo: syntax + schema',
    });
    out.push({
      name: 'config: validate 5,000-line helix.toml (median, in process)',
      value: large,
      unit: 'ms',
      anchor: taploPerFile ? { name: 'taplo lint, per extra file', value: taploPerFile.large, unit: 'ms' } : undefined,
      ratio: ratio(large, taploPerFile?.large),
      goal: '< 50 ms',
      note:
        taploNote ??
        'toml-eslint-parser builds a token list with locations (most of the time, and GC-sensitive); a real helix.toml is tens of lines',
    });
    const procSmall = timeProcess(process.execPath, [cli, 'validate', files.small], tmp, 7);
    const procLarge = timeProcess(process.execPath, [cli, 'validate', files.large], tmp, 5);
    out.push({
      name: 'config: helix-deploy validate, 40-line file (process)',
      value: procSmall,
      unit: 'ms',
      anchor: taploProc ? { name: 'taplo lint (process)', value: taploProc.small, unit: 'ms' } : undefined,
      ratio: ratio(procSmall, taploProc?.small),
      goal: 'ratio < 1',
      note: taploNote,
    });
    out.push({
      name: 'config: helix-deploy validate, 5,000-line file (process)',
      value: procLarge,
      unit: 'ms',
      anchor: taploProc ? { name: 'taplo lint (process)', value: taploProc.large, unit: 'ms' } : undefined,
      ratio: ratio(procLarge, taploProc?.large),
      goal: 'ratio < 1',
      note: taploNote,
    });

    // Diagnostics latency after the last keystroke = the wait this validation cost sets + validation (the editor
    // adds no other wait of ours; the browser's share is in the workspace benchmark's keystroke figure).
    const wait = diagnosticsDelay(small);
    out.push({
      name: 'config: diagnostics after last keystroke (40 lines)',
      value: wait + small,
      unit: 'ms',
      ratio: (wait + small) / 150,
      goal: '< 150 ms (ratio to budget < 1)',
      note: `wait ${wait} ms + median validation`,
    });

    // Activation cost of the language features' core: load the bundled config module and validate once, in a
    // fresh process (cold JIT, schemas built), minus an empty node start.
    const probe = path.join(tmp, 'activate.js');
    await build({
      stdin: {
        contents: `const t=performance.now();const m=require(${JSON.stringify(path.join(ROOT, 'src/core/config/index.ts'))});m.validateConfig(${JSON.stringify(TYPICAL)});process.stdout.write(String(performance.now()-t));`,
        resolveDir: ROOT,
        loader: 'ts',
      },
      outfile: probe,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'silent',
      mainFields: ['module', 'main'],
    });
    const cold: number[] = [];
    for (let i = 0; i < 7; i++)
      cold.push(Number(spawnSync(process.execPath, [probe], { encoding: 'utf8', env }).stdout));
    const act = median(cold);
    out.push({
      name: 'config: activation (load + first validation, cold process)',
      value: act,
      unit: 'ms',
      ratio: act / 50,
      goal: '< 50 ms (ratio to budget < 1)',
    });
    return out;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
