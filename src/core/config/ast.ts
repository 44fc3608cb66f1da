// The part of toml-eslint-parser's AST that tree.ts and edit.ts read. toml-eslint-parser's nodes satisfy these
// types structurally.
// Offsets are UTF-16 code units, `range` is [start, end).

export type Range = [number, number];

export type KeyPart =
  { type: 'TOMLBare'; name: string; range: Range } | { type: 'TOMLQuoted'; value: string; range: Range };

export interface TomlKey {
  range: Range;
  keys: KeyPart[];
}

export interface KeyValue {
  type: 'TOMLKeyValue';
  range: Range;
  key: TomlKey;
  value: Value;
  /** edit.ts only asks whether the pair sits inside an inline table. */
  parent: { type: 'TOMLTopLevelTable' | 'TOMLTable' | 'TOMLInlineTable' };
}

export interface Table {
  type: 'TOMLTable';
  kind: 'standard' | 'array';
  range: Range;
  key: TomlKey;
  /** Header path with array-of-tables indices, e.g. [[a]] [a.b] -> ['a', 0, 'b']. */
  resolvedKey: (string | number)[];
  body: KeyValue[];
}

export interface ArrayValue {
  type: 'TOMLArray';
  range: Range;
  elements: Value[];
}

export interface InlineTable {
  type: 'TOMLInlineTable';
  range: Range;
  body: KeyValue[];
}

export type Scalar =
  | { type: 'TOMLValue'; kind: 'string'; value: string; range: Range }
  | { type: 'TOMLValue'; kind: 'boolean'; value: boolean; range: Range }
  | { type: 'TOMLValue'; kind: 'integer'; value: number; bigint: bigint; range: Range }
  | { type: 'TOMLValue'; kind: 'float'; value: number; range: Range }
  | {
      type: 'TOMLValue';
      kind: 'offset-date-time' | 'local-date-time' | 'local-date' | 'local-time';
      datetime: string;
      range: Range;
    };

export type Value = Scalar | ArrayValue | InlineTable;

/** Top-level items in source order: root key/values, then tables (each with its own key/values). */
export type TopLevelItem = KeyValue | Table;
