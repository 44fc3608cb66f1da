import type { Schema } from './schema';
import type { ConfigNode } from './tree';
import { tableLabel } from './tree';
import type { ConfigDiagnostic, ConfigFix, TextEditSpec } from './types';
import { closest, shown } from './similar';
import { deleteKeyValueEdit, insertKeyEdit, replaceEdit, tomlLiteral } from './edit';

// Validates the typed value tree against our JSON Schemas (the draft-07 subset they use; a unit test keeps
// them inside it). Working on TOML nodes rather than a JSON projection keeps TOML types exact (1.0 is a float
// and the CLI rejects it as a port) and puts every problem on its key, value or table header directly.
// Wording follows serde/toml, which the helix CLI prints.

export const SUPPORTED_KEYWORDS = new Set([
  '$schema',
  'title',
  'description',
  'default',
  'examples',
  'enumDescriptions',
  'x-taplo',
  'deprecationMessage',
  'patternErrorMessage',
  'type',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'properties',
  'required',
  'additionalProperties',
  'minProperties',
  'maxProperties',
  'items',
  // Only as `if: { anyOf: [{ required: [...] }, ...] }, then: { required: [...] }` (see conditionalRequired).
  'if',
  'then',
]);

export interface SchemaCheckOptions {
  text: string;
  /** Where the CLI ignores unknown keys, report them as warnings with this explanation. */
  ignoredUnknownNote: string;
}

export function checkSchema(root: ConfigNode, schema: Schema, o: SchemaCheckOptions): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  visit(root, schema, o, out);
  return out;
}

function visit(node: ConfigNode, s: Schema, o: SchemaCheckOptions, out: ConfigDiagnostic[]): void {
  if (s.type && !typeMatches(node, s.type)) {
    out.push(typeError(node, s, o));
    return;
  }
  if (s.enum && !s.enum.includes(node.value)) out.push(enumError(node, s));
  if (s.pattern && node.kind === 'string' && !patternOf(s.pattern).test(String(node.value))) {
    out.push({
      ...node.range,
      severity: 'error',
      code: 'pattern',
      message:
        s.patternErrorMessage ??
        `invalid value ${JSON.stringify(shown(String(node.value)))}: expected the form ${s.pattern}`,
    });
  }
  if ((node.kind === 'integer' || node.kind === 'float') && typeof node.value === 'number') {
    if ((s.minimum !== undefined && node.value < s.minimum) || (s.maximum !== undefined && node.value > s.maximum)) {
      const max = s.maximum !== undefined ? ` to ${s.maximum}` : ' or more';
      out.push({
        ...node.range,
        severity: 'error',
        code: 'range',
        message: `invalid value: ${node.kind} \`${node.value}\`, expected ${[s.type].flat().includes('integer') ? 'an integer' : 'a number'} from ${s.minimum ?? 0}${max}`,
      });
    }
  }
  if (node.kind === 'table') visitTable(node, s, o, out);
  if (node.kind === 'array' && s.items) for (const item of node.items!) visit(item, s.items, o, out);
}

// Schemas are built once and read-only, so per-schema derived data is cached: a 5,000-line file visits
// thousands of nodes, and per-node allocations turn into garbage-collection pauses (test/bench/config.bench.ts holds the goal).
const NO_PROPS: Record<string, Schema> = {};
const knownCache = new WeakMap<object, string[]>();
const patternCache = new Map<string, RegExp>();

function knownKeys(props: Record<string, Schema>): string[] {
  let k = knownCache.get(props);
  if (!k) knownCache.set(props, (k = Object.keys(props)));
  return k;
}

function patternOf(source: string): RegExp {
  let re = patternCache.get(source);
  if (!re) patternCache.set(source, (re = new RegExp(source)));
  return re;
}

