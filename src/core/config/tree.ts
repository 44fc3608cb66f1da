import { HelixError } from '../errors';
import type { InlineTable, KeyPart, KeyValue, Table, TomlKey, TopLevelItem, Value } from './ast';
import { MAX_KEY_LENGTH, MAX_KEY_PARTS, MAX_NESTING } from './limits';
import type { OffsetRange } from './types';

// A typed value tree over the TOML AST: what the CLI deserialises, with the source ranges needed to put a
// diagnostic on the exact key, value or table header, and the AST nodes needed to build minimal edits.

export type NodeKind =
  | 'table'
  | 'array'
  | 'string'
  | 'integer'
  | 'float'
  | 'boolean'
  | 'offset-date-time'
  | 'local-date-time'
  | 'local-date'
  | 'local-time';

export interface ConfigNode {
  kind: NodeKind;
  path: (string | number)[];
  /** Scalar value (strings, numbers, booleans; datetimes as their TOML text). */
  value?: string | number | boolean;
  /** Integers keep their exact value (TOML allows 64-bit). */
  bigint?: bigint;
  entries?: Map<string, ConfigNode>;
  items?: ConfigNode[];
  /** The value's own range; for a table defined by a header, the header key; for an implicit table, its key. */
  range: OffsetRange;
  /** The key segment naming this node in its parent (absent for array items and the root). */
  keyRange?: OffsetRange;
  /** `key = value` that defines this node. */
  kv?: KeyValue;
  /** `[header]` / `[[header]]` that defines this table. */
  table?: Table;
  /** Inline table `{ ... }` that defines this table. */
  inline?: InlineTable;
}

/** Deepest path: a header, a dotted key and nested values, each at its own limit (limits.ts says why). */
export const MAX_DEPTH = 2 * MAX_KEY_PARTS + MAX_NESTING;

/** A limit of limits.ts exceeded; `range` is the key or value that exceeds it. */
export class DepthError extends HelixError {
  constructor(
    message: string,
    readonly range: OffsetRange,
  ) {
    super('limit', message);
  }
}

/** Key limits, checked once per key: `[a.a.a...]` and `a.a.a... = 1` cost work per part and per part length. */
function checkKey(key: TomlKey): void {
  if (key.keys.length > MAX_KEY_PARTS)
    throw new DepthError(
      `this key has ${key.keys.length} dotted parts; Helix Deploy reads keys and table headers of up to ${MAX_KEY_PARTS} parts`,
      r(key),
    );
  for (const k of key.keys) {
    const len = keyName(k).length;
    if (len > MAX_KEY_LENGTH)
      throw new DepthError(
        `this key is ${len.toLocaleString('en-US')} characters long; Helix Deploy reads keys of up to ${MAX_KEY_LENGTH} characters`,
        r(k),
      );
  }
}

const r = (n: { range: [number, number] }): OffsetRange => ({ start: n.range[0], end: n.range[1] });

/** `[...path, k]`, allocating only the result (thousands of nodes in a large file; garbage is GC time). */
function append(path: (string | number)[], k: string | number): (string | number)[] {
  const n = path.length;
  const p: (string | number)[] = new Array(n + 1);
  for (let i = 0; i < n; i++) p[i] = path[i];
  p[n] = k;
  return p;
}

/** `items`: the top-level key/values and tables, from toml-eslint-parser (`ast.body[0].body`). Throws DepthError past a limit. */
export function buildTree(items: readonly TopLevelItem[]): ConfigNode {
  const root: ConfigNode = { kind: 'table', path: [], entries: new Map(), range: { start: 0, end: 0 } };
  for (const item of items) {
    if (item.type === 'TOMLKeyValue') addKeyValue(root, item, 0);
    else addTable(root, item);
  }
  return root;
}

