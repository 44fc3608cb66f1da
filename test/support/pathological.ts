// Inputs that once cost gigabytes, minutes or the stack, and their neighbours. Run by fuzz.test.ts in a child
// process with a capped heap (see runPathological), so that a regression fails one test with the case's name
// instead of taking the whole test process down with it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateConfig } from '../../src/core/config/validate';
import { readProject } from '../../src/core/config/project';
import { parsePlanDocument, PlanFormatError } from '../../src/core/plan/parse';
import { toJSON } from '../../src/core/plan/model';
import { sharedData } from './shared';

export interface Outcome {
  name: string;
  /** Diagnostic codes of the validation, or the PlanFormatError / 'ok' of a plan. */
  codes: string[];
  messages: string[];
  /** Growth of heapUsed across the case, in MB (after the result is dropped: what stays, not the peak). */
  heapMB: number;
  /** Highest rss seen right after the case, in MB. */
  rssMB: number;
  error?: string;
}

const P = '[project]\nname = "app"\n\n';
const dots = (n: number, part = 'a') => Array(n).fill(part).join('.');

type Case = { name: string; kind?: 'helix' | 'deploy' | 'plan'; text: () => string };

export const CASES: Case[] = [
  { name: 'dotted key, 40,000 parts (80 KB line)', text: () => P + dots(40_000) + ' = 1\n' },
  { name: 'table header, 40,000 parts', text: () => P + '[' + dots(40_000) + ']\n' },
  { name: 'quoted dotted key, 30,000 parts', text: () => P + dots(30_000, '"a"') + ' = 1\n' },
  { name: 'helix.deploy.toml of 40 KB dotted key', kind: 'deploy', text: () => dots(20_000) + ' = 1\n' },
  { name: 'unknown key of 5 MB', text: () => P + '[local.dev]\n' + 'q'.repeat(5_000_000) + ' = 1\n' },
  { name: 'unknown key of 100 KB', text: () => P + '[local.dev]\n' + 'q'.repeat(100_000) + ' = 1\n' },
  { name: 'unknown key of 1,000 characters', text: () => P + '[local.dev]\n' + 'q'.repeat(1000) + ' = 1\n' },
  { name: 'enum value of 60,000 characters', text: () => P + '[local.dev]\nstorage = "' + 's'.repeat(60_000) + '"\n' },
  {
    name: 'instance reference of 60,000 characters',
    kind: 'deploy',
    text: () => '[environments.e]\ninstance = "' + 'd'.repeat(60_000) + '"\n',
  },
  { name: 'string of 1 MB', text: () => P + 'x = "' + 'a'.repeat(1_000_000) + '"\n' },
  { name: 'string of 120,000 characters', text: () => P + "x = '" + 'a'.repeat(120_000) + "'\n" },
  { name: 'comment of 1 MB', text: () => P + '#'.repeat(1_000_000) },
  { name: 'arrays nested 60,000 deep', text: () => P + 'a = ' + '['.repeat(60_000) + ']'.repeat(60_000) + '\n' },
  { name: 'arrays opened 60,000 deep, never closed', text: () => P + 'a = ' + '['.repeat(60_000) + '\n' },
  {
    name: 'inline tables nested 30,000 deep',
    text: () => P + 'a = ' + '{b='.repeat(30_000) + '1' + '}'.repeat(30_000) + '\n',
  },
  {
    name: '4,500 instances (near the item limit)',
    text: () => P + Array.from({ length: 4500 }, (_, i) => `[local.i${i}]\nport = ${10000 + i}\n`).join(''),
  },
  {
    name: '9,900 unknown keys (near the item limit)',
    text: () => P + '[local.dev]\n' + Array.from({ length: 9900 }, (_, i) => `k${i} = 1\n`).join(''),
  },
  { name: 'array of 9,990 numbers', text: () => P + 'a = [' + '1,'.repeat(9990) + ']\n' },
  { name: 'array of 20,000 inline tables', text: () => P + 'a = [' + '{x=1},'.repeat(20_000) + ']\n' },
  {
    name: '1 MB of instances',
    text: () => P + Array.from({ length: 40_000 }, (_, i) => `[local.i${i}]\nport = ${10000 + i}\n`).join(''),
  },
  { name: 'plan: Terraform values nested 100,000 deep', kind: 'plan', text: () => deepTerraform(100_000) },
  { name: 'plan: Pulumi preview nested 100,000 deep', kind: 'plan', text: () => deepPulumi(100_000) },
  { name: 'plan: Pulumi event log line nested 100,000 deep', kind: 'plan', text: () => deepEvents(100_000) },
  { name: 'plan: Terraform values nested 200 deep (read)', kind: 'plan', text: () => deepTerraform(200) },
];

const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);

function deepTerraform(n: number): string {
  const doc = JSON.parse(fs.readFileSync(sharedData('plans', 'tf-terraform-2.json'), 'utf8'));
  const rc = doc.resource_changes.find((r: any) => r.change?.after && typeof r.change.after === 'object');
  rc.change.after.deep = '__DEEP__';
  return JSON.stringify(doc).replace('"__DEEP__"', nest(n));
}

function deepPulumi(n: number): string {
  const doc = JSON.parse(fs.readFileSync(sharedData('plans', 'pulumi-drift-adopter-1.json'), 'utf8'));
  const step = doc.steps.find((s: any) => s.newState?.inputs);
  step.newState.inputs.deep = '__DEEP__';
  return JSON.stringify(doc).replace('"__DEEP__"', nest(n));
}

function deepEvents(n: number): string {
  const lines = fs.readFileSync(sharedData('plans', 'pulumi-events-pulumi-2.jsonl'), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes('"resOutputsEvent"') || l.includes('"resourcePreEvent"'));
  lines[i] = lines[i].replace(/"inputs":\{/, `"inputs":{"deep":${nest(n)},`);
  return lines.join('\n');
}

export function runCase(c: Case): Outcome {
  const heap0 = process.memoryUsage().heapUsed;
  let codes: string[] = [];
  let messages: string[] = [];
  let error: string | undefined;
  try {
    const text = c.text();
    if (c.kind === 'plan') {
      try {
        toJSON(parsePlanDocument(text), { attributes: true });
        codes = ['ok'];
      } catch (e) {
        if (!(e instanceof PlanFormatError)) throw e;
        codes = ['PlanFormatError'];
        messages = [e.message];
      }
    } else {
      const kind = c.kind ?? 'helix';
      const r = validateConfig(text, { kind, helixText: kind === 'deploy' ? P + '[local.dev]\n' : undefined });
      codes = r.diagnostics.map((d) => d.code);
      messages = r.diagnostics.slice(0, 3).map((d) => d.message);
      if (kind === 'helix') readProject('/w/helix.toml', text, undefined);
      else readProject('/w/helix.toml', P + '[local.dev]\n', text);
    }
  } catch (e) {
    error = String((e as Error)?.stack ?? e)
      .split('\n')
      .slice(0, 4)
      .join('\n');
  }
  const rssMB = process.memoryUsage().rss / 1e6;
  (globalThis as any).gc?.();
  return {
    name: c.name,
    codes: [...new Set(codes)],
    messages,
    heapMB: (process.memoryUsage().heapUsed - heap0) / 1e6,
    rssMB,
    error,
  };
}

/** Entry point of the child process: one JSON line per case, written as each finishes. */
if (process.env.HELIX_PATHOLOGICAL_CHILD === '1') {
  for (const c of CASES) process.stdout.write(JSON.stringify(runCase(c)) + '\n');
}

export const SELF = path.resolve(__filename);
