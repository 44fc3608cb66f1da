// Server-side apply, simplified but with the observable behaviour clients rely on: per-manager field
// ownership recorded in metadata.managedFields (FieldsV1), fields a manager stops applying are removed,
// conflicts with another applier are 409 unless force=true, and a no-op apply does not bump resourceVersion.
// Simplification (documented in the README): lists are atomic (owned as a whole), as for `+listType=atomic`.

export type Path = string[];

const isMap = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);
const IDENTITY = new Set(['apiVersion', 'kind']);

/** Leaf paths a manager sets in an applied config (maps recurse, lists and scalars are leaves). */
export function leafPaths(obj: any, prefix: Path = []): Path[] {
  const out: Path[] = [];
  for (const [k, v] of Object.entries(obj ?? {})) {
    if (prefix.length === 0 && IDENTITY.has(k)) continue;
    if (
      prefix.length === 1 &&
      prefix[0] === 'metadata' &&
      ['name', 'namespace', 'resourceVersion', 'managedFields', 'uid', 'creationTimestamp', 'generation'].includes(k)
    )
      continue;
    if (isMap(v) && Object.keys(v).length) out.push(...leafPaths(v, [...prefix, k]));
    else out.push([...prefix, k]);
  }
  return out;
}

export function toFieldsV1(paths: Path[]): any {
  const root: any = {};
  for (const p of paths) {
    let node = root;
    for (const k of p) node = node[`f:${k}`] ??= {};
  }
  return root;
}

export function fromFieldsV1(f: any, prefix: Path = []): Path[] {
  const out: Path[] = [];
  for (const [k, v] of Object.entries(f ?? {})) {
    if (!k.startsWith('f:')) continue;
    const p = [...prefix, k.slice(2)];
    if (isMap(v) && Object.keys(v).length) out.push(...fromFieldsV1(v, p));
    else out.push(p);
  }
  return out;
}

export const getPath = (obj: any, p: Path) => p.reduce((o, k) => (o == null ? undefined : o[k]), obj);

function setPath(obj: any, p: Path, value: unknown): void {
  let o = obj;
  for (const k of p.slice(0, -1)) o = isMap(o[k]) ? o[k] : (o[k] = {});
  o[p[p.length - 1]] = structuredClone(value);
}

function deletePath(obj: any, p: Path): void {
  const parents: any[] = [];
  let o = obj;
  for (const k of p.slice(0, -1)) {
    if (!isMap(o?.[k])) return;
    parents.push([o, k]);
    o = o[k];
  }
  delete o[p[p.length - 1]];
  // Remove maps left empty by the deletion.
  for (const [parent, k] of parents.reverse()) if (isMap(parent[k]) && !Object.keys(parent[k]).length) delete parent[k];
}

/** JSON with sorted keys: Go structs have a fixed field order, so key order never means a change. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    isMap(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, x[k]]),
        )
      : x,
  );
}

export const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** Applied value agrees with the live one (live may carry defaulted extras): shared ownership, no conflict. */
export function subsetOf(applied: unknown, live: unknown): boolean {
  if (Array.isArray(applied))
    return Array.isArray(live) && applied.length === live.length && applied.every((v, i) => subsetOf(v, live[i]));
  if (isMap(applied)) return isMap(live) && Object.entries(applied).every(([k, v]) => subsetOf(v, live[k]));
  return applied === live;
}

/** Go decodes `null` into zero values that are then omitted (e.g. template `creationTimestamp: null`). */
export function dropNulls(v: any): any {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isMap(v)) return v;
  const out: any = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
  return out;
}

export interface ApplyConflict {
  manager: string;
  field: string;
}

export interface ApplyResult {
  object: any;
  conflicts: ApplyConflict[];
}

export function serverSideApply(
  live: any | undefined,
  applied: any,
  manager: string,
  force: boolean,
  now: string,
): ApplyResult {
  const mine = leafPaths(applied);
  const managed: any[] = structuredClone(live?.metadata?.managedFields ?? []);
  const conflicts: ApplyConflict[] = [];
  const result = structuredClone(
    live ?? {
      apiVersion: applied.apiVersion,
      kind: applied.kind,
      metadata: { name: applied.metadata.name, namespace: applied.metadata.namespace },
    },
  );
  delete result.metadata.managedFields;
  if (live) {
    for (const entry of managed) {
      if (entry.manager === manager && entry.operation === 'Apply') continue;
      for (const p of fromFieldsV1(entry.fieldsV1)) {
        const collides = mine.some(
          (m) =>
            m.join('.') === p.join('.') ||
            m.join('.').startsWith(p.join('.') + '.') ||
            p.join('.').startsWith(m.join('.') + '.'),
        );
        if (collides && !subsetOf(getPath(applied, p), getPath(live, p)) && entry.operation === 'Apply')
          conflicts.push({ manager: entry.manager, field: '.' + p.join('.') });
      }
    }
    if (conflicts.length && !force) return { object: live, conflicts };
    // Fields this manager applied before and no longer applies are removed (unless someone else owns them).
    const prev = managed.find((e) => e.manager === manager && e.operation === 'Apply');
    const others = new Set(
      managed.filter((e) => e !== prev).flatMap((e) => fromFieldsV1(e.fieldsV1).map((p) => p.join('.'))),
    );
    for (const p of prev ? fromFieldsV1(prev.fieldsV1) : []) {
      const key = p.join('.');
      if (!mine.some((m) => m.join('.') === key) && !others.has(key)) deletePath(result, p);
    }
  }
  for (const p of mine) setPath(result, p, getPath(applied, p));
  // Ownership: this manager owns what it applied; forced fields leave their previous owners.
  const mineKeys = new Set(mine.map((p) => p.join('.')));
  const next = managed
    .filter((e) => !(e.manager === manager && e.operation === 'Apply'))
    .map((e) =>
      force ? { ...e, fieldsV1: toFieldsV1(fromFieldsV1(e.fieldsV1).filter((p) => !mineKeys.has(p.join('.')))) } : e,
    )
    .filter((e) => Object.keys(e.fieldsV1 ?? {}).length);
  const before = managed.find((e) => e.manager === manager && e.operation === 'Apply');
  const fieldsV1 = toFieldsV1(mine);
  next.push({
    manager,
    operation: 'Apply',
    apiVersion: applied.apiVersion,
    time: before && same(before.fieldsV1, fieldsV1) ? before.time : now,
    fieldsType: 'FieldsV1',
    fieldsV1,
  });
  result.metadata.managedFields = next;
  return { object: result, conflicts };
}

/** RFC 7386 JSON merge patch (also used, as an approximation, for strategic merge patches). */
export function mergePatch(target: any, patch: any): any {
  if (!isMap(patch)) return structuredClone(patch);
  const out = isMap(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** RFC 6902 JSON patch (add/replace/remove/test), enough for `kubectl rollout undo`. */
export function jsonPatch(target: any, ops: any[]): any {
  const out = structuredClone(target);
  for (const op of ops) {
    const p: string[] = String(op.path)
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (op.op === 'remove') deletePath(out, p);
    else if (op.op === 'add' || op.op === 'replace') setPath(out, p, op.value);
    else if (op.op === 'test' && !same(getPath(out, p), op.value)) throw new Error(`test failed at ${op.path}`);
  }
  return out;
}
