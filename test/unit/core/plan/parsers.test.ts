import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePlanDocument, PlanFormatError } from '../../../../src/core/plan/parse';
import { attributesOf, KNOWN_AFTER_APPLY, SENSITIVE, toJSON, type PlanModel } from '../../../../src/core/plan/model';
import { Redactor } from '../../../../src/core/process/redact';
import { parseStreamLine } from '../../../../src/core/plan/terraform/stream';
import { parsePropertyPath, parseUrn } from '../../../../src/core/plan/pulumi/values';
import { sharedData } from '../../../support/shared';

// A copy of shared/data/plans (licences in its SOURCES.md) so a fresh clone tests the same files; when the
// shared folder exists, every file in it is parsed too (new fixtures are picked up without code changes).
const LOCAL = path.resolve(__dirname, '../../../fixtures/plan');
const SHARED = path.join(LOCAL, 'shared');
const EXTERNAL = sharedData('plans');

function listFixtures(): string[] {
  const out = new Map<string, string>();
  for (const base of [SHARED, EXTERNAL]) {
    for (const dir of [base, path.join(base, 'generated')]) {
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir))
        if (/\.jsonl?$/.test(f)) out.set(path.relative(base, path.join(dir, f)), path.join(dir, f));
    }
  }
  return [...out.values()];
}

function load(file: string, redactor = new Redactor()): PlanModel {
  return parsePlanDocument(fs.readFileSync(file), { redactor });
}

const byAddr = (m: PlanModel, a: string) => {
  const r = m.resources.find((x) => x.address === a);
  assert.ok(r, `resource ${a} missing`);
  return r;
};

describe('plan parsers: every shared fixture', () => {
  const files = listFixtures();
  it('finds the fixtures', () => assert.ok(files.length >= 20, `only ${files.length} fixtures found in ${SHARED}`));
  for (const file of files) {
    it(`parses ${file} into a consistent model`, () => {
      const m = load(file);
      assert.ok(['terraform', 'pulumi'].includes(m.source));
      const counted =
        m.summary.create +
        m.summary.update +
        m.summary.delete +
        m.summary.replace +
        m.summary.read +
        m.summary.noop +
        m.summary.import +
        m.summary.move +
        m.summary.forget;
      assert.equal(counted, m.resources.length);
      // Every attribute diff builds and serialises.
      const json = JSON.stringify(toJSON(m));
      assert.ok(json.length > 10);
      for (const r of m.resources) assert.ok(Array.isArray(attributesOf(r)));
    });
  }
});