function visitTable(node: ConfigNode, s: Schema, o: SchemaCheckOptions, out: ConfigDiagnostic[]): void {
  const props: Record<string, Schema> = s.properties ?? NO_PROPS;
  const known = knownKeys(props);
  for (const [key, child] of node.entries!) {
    const ps = props[key];
    if (ps) {
      visit(child, ps, o, out);
      continue;
    }
    const ap = s.additionalProperties;
    if (ap && typeof ap === 'object') {
      visit(child, ap, o, out);
      continue;
    }
    if (known.length === 0 && ap !== false) continue;
    const guess = closest(key, known);
    const fixes: ConfigFix[] = [];
    if (guess && child.keyRange)
      fixes.push({ title: `Rename to '${guess}'`, edits: [{ ...child.keyRange, newText: guess }], preferred: true });
    const del = child.kv ? deleteKeyValueEdit(o.text, child.kv) : undefined;
    if (del) fixes.push({ title: `Remove '${shown(key)}'`, edits: [del] });
    const mean = guess ? `; did you mean \`${guess}\`?` : '';
    const range = child.keyRange ?? child.range;
    if (ap === false) {
      out.push({
        ...range,
        severity: 'error',
        code: 'unknown-key',
        fixes,
        message: `unknown field \`${shown(key)}\` in ${tableLabel(node.path)}, expected one of ${known.map((k) => `\`${k}\``).join(', ')}${mean}`,
      });
    } else {
      out.push({
        ...range,
        severity: 'warning',
        code: 'unknown-key',
        fixes,
        message: `unknown key \`${shown(key)}\` in ${tableLabel(node.path)} ${o.ignoredUnknownNote}${mean || '; remove it or check its spelling'}`,
      });
    }
  }
  for (const req of [...((s.required ?? []) as string[]), ...conditionalRequired(node, s)]) {
    if (node.entries!.has(req)) continue;
    const ps = props[req] ?? {};
    // Insert the default, else an empty value of the right type: never a made-up id that would pass silently.
    const value = tomlLiteral(
      ps.default ?? (ps.type === 'string' ? '' : ps.type === 'object' ? {} : (ps.examples?.[0] ?? '')),
    );
    const example = ps.examples?.[0] !== undefined ? `, e.g. ${req} = ${tomlLiteral(ps.examples[0])}` : '';
    const edit = insertKeyEdit(o.text, node, req, value);
    const where = node.path.length ? ` in ${tableLabel(node.path)}` : '';
    out.push({
      ...node.range,
      // The root has no header: point at the first line.
      end: node.path.length ? node.range.end : Math.min(o.text.length, firstLineEnd(o.text)),
      severity: 'error',
      code: 'missing-key',
      message: `missing field \`${req}\`${where}: add it${example}${ps.description ? ` (${firstSentence(ps.description)})` : ''}`,
      fixes: edit ? [{ title: `Add '${req} = ${value}'`, edits: [edit], preferred: true }] : undefined,
    });
  }
  const n = node.entries!.size;
  if (
    (s.minProperties !== undefined && n < s.minProperties) ||
    (s.maxProperties !== undefined && n > s.maxProperties)
  ) {
    const opts = known.map((k) => `\`${k}\``).join(', ');
    const count =
      s.minProperties === s.maxProperties
        ? `exactly ${s.minProperties}`
        : `${s.minProperties ?? 0} to ${s.maxProperties ?? 'any'}`;
    out.push({
      ...node.range,
      severity: 'error',
      code: 'table-size',
      message: `${tableLabel(node.path)} must contain ${count} of ${opts} (found ${n})`,
    });
  }
}

/** `then.required` when the table has any key `if.anyOf[].required` names (the subset the schemas use). */
function conditionalRequired(node: ConfigNode, s: Schema): string[] {
  if (!s.if || !s.then?.required) return [];
  const alternatives: Schema[] = s.if.anyOf ?? [s.if];
  const hit = alternatives.some((a) => ((a.required ?? []) as string[]).every((k) => node.entries!.has(k)));
  return hit ? (s.then.required as string[]) : [];
}

function typeMatches(node: ConfigNode, type: string | string[]): boolean {
  if (!Array.isArray(type)) return kindIs(node, type);
  for (const t of type) if (kindIs(node, t)) return true;
  return false;
}

