import { KNOWN_AFTER_APPLY, SENSITIVE, type AttributeDiff } from './model';

// Attribute-level diff of two JSON values with Terraform-style masks (a mask mirrors the value; `true`
// marks an unknown/sensitive leaf or subtree). Used by the terraform parser directly and by the pulumi
// parser after it translates "[secret]"/unknown sentinels into masks.

export type Path = (string | number)[];
export type Mask = unknown; // true | false | object/array mirroring the value | undefined

export interface DiffInput {
  before: unknown;
  after: unknown;
  afterUnknown?: Mask;
  beforeSensitive?: Mask;
  afterSensitive?: Mask;
  /** Paths that forced a replace (marked on the diff entries at or below them). */
  replacePaths?: Path[];
  /** Whole-value secret check (known sensitive values, any length). */
  isSecret?: (v: unknown) => boolean;
}

export function diffAttributes(input: DiffInput): AttributeDiff[] {
  const out: AttributeDiff[] = [];
  const isSecret = input.isSecret ?? (() => false);
  walk(
    [],
    input.before,
    input.after,
    input.afterUnknown,
    input.beforeSensitive,
    input.afterSensitive,
    out,
    isSecret,
    false,
    false,
  );
  if (input.replacePaths?.length) {
    for (const d of out)
      if (input.replacePaths.some((p) => isPrefix(p, d.path) || isPrefix(d.path, p))) d.forcesReplace = true;
  }
  return out;
}

function isPrefix(prefix: Path, path: Path): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (String(prefix[i]) !== String(path[i])) return false;
  return true;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const child = (m: Mask, k: string | number): Mask =>
  m === true ? true : m && typeof m === 'object' ? (m as Record<string | number, unknown>)[k] : undefined;

function walk(
  path: Path,
  b: unknown,
  a: unknown,
  unk: Mask,
  bs: Mask,
  as: Mask,
  out: AttributeDiff[],
  isSecret: (v: unknown) => boolean,
  bSens: boolean,
  aSens: boolean,
): void {
  const bS = bSens || bs === true;
  const aS = aSens || as === true;
  if (unk === true) {
    out.push({
      path,
      before: b === undefined ? undefined : mask(b, bS, isSecret),
      after: KNOWN_AFTER_APPLY,
      unknown: true,
      ...(bS || aS ? { sensitive: true } : {}),
    });
    return;
  }
  const bothArrays = Array.isArray(b) && Array.isArray(a);
  const bothObjects = isObj(b) && isObj(a);
  const oneSideMissing = (b === undefined || b === null) !== (a === undefined || a === null);
  const container = (v: unknown) => (Array.isArray(v) && v.length > 0) || (isObj(v) && Object.keys(v).length > 0);
  if (bothArrays || bothObjects || (oneSideMissing && (container(a) || container(b)))) {
    const keys = new Set<string | number>();
    const addKeys = (v: unknown) => {
      if (Array.isArray(v)) v.forEach((_x, i) => keys.add(i));
      else if (isObj(v)) Object.keys(v).forEach((k) => keys.add(k));
    };
    addKeys(b);
    addKeys(a);
    addKeys(unk);
    const arr = Array.isArray(a) || Array.isArray(b);
    for (const k of keys) {
      const key = arr ? Number(k) : k;
      walk(
        [...path, key],
        sub(b, key),
        sub(a, key),
        child(unk, key),
        child(bs, key),
        child(as, key),
        out,
        isSecret,
        bS,
        aS,
      );
    }
    return;
  }
  // null and absent mean the same to the reader ("no value").
  if ((b === undefined || b === null) && (a === undefined || a === null)) return;
  if (deepEqual(b, a)) return;
  const d: AttributeDiff = { path, before: mask(b, bS, isSecret), after: mask(a, aS, isSecret) };
  if (bS || aS || isSecret(b) || isSecret(a)) d.sensitive = true;
  out.push(d);
}

function sub(v: unknown, k: string | number): unknown {
  if (Array.isArray(v)) return typeof k === 'number' ? v[k] : undefined;
  if (isObj(v)) return v[k as string];
  return undefined;
}

/** A value safe to show: SENSITIVE when marked (or equal to a known secret), deep-redacted otherwise. */
export function mask(v: unknown, sensitive: boolean, isSecret: (v: unknown) => boolean): unknown {
  if (v === undefined) return undefined;
  if (sensitive) return SENSITIVE;
  return redactValue(v, isSecret);
}

/** Replaces every string equal to a known secret, anywhere in a JSON value. */
export function redactValue(v: unknown, isSecret: (v: unknown) => boolean): unknown {
  if (typeof v === 'string') return isSecret(v) ? SENSITIVE : v;
  if (Array.isArray(v)) return v.map((x) => redactValue(x, isSecret));
  if (isObj(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = redactValue(x, isSecret);
    return o;
  }
  return v;
}

/** Every string/number leaf under a mask marked `true` (to learn secret values before anything is shown). */
export function collectMasked(value: unknown, m: Mask, into: (v: string) => void, under = false): void {
  const on = under || m === true;
  if (value === null || value === undefined) return;
  // Most masks of a large plan are `{}` or all-false: the mask is small, the value may not be.
  if (!on && !marksAny(m)) return;
  if (typeof value === 'string' || typeof value === 'number') {
    if (on) into(String(value));
    return;
  }
  if (!on && (m === undefined || m === false || typeof m !== 'object')) return; // nothing sensitive below
  if (Array.isArray(value)) value.forEach((x, i) => collectMasked(x, child(m, i), into, on));
  else if (isObj(value)) for (const [k, x] of Object.entries(value)) collectMasked(x, child(m, k), into, on);
}

/** True when a mask marks anything sensitive (a `true` anywhere in it). */
function marksAny(m: Mask): boolean {
  if (m === true) return true;
  if (!m || typeof m !== 'object') return false;
  if (Array.isArray(m)) {
    for (const x of m) if (marksAny(x as Mask)) return true;
    return false;
  }
  for (const k in m) if (marksAny((m as Record<string, Mask>)[k]!)) return true;
  return false;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