describe('terraform show -json', () => {
  it('tf-local-1: every action, replace counted once, unknowns, sensitive masked, secret nowhere', () => {
    const m = load(path.join(SHARED, 'generated/tf-local-1.json'));
    assert.deepEqual(
      { c: m.summary.create, u: m.summary.update, d: m.summary.delete, r: m.summary.replace },
      { c: 1, u: 1, d: 1, r: 1 },
    );
    const rep = byAddr(m, 'terraform_data.replace_me');
    assert.equal(rep.action, 'replace');
    assert.equal(rep.replaceOrder, 'delete-before-create');
    assert.deepEqual(rep.replacePaths, [['triggers_replace']]);
    assert.equal(rep.reason, 'replace_because_cannot_update');
    const forcing = attributesOf(rep).filter((a) => a.forcesReplace);
    assert.ok(forcing.some((a) => a.path[0] === 'triggers_replace'));
    assert.ok(attributesOf(rep).some((a) => a.path[0] === 'id' && a.after === KNOWN_AFTER_APPLY && a.unknown));
    const keep = byAddr(m, 'terraform_data.keep');
    const secret = attributesOf(keep).find((a) => a.path.join('.') === 'input.secret');
    assert.deepEqual(secret, { path: ['input', 'secret'], before: SENSITIVE, after: SENSITIVE, sensitive: true });
    assert.equal(byAddr(m, 'terraform_data.removed[0]').reason, 'delete_because_count_index');
    const out = m.outputs.find((o) => o.name === 'secret_out')!;
    assert.equal(out.before, SENSITIVE);
    assert.equal(out.after, SENSITIVE);
    assert.equal(m.outputs.find((o) => o.name === 'replace_id')!.after, KNOWN_AFTER_APPLY);
    const json = JSON.stringify(toJSON(m));
    assert.ok(!json.includes('hunter2'), 'old secret leaked');
    assert.ok(!json.includes('"changed"'), 'new secret leaked');
  });

  it('masks a provider-computed copy of a secret that the masks do not flag', () => {
    const m = load(path.join(SHARED, 'generated/tf-local-1.json'));
    const out = attributesOf(byAddr(m, 'terraform_data.keep')).find((a) => a.path[0] === 'output')!;
    assert.deepEqual(out.before, { name: 'keep', secret: SENSITIVE });
  });

  it('tf-local-2: forget, import, move and replace by request', () => {
    const m = load(path.join(SHARED, 'generated/tf-local-2.json'));
    assert.equal(byAddr(m, 'terraform_data.added[0]').action, 'forget');
    const imp = byAddr(m, 'terraform_data.imported');
    assert.equal(imp.action, 'import');
    assert.equal(imp.importId, 'some-existing-id');
    const mv = byAddr(m, 'terraform_data.kept');
    assert.equal(mv.action, 'move');
    assert.equal(mv.previousAddress, 'terraform_data.keep');
    assert.equal(byAddr(m, 'terraform_data.replace_me').reason, 'replace_by_request');
    assert.ok(!JSON.stringify(toJSON(m)).includes('"changed"'));
  });

  it('errored plans: opentofu (no changes) and terraform 1.11 (changes + failed check)', () => {
    const a = load(path.join(SHARED, 'tf-opentofu-1.json'));
    assert.equal(a.errored, true);
    assert.equal(a.resources.length, 0);
    assert.ok(a.diagnostics.length >= 1);
    const b = load(path.join(SHARED, 'generated/tf-local-3.json'));
    assert.equal(b.errored, true);
    assert.ok(
      b.diagnostics.some((d) => d.summary === 'guard_ok must be true' && d.address === 'terraform_data.guarded'),
    );
    assert.ok(b.resources.some((r) => r.reason === 'replace_because_tainted'));
  });

  it('drift with relevant_attributes, moved + drift, old format 0.1', () => {
    const d = load(path.join(SHARED, 'tf-terraform-2.json'));
    assert.equal(d.drift.length, 1);
    assert.equal(d.drift[0].address, 'test_instance.should_refresh');
    assert.ok(
      attributesOf(d.drift[0]).some((x) => x.path[0] === 'ami' && x.before === 'refresh-me' && x.after === 'refreshed'),
    );
    const mv = load(path.join(SHARED, 'tf-terraform-4.json'));
    assert.ok(mv.resources.some((r) => r.previousAddress) && mv.drift.length >= 1);
    const old = load(path.join(SHARED, 'tf-terraform-compliance-1.json'));
    assert.equal(old.formatVersion, '0.1');
    assert.equal(old.summary.drift, 15);
    assert.deepEqual([old.summary.create, old.summary.update, old.summary.delete, old.summary.noop], [5, 1, 2, 7]);
  });

  it('sensitive variables and schema-sensitive attributes (opentofu, terraform goldens)', () => {
    const m = load(path.join(SHARED, 'tf-opentofu-2.json'));
    const json = JSON.stringify(toJSON(m));
    assert.ok(!json.includes('"secret"') && !json.includes('"bar"'), json);
    const t3 = load(path.join(SHARED, 'tf-terraform-3.json'));
    assert.ok(t3.outputs.every((o) => o.after === SENSITIVE || !o.sensitive));
  });

  it('tainted replace (terraform-json) and real random provider replace with sensitive + unknown', () => {
    const t = load(path.join(SHARED, 'tf-terraform-json-1.json'));
    assert.equal(t.resources[0].reason, 'replace_because_tainted');
    assert.equal(t.summary.replace, 1);
    const r = load(path.join(SHARED, 'tf-tf-plan-format-1.json'));
    const rc = r.resources[0];
    assert.equal(rc.action, 'replace');
    assert.deepEqual(rc.replacePaths, [['length']]);
    const attrs = attributesOf(rc);
    assert.ok(attrs.some((a) => a.sensitive && a.before === SENSITIVE));
    assert.ok(attrs.some((a) => a.unknown));
  });

  it('decodes UTF-16LE and UTF-8 with a BOM to the same model', () => {
    const plain = JSON.stringify(toJSON(load(path.join(SHARED, 'generated/tf-local-1.json'))));
    assert.equal(JSON.stringify(toJSON(load(path.join(LOCAL, 'tf-local-1.utf16le-bom.json')))), plain);
    assert.equal(JSON.stringify(toJSON(load(path.join(LOCAL, 'tf-local-1.utf8-bom.json')))), plain);
  });

  it('rejects a future major format version with a clear message', () => {
    assert.throws(
      () => load(path.join(LOCAL, 'tf-future-major.json')),
      (e: unknown) => {
        assert.ok(e instanceof PlanFormatError);
        assert.match(e.message, /unsupported Terraform plan format version 2\.0.*0\.x and 1\.x/);
        return true;
      },
    );
  });

  it('rejects non-plans clearly', () => {
    assert.throws(() => parsePlanDocument(''), /empty/);
    assert.throws(() => parsePlanDocument('{"hello":1}'), /unrecognised plan format/);
    assert.throws(() => parsePlanDocument(Buffer.from([0x54, 0x46, 0x50, 0x4b, 0x03])), /binary Terraform plan/);
  });

  it('learns secrets into the shared redactor so logs can be masked', () => {
    const r = new Redactor();
    load(path.join(SHARED, 'generated/tf-local-1.json'), r);
    assert.equal(r.redact('value hunter2 then changed'), `value ${SENSITIVE} then ${SENSITIVE}`);
  });
});

