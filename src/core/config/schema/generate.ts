// Writes schemas/*.json from the TypeScript definitions: `npx tsx src/core/config/schema/generate.ts`.
// A unit test fails when the published files drift from the definitions.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SCHEMA_FILES, schemaFor, type SchemaId } from './index';

export function renderSchema(id: SchemaId): string {
  return JSON.stringify(schemaFor(id), null, 2) + '\n';
}

if (process.argv[1] && /generate\.ts$/.test(process.argv[1])) {
  const out = path.resolve(__dirname, '../../../../schemas');
  fs.mkdirSync(out, { recursive: true });
  for (const id of Object.keys(SCHEMA_FILES) as SchemaId[])
    fs.writeFileSync(path.join(out, SCHEMA_FILES[id]), renderSchema(id));
  console.log(`wrote ${Object.keys(SCHEMA_FILES).length} schemas to ${out}`);
}
