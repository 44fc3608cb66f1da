// Last gate before anything is posted to the webview. The plan parser already masks secrets (plan/model.ts
// convention); this gate re-applies the convention independently (sensitive -> "(sensitive)") and runs the
// engine's redactor over every string, so one producer bug cannot leak a secret into the panel.

import { type AttributeDiff, type OutputChange, SENSITIVE, KNOWN_AFTER_APPLY } from '../../core/plan/model';

export function maskAttributes(attrs: readonly AttributeDiff[]): AttributeDiff[] {
  return attrs.map((a) => {
    if (!a.sensitive) return a;
    const m: AttributeDiff = { ...a };
    if (m.before !== undefined) m.before = SENSITIVE;
    if (m.after !== undefined) m.after = a.unknown ? KNOWN_AFTER_APPLY : SENSITIVE;
    return m;
  });
}

export function maskOutputs(outputs: readonly OutputChange[]): OutputChange[] {
  return outputs.map((o) => {
    if (!o.sensitive) return o;
    const m: OutputChange = { ...o };
    if (m.before !== undefined) m.before = SENSITIVE;
    if (m.after !== undefined) m.after = o.unknown ? KNOWN_AFTER_APPLY : SENSITIVE;
    return m;
  });
}

/** Deep copy with `redact` applied to every string (keys included: a secret can be a map key). */
export function scrub<T>(value: T, redact: ((s: string) => string) | undefined): T {
  if (!redact) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[redact(k)] = walk(x);
      return o;
    }
    return v;
  };
  return walk(value) as T;
}
