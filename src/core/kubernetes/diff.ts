import { diffAttributes, collectMasked } from '../plan/diff';
import { SENSITIVE, type AttributeDiff } from '../plan/model';
import type { KubeObject } from './objects';

// Structural diff of a live object against the server's dry-run result. Fields the server owns (status,
// resourceVersion, managedFields, uid, timestamps, generation, revision annotations) always differ and
// mean nothing to a reviewer, so they are removed first. Secrets are masked through the shared diff's
// sensitive masks: every value under `data`/`stringData` shows as "(sensitive)".

const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];
const SERVER_ANNOTATIONS = ['deployment.kubernetes.io/revision', 'kubectl.kubernetes.io/last-applied-configuration'];

export function normalize(o: KubeObject | undefined): KubeObject | undefined {
  if (!o) return undefined;
  const c = structuredClone(o);
  delete c.status;
  for (const k of SERVER_METADATA) delete c.metadata[k];
  if (c.metadata.annotations) {
    for (const k of SERVER_ANNOTATIONS) delete c.metadata.annotations[k];
    if (!Object.keys(c.metadata.annotations).length) delete c.metadata.annotations;
  }
  return c;
}

/** Sensitive mask for a kind (shape of the plan diff masks: `true` marks a subtree). */
export function sensitiveMask(kind: string): unknown {
  return kind === 'Secret' ? { data: true, stringData: true } : undefined;
}

/** Secret values (raw and base64-decoded) to teach the redactor before anything is logged. */
export function secretValues(o: KubeObject | undefined): string[] {
  if (!o || o.kind !== 'Secret') return [];
  const out: string[] = [];
  collectMasked(o, sensitiveMask(o.kind), (v) => out.push(v));
  for (const v of Object.values((o.data ?? {}) as Record<string, string>)) {
    try {
      out.push(Buffer.from(v, 'base64').toString('utf8'));
    } catch {
      // not base64: already collected raw
    }
  }
  return out.filter((v) => v.length > 0);
}

export function diffObjects(
  before: KubeObject | undefined,
  after: KubeObject | undefined,
  isSecret?: (v: unknown) => boolean,
): AttributeDiff[] {
  const kind = (after ?? before)!.kind;
  const mask = sensitiveMask(kind);
  return diffAttributes({
    before: normalize(before),
    after: normalize(after),
    beforeSensitive: mask,
    afterSensitive: mask,
    isSecret,
  });
}

/** True when the server-side result equals the live object once server-owned fields are ignored. */
export function sameObject(a: KubeObject | undefined, b: KubeObject | undefined): boolean {
  return diffObjects(a, b).length === 0;
}

/** A copy safe to show or write to a log: Secret data replaced by the mask. */
export function maskObject(o: KubeObject): KubeObject {
  if (o.kind !== 'Secret') return o;
  const c = structuredClone(o);
  for (const k of ['data', 'stringData'] as const) if (c[k]) for (const key of Object.keys(c[k])) c[k][key] = SENSITIVE;
  return c;
}
