import type { ArrayValue, InlineTable, KeyPart, KeyValue, Table, TomlKey, TopLevelItem, Value } from './ast';

// Fast path for the common case: a valid helix.toml written with everyday TOML. toml-eslint-parser spends most
// of a large file's validation building a token list with cloned locations that we never read (issue 3's
// 5,000-line goal). This scanner reads a subset of TOML 1.0 - bare/quoted keys, dotted keys, [tables],
// [[arrays of tables]], single-line strings with simple escapes, decimal integers, booleans, arrays, inline
// tables, comments - and builds only the nodes tree.ts and edit.ts read, with toml-eslint-parser's ranges.
//
// It DECLINES (returns undefined) on anything else: floats, datetimes, multi-line strings, \u escapes, other
// integer bases, any syntax error, any key or table defined twice (and a few rare valid redefinitions). The
// caller then parses with toml-eslint-parser, so every error message and range still comes from it. Accepting
// must therefore imply "valid TOML 1.0, same tree": fast-parse.test.ts checks both against toml-eslint-parser
// on the toml-test corpus, the fixtures and fuzzed mutations.

/** Thrown to decline; caught in fastParse only. A constant: declining is not exceptional enough for a stack. */
const DECLINE = { declined: true };

/** Deeper nesting goes to toml-eslint-parser, which owns the depth errors (tree.ts MAX_DEPTH is 500). */
const MAX_NESTING = 100;

// How a key's table came to exist - decides whether a later header or dotted key may add to it (TOML 1.0 §Table).
const IMPLICIT = 0; // a prefix of some [header]: a later [header] may define it once
const HEADER = 1; // [header] or the root: closed to other [headers] of the same name and to dotted keys from outside
const DOTTED = 2; // made by a dotted key: only dotted keys of the same section may add to it
const VALUE = 3; // a value (including inline tables and static arrays): closed
const AOT = 4; // [[array of tables]]: [[same]] appends, deeper headers go into the last element

interface Def {
  how: number;
  /** Children by key name; made on first use (most definitions are plain values, which have none). */
  kids?: Map<string, Def>;
  /** Array of tables: number of elements and the current one. */
  count: number;
  last?: Def;
}

const newDef = (how: number): Def => ({ how, count: 0 });
/** Every plain value shares one definition: nothing is ever added to a value (allocation matters at 5,000 lines). */
const A_VALUE: Def = { how: VALUE, count: 0 };
const kidsOf = (d: Def) => (d.kids ??= new Map());
const TOP_PARENT = { type: 'TOMLTopLevelTable' } as const;

/** Off switch: the differential test compares both paths through validateConfig; also a kill switch. */
export const fastPath = { enabled: true };

export function fastParse(text: string): TopLevelItem[] | undefined {
  try {
    return new Scanner(text).document();
  } catch (e) {
    if (e === DECLINE) return undefined;
    throw e;
  }
}

function decline(): never {
  throw DECLINE;
}

const isBare = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;
const isDigit = (c: number) => c >= 48 && c <= 57;
/** Control characters TOML 1.0 forbids in strings and comments (tab is allowed). */
const isControl = (c: number) => (c < 32 && c !== 9) || c === 127;
const ESCAPES: Record<number, string> = { 98: '\b', 116: '\t', 110: '\n', 102: '\f', 114: '\r', 34: '"', 92: '\\' };

class Scanner {
  private i = 0;
  private readonly n: number;

  constructor(private readonly s: string) {
    this.n = s.length;
  }

  document(): TopLevelItem[] {
    const items: TopLevelItem[] = [];
    const root = newDef(HEADER);
    let section = root;
    let table: Table | undefined;
    const s = this.s;
    while (true) {
      this.ws();
      if (this.i >= this.n) return items;
      const c = s.charCodeAt(this.i);
      if (c === 91 /* [ */) {
        const h = this.header(root);
        table = h.table;
        section = h.def;
        items.push(table);
      } else if (c !== 35 /* # */ && c !== 10 && c !== 13) {
        const kv = this.keyValue(section, table ?? TOP_PARENT, 0);
        if (table) {
          table.body.push(kv);
          table.range[1] = kv.range[1];
        } else items.push(kv);
      }
      this.endOfLine();
    }
  }

  /** Spaces and tabs. */
  private ws(): void {
    const s = this.s;
    let c = s.charCodeAt(this.i);
    while (c === 32 || c === 9) c = s.charCodeAt(++this.i);
  }

  /** Optional comment, then a line break or the end of the file. */
  private endOfLine(): void {
    this.ws();
    const s = this.s;
    let c = s.charCodeAt(this.i);
    if (c === 35) {
      c = s.charCodeAt(++this.i);
      while (this.i < this.n && c !== 10 && c !== 13) {
        this.char(c);
        c = s.charCodeAt(this.i);
      }
    }
    if (this.i >= this.n) return;
    if (c === 10) this.i++;
    else if (c === 13 && s.charCodeAt(this.i + 1) === 10) this.i += 2;
    else decline();
  }