function addTable(root: ConfigNode, t: Table): void {
  let cur = root;
  let seg = 0;
  const rk = t.resolvedKey;
  checkKey(t.key);
  for (let i = 0; i < rk.length; i++) {
    const k = rk[i];
    const last = i === rk.length - 1;
    if (typeof k === 'number') {
      cur.items ??= [];
      let item = cur.items[k];
      if (!item) {
        item = { kind: 'table', path: append(cur.path, k), entries: new Map(), range: r(t.key) };
        cur.items[k] = item;
      }
      cur = item;
    } else {
      const keyNode = t.key.keys[seg++];
      let child = cur.entries!.get(k);
      const nextIsIndex = typeof rk[i + 1] === 'number';
      if (!child) {
        child = {
          kind: nextIsIndex ? 'array' : 'table',
          path: append(cur.path, k),
          range: r(keyNode),
          keyRange: r(keyNode),
        };
        if (nextIsIndex) child.items = [];
        else child.entries = new Map();
        cur.entries!.set(k, child);
      }
      cur = child;
    }
    if (last) {
      cur.table = t;
      cur.range = r(t.key);
      if (typeof k === 'string') cur.keyRange = r(t.key.keys[t.key.keys.length - 1]);
    }
  }
  for (const kv of t.body) addKeyValue(cur, kv, cur.path.length);
}

function addKeyValue(table: ConfigNode, kv: KeyValue, depth: number): void {
  let cur = table;
  checkKey(kv.key);
  const keys = kv.key.keys;
  for (let i = 0; i < keys.length - 1; i++) {
    const name = keyName(keys[i]);
    let child = cur.entries!.get(name);
    if (!child) {
      child = {
        kind: 'table',
        path: append(cur.path, name),
        entries: new Map(),
        range: r(keys[i]),
        keyRange: r(keys[i]),
      };
      cur.entries!.set(name, child);
    }
    cur = child;
  }
  const name = keyName(keys[keys.length - 1]);
  const node = convert(kv.value, append(cur.path, name), depth + 1);
  node.keyRange = r(keys[keys.length - 1]);
  node.kv = kv;
  cur.entries!.set(name, node);
}

function convert(v: Value, path: (string | number)[], depth: number): ConfigNode {
  if (depth > MAX_DEPTH || path.length > MAX_DEPTH)
    throw new DepthError(`values nested deeper than ${MAX_DEPTH} levels are not supported`, r(v));
  if (v.type === 'TOMLArray') {
    return {
      kind: 'array',
      path,
      range: r(v),
      items: v.elements.map((e, i) => convert(e, append(path, i), depth + 1)),
    };
  }
  if (v.type === 'TOMLInlineTable') {
    const node: ConfigNode = { kind: 'table', path, range: r(v), entries: new Map(), inline: v };
    for (const kv of v.body) addKeyValue(node, kv, depth + 1);
    return node;
  }
  switch (v.kind) {
    case 'string':
    case 'boolean':
      return { kind: v.kind, path, range: r(v), value: v.value };
    case 'integer':
      return { kind: 'integer', path, range: r(v), value: v.value, bigint: v.bigint };
    case 'float':
      return { kind: 'float', path, range: r(v), value: v.value };
    default:
      return { kind: v.kind, path, range: r(v), value: v.datetime };
  }
}

export function keyName(k: KeyPart): string {
  return k.type === 'TOMLBare' ? k.name : k.value;
}

/** Plain JS value of a node (datetimes as strings, integers as numbers). */
export function toPlain(n: ConfigNode): unknown {
  if (n.kind === 'table') {
    const o: Record<string, unknown> = {};
    for (const [k, v] of n.entries!) o[k] = toPlain(v);
    return o;
  }
  if (n.kind === 'array') return n.items!.map(toPlain);
  return n.value;
}

export function child(n: ConfigNode | undefined, ...path: string[]): ConfigNode | undefined {
  let cur = n;
  for (const p of path) cur = cur?.entries?.get(p);
  return cur;
}

/** `[local.dev]`-style label of a table path, for messages. */
export function tableLabel(path: (string | number)[]): string {
  return `[${path.map((p) => (typeof p === 'number' ? `#${p}` : /^[A-Za-z0-9_-]+$/.test(p) ? p : JSON.stringify(p))).join('.')}]`;
}
