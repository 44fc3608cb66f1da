import { strict as assert } from 'node:assert';
import { complete } from '../../../../../src/core/config/assist/complete';
import { hover } from '../../../../../src/core/config/assist/hover';
import { cursorContext } from '../../../../../src/core/config/assist/context';
import { parseConfig } from '../../../../../src/core/config/validate';

/** Text with a `|` marking the cursor. */
function at(marked: string) {
  const offset = marked.indexOf('|');
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}

function labels(
  marked: string,
  gen: 'v2' | 'v3.1' | 'v3.4' = 'v3.4',
  kind: 'helix' | 'deploy' = 'helix',
  treeText?: string,
) {
  const { text, offset } = at(marked);
  const tree = parseConfig(treeText ?? text).tree;
  return complete(text, offset, { kind, generation: gen, tree });
}

describe('config: completion and hover', () => {
  it('reads the cursor context while the file is broken', () => {
    const { text, offset } = at('[project]\nname = "a"\n[local.dev]\nsto|');
    assert.deepEqual(cursorContext(text, offset), {
      kind: 'key',
      path: ['local', 'dev'],
      prefix: 'sto',
      replace: { start: offset - 3, end: offset },
      inline: false,
      lineStart: true,
    });
    const v = at('[local.dev]\ns3 = { bucket = "b", region = "|" }');
    const c = cursorContext(v.text, v.offset);
    assert.equal(c.kind, 'value');
    assert.deepEqual((c as any).path, ['local', 'dev', 's3', 'region']);
    assert.equal(cursorContext('a = """\n|', 8).kind, 'none');
  });

  it('offers the keys of the table at the cursor, minus those present', () => {
    const items = labels('[project]\nname = "a"\n[local.dev]\nport = 1\n|', 'v3.4');
    const keys = items.filter((i) => i.kind === 'property').map((i) => i.label);
    // Helix Deploy's own keys are offered in helix.deploy.toml only: the CLI deletes them from helix.toml.
    assert.deepEqual(keys, ['image', 'tag', 'pull', 'storage', 's3']);
    const own = labels('[instances.dev]\n|', 'v3.4', 'deploy')
      .filter((i) => i.kind === 'property')
      .map((i) => i.label);
    assert.deepEqual(own, ['build', 'health', 'sidecar_image']);
    const storage = items.find((i) => i.label === 'storage')!;
    assert.equal(storage.insertText, 'storage = "${1|memory,disk,s3|}"');
    assert.match(storage.documentation!, /Default: `"memory"`/);
  });

  it('offers generation-specific keys', () => {
    const ent = (g: 'v2' | 'v3.1' | 'v3.4') =>
      labels('[project]\nname = "a"\n[enterprise.prod]\n|', g)
        .filter((i) => i.kind === 'property')
        .map((i) => i.label);
    assert.deepEqual(ent('v3.4'), ['database', 'workspace_id', 'project_id']);
    assert.ok(ent('v3.1').includes('cluster_id') && ent('v3.1').includes('gateway_url'));
    assert.ok(ent('v2').includes('availability_mode'));
  });

  it('offers snippets for new instances at the start of a line', () => {
    const items = labels('[project]\nname = "a"\n\n[local.dev]\n\n|', 'v3.4');
    const local = items.find((i) => i.label === '[local.<name>]')!;
    assert.equal(local.insertText, '[local.${1:dev}]\nport = ${2:6970}\n');
    assert.ok(items.some((i) => i.label === '[enterprise.<name>]' && i.insertText.includes('database = ')));
    assert.ok(labels('|', 'v2').some((i) => i.label === '[cloud.<name>.fly]'));
    assert.ok(labels('|', 'v3.4', 'deploy').some((i) => i.label === '[environments.<name>] terraform'));
  });

  it('completes enum values with their descriptions, replacing the typed value', () => {
    const { text, offset } = at('[local.dev]\nstorage = "di|"');
    const items = complete(text, offset, { kind: 'helix', generation: 'v3.4' });
    assert.deepEqual(
      items.map((i) => i.label),
      ['"memory"', '"disk"', '"s3"'],
    );
    assert.deepEqual(items[1].replace, { start: text.indexOf('"di'), end: text.length });
    assert.match(items[2].documentation!, /S3 bucket/);
    assert.deepEqual(
      labels('[cloud.x.fly]\nauth_type = |', 'v2').map((i) => i.label),
      ['"Cli"', '"ApiKey"'],
    );
    assert.deepEqual(
      labels('[environments.a]\nprotected = |', 'v3.4', 'deploy').map((i) => i.label),
      ['true', 'false'],
    );
  });

  it('completes `instance =` in helix.deploy.toml with the helix.toml instances', () => {
    const { text, offset } = at('[environments.a]\ninstance = |');
    const items = complete(text, offset, { kind: 'deploy', generation: 'v3.4', instances: ['dev', 'prod'] });
    assert.deepEqual(
      items.map((i) => i.label),
      ['"dev"', '"prod"'],
    );
  });

  it('completes table headers', () => {
    assert.deepEqual(
      labels('[|', 'v3.4').map((i) => i.label),
      ['project', 'local', 'enterprise'],
    );
    assert.ok(labels('[|', 'v2').some((i) => i.label === 'cloud'));
    assert.deepEqual(
      labels('[local.dev]\n[local.dev.|', 'v3.4', 'helix', '[local.dev]\n').map((i) => i.label),
      ['s3'],
    );
    assert.deepEqual(
      labels('[local.|', 'v3.4', 'helix', '[local.dev]\n').map((i) => i.label),
      ['dev'],
    );
  });

  it('completes keys inside inline tables', () => {
    // Mid-typing the text does not parse; the editor passes the last tree that did.
    const items = labels(
      '[environments.a]\nterraform = { dir = "x", | }',
      'v3.4',
      'deploy',
      '[environments.a]\nterraform = { dir = "x" }',
    );
    assert.deepEqual(
      items.map((i) => i.label),
      ['vars', 'var_files', 'workspace'],
    );
  });

  it('hover shows documentation, default and the enum value meaning', () => {
    const t = '[project]\nname = "a"\n[local.dev]\nstorage = "disk"\n';
    const key = hover(t, t.indexOf('storage') + 2, { kind: 'helix', generation: 'v3.4' })!;
    assert.match(key.markdown, /\*\*local\.dev\.storage\*\*/);
    assert.match(key.markdown, /Default: `"memory"`/);
    assert.equal(t.slice(key.range.start, key.range.end), 'storage');
    const val = hover(t, t.indexOf('"disk"') + 2, { kind: 'helix', generation: 'v3.4' })!;
    assert.match(val.markdown, /^`"disk"`: On disk/);
    const head = hover(t, t.indexOf('dev]') + 1, { kind: 'helix', generation: 'v3.4' })!;
    assert.match(head.markdown, /A local instance/);
    assert.equal(t.slice(head.range.start, head.range.end), 'dev');
    assert.equal(
      hover(t, t.indexOf('name') + 1, { kind: 'helix', generation: 'v3.4' })!.markdown.includes('must not be blank'),
      true,
    );
    assert.equal(hover('[x]\ny = 1\n', 5, { kind: 'helix', generation: 'v3.4' }), undefined);
  });
});