  /** Accept one character of a comment or string body (not a quote/backslash): no controls, no lone surrogates. */
  private char(c: number): void {
    if (isControl(c)) decline();
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = this.s.charCodeAt(this.i + 1);
      if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) decline();
      this.i += 2;
    } else this.i++;
  }

  private header(root: Def): { table: Table; def: Def } {
    const s = this.s;
    const start = this.i;
    const array = s.charCodeAt(start + 1) === 91;
    this.i += array ? 2 : 1;
    this.ws();
    const key = this.key();
    this.ws();
    if (s.charCodeAt(this.i) !== 93) decline();
    if (array && s.charCodeAt(this.i + 1) !== 93) decline();
    this.i += array ? 2 : 1;
    const resolvedKey: (string | number)[] = [];
    let cur = root;
    const keys = key.keys;
    for (let k = 0; k < keys.length; k++) {
      const name = nameOf(keys[k]);
      resolvedKey.push(name);
      const kids = kidsOf(cur);
      let d = kids.get(name);
      if (k < keys.length - 1) {
        if (!d) kids.set(name, (d = newDef(IMPLICIT)));
        else if (d.how === AOT) {
          resolvedKey.push(d.count - 1);
          d = d.last!;
        } else if (d.how !== IMPLICIT && d.how !== HEADER) decline();
      } else if (!array) {
        if (!d) kids.set(name, (d = newDef(HEADER)));
        else if (d.how === IMPLICIT) d.how = HEADER;
        else decline();
      } else {
        if (!d) kids.set(name, (d = newDef(AOT)));
        else if (d.how !== AOT) decline();
        resolvedKey.push(d.count++);
        d = d.last = newDef(HEADER);
      }
      cur = d;
    }
    const table: Table = { type: 'TOMLTable', kind: array ? 'array' : 'standard', range: [start, this.i], key, resolvedKey, body: [] };
    return { table, def: cur };
  }

  /** Dotted key: simple keys separated by `.`, whitespace allowed around the dots. */
  private key(): TomlKey {
    const keys: KeyPart[] = [this.simpleKey()];
    while (true) {
      const save = this.i;
      this.ws();
      if (this.s.charCodeAt(this.i) !== 46 /* . */) {
        this.i = save;
        break;
      }
      this.i++;
      this.ws();
      keys.push(this.simpleKey());
      if (keys.length > MAX_NESTING) decline();
    }
    return { range: [keys[0].range[0], keys[keys.length - 1].range[1]], keys };
  }

  private simpleKey(): KeyPart {
    const s = this.s;
    const start = this.i;
    const c = s.charCodeAt(start);
    if (c === 34 || c === 39) {
      const value = this.string(c);
      return { type: 'TOMLQuoted', value, range: [start, this.i] };
    }
    let j = start;
    while (isBare(s.charCodeAt(j))) j++;
    if (j === start) decline();
    this.i = j;
    return { type: 'TOMLBare', name: s.slice(start, j), range: [start, j] };
  }

  private keyValue(section: Def, parent: KeyValue['parent'], depth: number): KeyValue {
    const key = this.key();
    this.ws();
    if (this.s.charCodeAt(this.i) !== 61 /* = */) decline();
    this.i++;
    this.ws();
    // Register the key before reading the value, as TOML reads it; conflicts decline.
    let cur = section;
    const keys = key.keys;
    for (let k = 0; k < keys.length - 1; k++) {
      const name = nameOf(keys[k]);
      const kids = kidsOf(cur);
      let d = kids.get(name);
      if (!d) kids.set(name, (d = newDef(DOTTED)));
      else if (d.how !== DOTTED) decline();
      cur = d;
    }
    const last = nameOf(keys[keys.length - 1]);
    const kids = kidsOf(cur);
    if (kids.has(last)) decline();
    kids.set(last, A_VALUE);
    const value = this.value(depth);
    return { type: 'TOMLKeyValue', range: [key.range[0], value.range[1]], key, value, parent };
  }

  private value(depth: number): Value {
    if (depth > MAX_NESTING) decline();
    const s = this.s;
    const start = this.i;
    const c = s.charCodeAt(start);
    if (c === 34 || c === 39) return { type: 'TOMLValue', kind: 'string', value: this.string(c), range: [start, this.i] };
    if (c === 116 && s.startsWith('true', start)) return this.word(true, 4);
    if (c === 102 && s.startsWith('false', start)) return this.word(false, 5);
    if (isDigit(c) || c === 43 || c === 45) return this.integer();
    if (c === 91) return this.array(depth);
    if (c === 123) return this.inlineTable(depth);
    return decline();
  }

  private word(value: boolean, length: number): Value {
    const start = this.i;
    this.i += length;
    if (isBare(this.s.charCodeAt(this.i))) decline(); // `truex`, `false_`
    return { type: 'TOMLValue', kind: 'boolean', value, range: [start, this.i] };
  }

  /** Decimal integer `[+-]?(0|[1-9](_?[0-9])*)` of at most 15 digits (exact as a double); anything else declines. */
  private integer(): Value {
    const s = this.s;
    const start = this.i;
    let j = start;
    const sign = s.charCodeAt(j);
    if (sign === 43 || sign === 45) j++;
    const first = j;
    if (!isDigit(s.charCodeAt(j))) decline();
    if (s.charCodeAt(j) === 48) j++;
    else {
      j++;
      while (true) {
        const c = s.charCodeAt(j);
        if (isDigit(c)) j++;
        else if (c === 95 && isDigit(s.charCodeAt(j + 1))) j += 2;
        else break;
      }
    }
    // Floats, datetimes, times, hex/octal/binary, leading zeros, `1_`, `12abc`: not ours.
    const next = s.charCodeAt(j);
    if (isBare(next) || next === 46 || next === 58 || next === 43) decline();
    const digits = s.slice(first, j).replace(/_/g, '');
    if (digits.length > 15) decline();
    // toml-eslint-parser gives a `0` that ends the file an empty range; leave that file to it (same ranges).
    if (j >= this.n && j - first === 1 && digits === '0') decline();
    const bigint = BigInt(sign === 45 ? '-' + digits : digits);
    this.i = j;
    // Number(bigint), as toml-eslint-parser: `-0` is 0.
    return { type: 'TOMLValue', kind: 'integer', value: Number(bigint), bigint, range: [start, j] };
  }

  /** Array: values separated by commas, trailing comma allowed; line breaks and comments between anything. */
  private array(depth: number): ArrayValue {
    const start = this.i++;
    const elements: Value[] = [];
    while (true) {
      this.arraySpace();
      if (this.s.charCodeAt(this.i) === 93) break;
      elements.push(this.value(depth + 1));
      this.arraySpace();
      const c = this.s.charCodeAt(this.i);
      if (c === 44) this.i++;
      else if (c === 93) break;
      else decline();
    }
    this.i++;
    return { type: 'TOMLArray', range: [start, this.i], elements };
  }

  /** Whitespace, line breaks and comments inside an array. */
  private arraySpace(): void {
    const s = this.s;
    while (this.i < this.n) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10) this.i++;
      else if (c === 13 && s.charCodeAt(this.i + 1) === 10) this.i += 2;
      else if (c === 35) {
        this.i++;
        while (this.i < this.n && s.charCodeAt(this.i) !== 10 && s.charCodeAt(this.i) !== 13) this.char(s.charCodeAt(this.i));
      } else return;
    }
    decline(); // unterminated
  }

  /** Inline table: one line, `{ k = v, ... }`, no trailing comma (TOML 1.0). Its keys are closed to the outside. */
  private inlineTable(depth: number): InlineTable {
    const start = this.i++;
    const node: InlineTable = { type: 'TOMLInlineTable', range: [start, start], body: [] };
    const defs = newDef(VALUE);
    this.ws();
    if (this.s.charCodeAt(this.i) !== 125) {
      while (true) {
        node.body.push(this.keyValue(defs, node, depth + 1));
        this.ws();
        const c = this.s.charCodeAt(this.i);
        if (c === 125) break;
        if (c !== 44) decline();
        this.i++;
        this.ws();
      }
    }
    this.i++;
    node.range[1] = this.i;
    return node;
  }

  /** Single-line basic ("...", escapes \b \t \n \f \r \" \\ only) or literal ('...') string; returns its value. */
  private string(quote: number): string {
    const s = this.s;
    if (s.charCodeAt(this.i + 1) === quote && s.charCodeAt(this.i + 2) === quote) decline(); // multi-line
    let out = '';
    let chunk = ++this.i;
    while (true) {
      if (this.i >= this.n) decline();
      const c = s.charCodeAt(this.i);
      if (c === quote) break;
      if (c === 92 && quote === 34) {
        const e = ESCAPES[s.charCodeAt(this.i + 1)];
        if (e === undefined) decline(); // \u, \U, invalid escapes
        out += s.slice(chunk, this.i) + e;
        this.i += 2;
        chunk = this.i;
      } else this.char(c);
    }
    out += s.slice(chunk, this.i);
    this.i++;
    return out;
  }
}

function nameOf(k: KeyPart): string {
  return k.type === 'TOMLBare' ? k.name : k.value;
}
