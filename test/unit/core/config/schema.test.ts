import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { SCHEMA_FILES, schemaFor, type SchemaId } from '../../../../src/core/config/schema';
import { renderSchema } from '../../../../src/core/config/schema/generate';
import { checkSchema, SUPPORTED_KEYWORDS } from '../../../../src/core/config/schema-check';
import { parseConfig, validateConfig } from '../../../../src/core/config/validate';
import { toPlain } from '../../../../src/core/config/tree';
import { fixture } from './helpers';

const ROOT = path.resolve(__dirname, '../../../..');
const IDS = Object.keys(SCHEMA_FILES) as SchemaId[];

function walk(s: any, at: string, f: (s: any, at: string) => void): void {
  f(s, at);
  for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${at}.${k}`, f);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${at}.*`, f);
  if (s.items && typeof s.items === 'object') walk(s.items, `${at}[]`, f);
}

describe('config: JSON schemas', () => {
  for (const id of IDS) {
    it(`schemas/${SCHEMA_FILES[id]} is up to date with the definitions`, () => {
      const file = path.join(ROOT, 'schemas', SCHEMA_FILES[id]);
      assert.equal(fs.readFileSync(file, 'utf8'), renderSchema(id), `run: npx tsx src/core/config/schema/generate.ts`);
    });

    it(`${id}: every key has a description and examples, optional keys a default, enums per-value descriptions`, () => {
      walk(schemaFor(id), id, (s, at) => {
        if (at === id || (Object.keys(s).length === 1 && s.type)) return; // root, or a bare item type
        assert.ok(typeof s.description === 'string' && s.description.length > 5, `${at}: description`);
        assert.ok(Array.isArray(s.examples) && s.examples.length > 0, `${at}: examples`);
        if (s.enum) assert.equal(s.enumDescriptions?.length, s.enum.length, `${at}: enumDescriptions`);
      });
      walk(schemaFor(id), id, (s, at) => {
        for (const [k, v] of Object.entries<any>(s.properties ?? {})) {
          if (
            !(s.required ?? []).includes(k) &&
            v.type !== 'object' &&
            v.type !== 'array' &&
            ![
              'id',
              'workspace_id',
              'project_id',
              'region',
              'schema',
              'graphvis_node_label',
              'registry_url',
              'gateway_url',
              'availability_mode',
              'gateway_node_type',
              'db_node_type',
              'endpoint_url',
              'instance',
              'registry',
              'context',
              'manifests',
              'deployment',
              'liveness',
              'readiness',
              'cluster_id',
              'database',
              'build',
              'image',
              'tag',
              'pull',
              'kubeconfig',
              'terraform',
              'budget_monthly',
              'cpu_core_hour',
              'memory_gib_hour',
              'storage_gib_month',
            ].includes(k)
          ) {
            assert.ok('default' in v, `${at}.${k}: default`);
          }
        }
      });
    });

    it(`${id}: uses only keywords the TOML-side validator implements, and is valid draft-07 for ajv`, () => {
      walk(schemaFor(id), id, (s, at) => {
        for (const k of Object.keys(s)) assert.ok(SUPPORTED_KEYWORDS.has(k), `${at}: unsupported keyword ${k}`);
      });
      const ajv = new Ajv({ strict: false });
      assert.ok(ajv.validateSchema(schemaFor(id)), JSON.stringify(ajv.errors));
    });
  }

  it("the published editor schema leaves another tool's helix.toml alone, and still requires [project] in HelixDB's", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const plain = (rel: string) => toPlain(parseConfig(fixture(rel)).tree!);
    assert.equal(ajv.validate(schemaFor('any'), plain('notHelix/helix.toml')), true, JSON.stringify(ajv.errors));
    assert.equal(ajv.validate(schemaFor('any'), { local: { dev: {} } }), false);
    assert.equal(ajv.validate(schemaFor('any'), plain('v3.1/helix.toml')), true);
    const tree = (t: string) => parseConfig(t).tree!;
    const opts = { text: '', ignoredUnknownNote: '' };
    assert.deepEqual(
      checkSchema(tree(fixture('notHelix/helix.toml')), schemaFor('any'), opts).filter((d) => d.severity === 'error'),
      [],
    );
    assert.deepEqual(
      checkSchema(tree('[local.dev]\n'), schemaFor('any'), opts).map((d) => d.code),
      ['missing-key'],
    );
  });

  // Cross-check: the TOML-side validator and ajv (on the JSON projection) agree on structural validity.
  const cases: [string, SchemaId, boolean][] = [
    ['v2/helix.toml', 'v2', true],
    ['v3.1/helix.toml', 'v3.1', true],
    ['v3-1025/helix.toml', 'v3.4', true],
    ['v3.1/helix.toml', 'v3.4', false],
    ['v2/helix.toml', 'v3.4', false],
    ['broken/helix.toml', 'v3.1', false],
    ['deploy/helix.deploy.toml', 'deploy', true],
  ];
  for (const [file, id, ok] of cases) {
    it(`ajv and the TOML validator agree: ${file} against ${id} is ${ok ? 'valid' : 'invalid'}`, () => {
      const text = fixture(file);
      const ajv = new Ajv({ strict: false, allErrors: true });
      const plain = toPlain(parseConfig(text).tree!);
      assert.equal(ajv.validate(schemaFor(id), plain), ok, JSON.stringify(ajv.errors));
      const ours = validateConfig(
        text,
        id === 'deploy' ? { kind: 'deploy' } : { generation: id as any, pinGeneration: true },
      ).diagnostics.filter(
        (d) =>
          d.severity === 'error' &&
          ['type', 'enum', 'missing-key', 'unknown-key', 'range', 'pattern', 'table-size'].includes(d.code),
      );
      assert.equal(ours.length === 0, ok, JSON.stringify(ours.map((d) => d.message)));
    });
  }
});
