// Reading decoded JSON of unknown shape (plans, tool output, API objects) without `any`: every field comes
// back as `unknown` and is narrowed where it is used. A missing or mistyped field reads as undefined/empty,
// as optional chaining would read it, so decoders stay forgiving of documents that omit what they do not need.

/** A decoded JSON object (or array) whose fields have not been checked yet. */
export type JsonObject = Readonly<Record<string, unknown>>;

const EMPTY: JsonObject = Object.freeze({});

/** `v` itself when it is an object or array, else an empty object: `obj(v).x` reads like `v?.x`. */
export function obj(v: unknown): JsonObject {
  return typeof v === 'object' && v !== null ? (v as JsonObject) : EMPTY;
}

/** `v` when it is an array, else an empty one. */
export function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The value under a chain of keys, like `v?.[a]?.[b]...`. */
export function at(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || cur === undefined) return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** `v` when it is a string, else undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
