import { strict as assert } from 'node:assert';
import { check, localTableKeys } from './helpers';
import { complete } from '../../../../src/core/config/assist/complete';

// Each generation's schema, defaults and the CLI's own texts (docs/helix-cli-compat.md).
const P = '[project]\nname = "app"\n\n';
const errors = (t: string, o: Parameters<typeof check>[1]) => check(t, o).filter((s) => s.severity === 'error');

describe('config: generations', () => {
  it('CLI 3.0: storage is memory or disk only; no s3, no pull; image enterprise-dev:latest', () => {
    const [s] = errors(P + '[local.dev]\nstorage = "s3"\n', { generation: 'v3.0' });
    assert.equal(s.code, 'enum');
    assert.match(s.message, /^unknown variant `s3`, expected one of `memory`, `disk`/);
    assert.deepEqual(
      errors(P + '[local.dev]\nstorage = "s3"\n[local.dev.s3]\nbucket = "b"\n', { generation: 'v3.1' }),
      [],
    );
    const local = localTableKeys('v3.0');
    assert.equal(local.image.default, 'ghcr.io/helixdb/enterprise-dev');
    assert.equal(local.tag.default, 'latest');
    assert.ok(!('pull' in local) && !('s3' in local));
    assert.match(local.port.description ?? '', /8080 in CLI 3\.0\.0-3\.0\.7, 6969 from 3\.0\.8/);
    assert.deepEqual(
      check(P + '[local.dev]\npull = "always"\n', { generation: 'v3.1' }).map((x) => [x.code, x.severity]),
      [['unknown-key', 'warning']],
      'pull is ignored before #1104',
    );
    const text = P + '[local.dev]\n';
    const snippets = (generation: 'v3.0' | 'v3.1') =>
      complete(text, text.length, { kind: 'helix', generation }).map((i) => i.label);
    assert.ok(
      !snippets('v3.0').includes('[local.dev.s3]') && snippets('v3.1').includes('[local.dev.s3]'),
      'the s3 table is offered only where it exists',
    );
  });

  it('after #1025 and 3.4: pull = always|missing|never, tags or sha256 digests', () => {
    for (const gen of ['v3-1025', 'v3.4'] as const) {
      assert.deepEqual(
        errors(P + '[local.dev]\npull = "missing"\ntag = "sha256:' + 'a'.repeat(64) + '"\n', { generation: gen }),
        [],
        gen,
      );
      const [p] = errors(P + '[local.dev]\npull = "sometimes"\n', { generation: gen });
      assert.equal(p.message, 'unknown variant `sometimes`, expected one of `always`, `missing`, `never`');
      const [d] = errors(P + '[local.dev]\ntag = "sha256:abc"\n', { generation: gen });
      assert.equal(d.code, 'pattern');
      assert.match(d.message, /a digest `sha256:<64 lowercase hex digits>`/);
    }
    assert.equal(localTableKeys('v3.4').tag.default, 'v0.0.11');
    assert.equal(localTableKeys('v3-1025').tag.default, 'v0.0.5');
    assert.equal(localTableKeys('v3.1').tag.default, 'v0.0.4');
  });

  it('instance names: the charset is an error after #1025, a warning before', () => {
    const t = P + '[local."my.dev"]\n';
    assert.deepEqual(
      check(t, { generation: 'v3.1' }).map((x) => x.severity),
      ['warning'],
    );
    const [e] = check(t, { generation: 'v3-1025' });
    assert.equal(e.severity, 'error');
    assert.equal(
      e.message,
      "instance name 'my.dev' in helix.toml must contain only ASCII letters, digits, '-', or '_'; names build container names and state paths",
    );
  });

  it('instance names longer than 32 characters: the CLI 3.4.4 text; earlier releases accept them', () => {
    const long = 'a'.repeat(33);
    const t = P + `[local.${long}]\n`;
    const [e] = check(t, { generation: 'v3.4' });
    assert.deepEqual(
      [e.code, e.severity, e.message],
      ['instance-name', 'error', `instance name '${long}' in helix.toml must be at most 32 characters`],
    );
    assert.deepEqual(check(P + `[local.${'a'.repeat(32)}]\n`, { generation: 'v3.4' }), []);
    assert.deepEqual(
      check(t, { cliVersion: 'helix 3.4.2' }).map((x) => x.severity),
      ['warning'],
      '3.4.2 loads it; 3.4.4 would not',
    );
    assert.deepEqual(check(t, { generation: 'v3.1' }), []);
  });

  it('[local.x] plus [enterprise.x]: a warning naming the trap, not an error', () => {
    const t = P + '[local.prod]\n\n[enterprise.prod]\ndatabase = "tenant:t1"\n';
    const s = check(t, { generation: 'v3.4' });
    assert.deepEqual(
      s.map((x) => [x.code, x.severity, x.at]),
      [['duplicate-instance', 'warning', '6:13']],
    );
    assert.equal(
      s[0].message,
      "instance 'prod' is defined twice, as [local.prod] and [enterprise.prod]: the helix CLI (CLI 3.4) loads the file, but every command that takes an instance name (`helix start prod`, `helix status prod`...) picks [local.prod], so [enterprise.prod] cannot be reached by name, and `helix add` refuses the name (instance 'prod' already exists in helix.toml); rename one of them",
    );
    const v31 = check(P + '[local.prod]\n\n[enterprise.prod]\ncluster_id = "c"\n', { generation: 'v3.1' });
    assert.deepEqual(
      v31.map((x) => x.severity),
      ['warning'],
    );
  });

  it('CLI texts per generation: cluster_id (3.0-3.1) and database (after #1025)', () => {
    assert.equal(
      errors(P + '[enterprise.prod]\ncluster_id = " "\n', { generation: 'v3.0' })[0].message,
      "Enterprise instance 'prod' must have a non-empty cluster_id in helix.toml",
    );
    assert.equal(
      errors(P + '[enterprise.prod]\ndatabase = "db-1"\n', { generation: 'v3-1025' })[0].message,
      'database must be cluster:<id> or tenant:<id> (got "db-1" in [enterprise.prod])',
    );
    assert.match(
      errors(P + '[local.dev]\n[enterprise.prod]\ncluster_id = "c"\n', { generation: 'v3-1025' })
        .map((x) => x.message)
        .join('\n'),
      /unknown field `cluster_id`/,
    );
    assert.deepEqual(errors(P + '[local.dev]\n[enterprise.prod]\ncluster_id = "c"\n', { generation: 'v3.0' }), []);
  });
});