describe('terraform -json stream', () => {
  it('parses planned changes with the stream vocabulary', () => {
    const lines = fs.readFileSync(path.join(SHARED, 'generated/tf-local-plan-stream-2.jsonl'), 'utf8').split('\n');
    const changes = lines
      .map(parseStreamLine)
      .filter((l) => l?.event.type === 'planned_change')
      .map((l) => (l!.event as any).change);
    const actions = Object.fromEntries(changes.map((c: any) => [c.address, c.action]));
    assert.equal(actions['terraform_data.kept'], 'move');
    assert.equal(actions['terraform_data.imported'], 'import');
    assert.ok(Object.values(actions).includes('forget'));
    assert.equal(changes.find((c: any) => c.address === 'terraform_data.kept').previousAddress, 'terraform_data.keep');
  });

  it('apply stream with an error ends errored with the diagnostic', () => {
    const m = load(path.join(SHARED, 'generated/tf-local-apply-errored.jsonl'));
    assert.equal(m.errored, true);
    assert.ok(m.diagnostics.some((d) => d.summary === 'local-exec provisioner error'));
  });
});

describe('pulumi', () => {
  it('preview: replace with null detailedDiff falls back to replaceReasons; update; create', () => {
    const m = load(path.join(SHARED, 'pulumi-drift-adopter-1.json'));
    assert.equal(m.source, 'pulumi');
    assert.ok(m.notices?.some((n) => /fresh preview/.test(n)));
    const rep = m.resources.find((r) => r.action === 'replace')!;
    assert.deepEqual(rep.replacePaths, [['algorithm'], ['ecdsaCurve']]);
    assert.equal(rep.type, 'tls:index/privateKey:PrivateKey');
    assert.equal(rep.name, 'tls-key-0');
    assert.ok(attributesOf(rep).find((a) => a.path[0] === 'algorithm')!.forcesReplace);
  });

  it('preview: every op type, secrets shown as masked, unknown sentinel as known after apply', () => {
    const m = load(path.join(SHARED, 'pulumi-drift-adopter-2.json'));
    assert.deepEqual([m.summary.create, m.summary.update, m.summary.delete, m.summary.replace], [1, 1, 1, 2]);
    const json = JSON.stringify(toJSON(m));
    assert.ok(!json.includes('04da6b54-80e4-46f7-96ec-b56ff0331ba9'), 'unknown sentinel leaked');
    assert.ok(!json.includes('[secret]'), 'pulumi secret marker should become the shared mask');
  });

  it('event logs: replace chain folds into one replace; failed op and maybeCorrupt', () => {
    const a = load(path.join(SHARED, 'pulumi-events-pulumi-1.jsonl'));
    assert.equal(a.formatVersion, 'events');
    assert.equal(a.summary.replace, 1);
    const rep = a.resources.find((r) => r.action === 'replace')!;
    assert.ok(rep.replacePaths?.some((p) => p[0] === 'userData'));
    const b = load(path.join(SHARED, 'pulumi-events-pulumi-2.jsonl'));
    assert.equal(b.errored, true);
    assert.ok(b.diagnostics.some((d) => d.severity === 'error' && /update failed/.test(d.summary)));
    assert.ok(b.notices?.some((n) => /maybeCorrupt/.test(n)));
    assert.ok(!JSON.stringify(toJSON(b)).includes('1b47061264138c4ac30d75fd1eb44270'));
  });

  it('property paths and URNs', () => {
    assert.deepEqual(parsePropertyPath('ingress[0].fromPort'), ['ingress', 0, 'fromPort']);
    assert.deepEqual(parsePropertyPath('tags["key.with.dots"]'), ['tags', 'key.with.dots']);
    assert.deepEqual(parseUrn('urn:pulumi:dev::proj::my:comp$aws:s3/bucket:Bucket::b1'), {
      type: 'aws:s3/bucket:Bucket',
      name: 'b1',
      parent: 'my:comp',
    });
  });
});
