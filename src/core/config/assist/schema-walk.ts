import type { Schema } from '../schema';

/** The subschema at a key path: named properties first, then the instance-map schema (`[local.<name>]`). */
export function schemaAt(root: Schema, path: readonly string[]): Schema | undefined {
  let s: Schema | undefined = root;
  for (const seg of path) {
    if (!s) return undefined;
    s = s.properties?.[seg] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
  }
  return s;
}

/** True when the table's keys are instance names (`local`, `enterprise`, `cloud`, `environments`). */
export function isInstanceMap(s: Schema | undefined): boolean {
  return !!s && s.type === 'object' && !s.properties && typeof s.additionalProperties === 'object';
}
