import { createHash } from 'node:crypto';
import { normalize } from './diff';
import type { KubeObject } from './objects';

// What a plan was computed against. Not the resourceVersion: controllers rewrite status (and so the version)
// all the time, which would make every plan of a running Deployment stale. The hash of the object without
// server-owned fields changes only when someone changes what we would change.

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export function canonicalJson(v: unknown): string {
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

export function fingerprint(o: KubeObject | undefined): string {
  if (!o) return '';
  return createHash('sha256')
    .update(canonicalJson(normalize(o)))
    .digest('hex')
    .slice(0, 16);
}