function kindIs(node: ConfigNode, t: string): boolean {
  return t === 'object'
    ? node.kind === 'table'
    : t === 'number'
      ? node.kind === 'integer' || node.kind === 'float'
      : t === 'integer'
        ? node.kind === 'integer'
        : t === 'string'
          ? node.kind === 'string'
          : t === 'boolean'
            ? node.kind === 'boolean'
            : t === 'array'
              ? node.kind === 'array'
              : false;
}

const EXPECTED: Record<string, string> = {
  object: 'a table',
  number: 'a number',
  integer: 'an integer',
  string: 'a string',
  boolean: 'a boolean (true or false)',
  array: 'an array',
};

function describe(node: ConfigNode): string {
  switch (node.kind) {
    case 'table':
      return 'a table';
    case 'array':
      return 'an array';
    case 'string':
      return `string ${JSON.stringify(shown(String(node.value)))}`;
    case 'integer':
      return `integer \`${node.value}\``;
    case 'float':
      return `float \`${node.value}\``;
    case 'boolean':
      return `boolean \`${node.value}\``;
    default:
      return `datetime \`${node.value}\``;
  }
}

function typeError(node: ConfigNode, s: Schema, o: SchemaCheckOptions): ConfigDiagnostic {
  const t = Array.isArray(s.type) ? s.type[0] : s.type;
  const fixes: ConfigFix[] = [];
  let how = '';
  const str = node.kind === 'string' ? String(node.value).trim() : undefined;
  if (str !== undefined && t === 'integer' && /^[+-]?\d+$/.test(str)) {
    how = `: remove the quotes (${str})`;
    fixes.push({ title: `Change to ${str}`, edits: [replaceEdit(node.range, str)], preferred: true });
  } else if (str !== undefined && t === 'boolean' && /^(true|false)$/i.test(str)) {
    const b = str.toLowerCase();
    how = `: write ${b} without quotes`;
    fixes.push({ title: `Change to ${b}`, edits: [replaceEdit(node.range, b)], preferred: true });
  } else if (t === 'string' && node.kind !== 'table' && node.kind !== 'array') {
    const raw = o.text.slice(node.range.start, node.range.end);
    how = `: put the value in quotes ("${raw}")`;
    fixes.push({ title: `Change to "${raw}"`, edits: [replaceEdit(node.range, JSON.stringify(raw))], preferred: true });
  }
  const range = node.kind === 'table' && !node.inline ? node.range : node.range;
  return {
    ...range,
    severity: 'error',
    code: 'type',
    message: `invalid type: ${describe(node)}, expected ${EXPECTED[String(t)] ?? t}${how}`,
    fixes,
  };
}

function enumError(node: ConfigNode, s: Schema): ConfigDiagnostic {
  const values = (s.enum as unknown[]).filter((v): v is string => typeof v === 'string');
  const list = values.map((v) => `\`${v}\``).join(', ');
  const got = String(node.value);
  const caseMatch = values.find((v) => v.toLowerCase() === got.toLowerCase());
  const near = caseMatch ?? closest(got, values) ?? closest(got.replace(/[_-]/g, ''), values);
  let how = '';
  if (caseMatch) how = ` (values are case-sensitive: use "${caseMatch}")`;
  else if (near) how = `; did you mean "${near}"?`;
  const fixes: ConfigFix[] = [];
  if (near)
    fixes.push({
      title: `Change to "${near}"`,
      edits: [replaceEdit(node.range, JSON.stringify(near))],
      preferred: true,
    });
  for (const v of values)
    if (v !== near && values.length <= 10)
      fixes.push({ title: `Change to "${v}"`, edits: [replaceEdit(node.range, JSON.stringify(v))] });
  return {
    ...node.range,
    severity: 'error',
    code: 'enum',
    message: `unknown variant \`${shown(got)}\`, expected ${values.length > 1 ? 'one of ' : ''}${list}${how}`,
    fixes,
  };
}

function firstSentence(s: string): string {
  const m = /^[^.]*[.]?/.exec(s);
  return (m ? m[0] : s).replace(/\.$/, '');
}

function firstLineEnd(text: string): number {
  const i = text.search(/\r?\n/);
  return i < 0 ? text.length : i;
}

export type { TextEditSpec };
