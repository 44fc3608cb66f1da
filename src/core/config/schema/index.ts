import type { Generation } from '../../model/types';
import { deploySchema } from './deploy';
import { helixSchema } from './helix';
import type { Schema } from './build';

export type { Schema } from './build';
export type SchemaId = Generation | 'any' | 'deploy';

/** File names in schemas/ (published in the package, contributed to Even Better TOML via tomlValidation). */
export const SCHEMA_FILES: Record<SchemaId, string> = {
  v2: 'helix-v2.schema.json',
  'v3.0': 'helix-v3.0.schema.json',
  'v3.1': 'helix-v3.1.schema.json',
  'v3-1025': 'helix-v3-1025.schema.json',
  'v3.4': 'helix-v3.4.schema.json',
  any: 'helix.schema.json',
  deploy: 'helix.deploy.schema.json',
};

const cache = new Map<SchemaId, Schema>();

/** The schema for a generation (or the deploy file). Built once; treat as read-only. */
export function schemaFor(id: SchemaId): Schema {
  let s = cache.get(id);
  if (!s) {
    s = id === 'deploy' ? deploySchema() : helixSchema(id);
    cache.set(id, s);
  }
  return s;
}
