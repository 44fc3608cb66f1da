import { strict as assert } from 'node:assert';
import { check, codes, fix, fixture } from './helpers';

const P = '[project]\nname = "app"\n\n';

describe('config: helix.toml diagnostics', () => {
  it('the documented examples of each generation are clean', () => {
    for (const [f, gen] of [
      ['v2/helix.toml', 'v2'],
      ['v3.1/helix.toml', 'v3.1'],
      ['v3-1025/helix.toml', 'v3.4'],
    ] as const) {
      const seen = check(fixture(f), { generation: gen });
      assert.deepEqual(
        seen.map((s) => s.message),
        [],
        f,
      );
    }
  });

  it('a helix.toml without [project] gets no diagnostics, even when broken', () => {
    assert.deepEqual(check(fixture('notHelix/helix.toml')), []);
    assert.deepEqual(check('theme = "x"\n[editor\n'), []);
  });

  describe('TOML syntax (spec rules), with exact ranges', () => {
    it('duplicate key', () => {
      const s = check(P + '[local.dev]\nport = 1\nport = 2\n');
      assert.equal(s.length, 1);
      assert.equal(s[0].code, 'toml-syntax');
      assert.equal(s[0].at, '6:1');
      assert.match(s[0].message, /multiple times.*merge or rename/);
    });
    it('redefined table', () => {
      const s = check(P + '[local.dev]\n[local.dev]\n');
      assert.equal(s[0].code, 'toml-syntax');
      assert.equal(s[0].at, '5:8'); // on the redefined segment
    });
    it('bad escape', () => {
      const s = check(P + '[local.dev]\nimage = "a\\qb"\n');
      assert.equal(s[0].code, 'toml-syntax');
      assert.equal(s[0].at, '5:12');
      assert.match(s[0].message, /escape.*literal string/);
    });
    it('missing value', () => {
      const s = check(P + '[local.dev]\nport =\n');
      assert.equal(s[0].code, 'toml-syntax');
      assert.match(s[0].message, /write a value/);
    });
    it('bare CR is rejected', () => {
      assert.equal(check(P + 'a = 1\r# x\n')[0].code, 'toml-syntax');
    });
  });

  describe('schema errors land on the key, the table header or the value', () => {
    it('unknown key: warning in v3.1 (ignored by the CLI) with a did-you-mean rename', () => {
      const t = P + '[local.dev]\nprot = 6969\n';
      const [s] = check(t, { generation: 'v3.1' });
      assert.equal(s.code, 'unknown-key');
      assert.equal(s.severity, 'warning');
      assert.equal(s.text, 'prot');
      assert.match(s.message, /ignored by helix CLI 3\.1; did you mean `port`\?/);
      assert.equal(fix(t, 'unknown-key', { generation: 'v3.1' }), P + '[local.dev]\nport = 6969\n');
    });
    it('unknown field: error in v3.4 outside [local], with the serde wording; remove fix keeps the rest', () => {
      const t =
        P + '[local.dev]\n\n[enterprise.prod]\ndatabase = "tenant:abc"\ncluster_id = "x" # old\nproject_id = "p"\n';
      const s = check(t, { generation: 'v3.4' });
      assert.deepEqual(
        s.map((x) => [x.code, x.severity, x.text]),
        [['unknown-key', 'error', 'cluster_id']],
      );
      assert.match(
        s[0].message,
        /^unknown field `cluster_id` in \[enterprise\.prod\], expected one of `database`, `workspace_id`, `project_id`/,
      );
      assert.equal(
        fix(t, 'unknown-key', { generation: 'v3.4' }, "Remove 'cluster_id'"),
        P + '[local.dev]\n\n[enterprise.prod]\ndatabase = "tenant:abc"\nproject_id = "p"\n',
      );
    });
    it('v3.4 rejects a v2 [cloud] table and root keys', () => {
      const s = check(P + '[local.dev]\n[cloud.x.helix]\ncluster_id = "c"\n', { generation: 'v3.4' });
      assert.equal(s[0].code, 'unknown-key');
      assert.match(s[0].message, /unknown field `cloud`/);
    });
    it('unknown keys inside [local.<name>] stay warnings in v3.4', () => {
      assert.deepEqual(
        check(P + '[local.dev]\nrestart = "always"\n', { generation: 'v3.4' }).map((s) => s.severity),
        ['warning'],
      );
    });
    it('missing required key on the table header, fix inserts it after the last key', () => {
      const t = P + '[enterprise.prod] # cloud\nworkspace_id = "w"\n\n[local.dev]\n';
      const [s] = check(t, { generation: 'v3.4' });
      assert.equal(s.code, 'missing-key');
      assert.equal(s.text, 'enterprise.prod');
      assert.match(
        s.message,
        /missing field `database` in \[enterprise\.prod\]: add it, e\.g\. database = "tenant:tenant-id"/,
      );
      assert.equal(
        fix(t, 'missing-key', { generation: 'v3.4' }),
        P + '[enterprise.prod] # cloud\nworkspace_id = "w"\ndatabase = ""\n\n[local.dev]\n',
      );
    });
    it('missing [project].name', () => {
      const s = check('[project]\nid = "x"\n[local.dev]\n');
      assert.equal(s[0].code, 'missing-key');
      assert.equal(s[0].text, 'project');
    });
    it('wrong type on the value: quoted integer, fix unquotes', () => {
      const t = P + '[local.dev]\nport = "6969"\n';
      const [s] = check(t);
      assert.equal(s.code, 'type');
      assert.equal(s.text, '"6969"');
      assert.equal(s.message, 'invalid type: string "6969", expected an integer: remove the quotes (6969)');
      assert.equal(fix(t, 'type'), P + '[local.dev]\nport = 6969\n');
    });
    it('a float is not an integer (TOML types are kept exact)', () => {
      assert.deepEqual(codes(P + '[local.dev]\nport = 6969.0\n'), ['type']);
    });
    it('a bare value where a string is expected: fix quotes it', () => {
      const t = P + '[local.dev]\ntag = 4\n';
      assert.equal(fix(t, 'type'), P + '[local.dev]\ntag = "4"\n');
    });
    it('wrong enum casing: case-sensitive hint and fix', () => {
      const t = P + '[local.dev]\nstorage = "Disk"\n';
      const [s] = check(t);
      assert.equal(
        s.message,
        'unknown variant `Disk`, expected one of `memory`, `disk`, `s3` (values are case-sensitive: use "disk")',
      );
      assert.equal(fix(t, 'enum'), P + '[local.dev]\nstorage = "disk"\n');
    });
    it('port out of range', () => {
      const [s] = check(P + '[local.dev]\nport = 70000\n');
      assert.equal(s.code, 'range');
      assert.match(s.message, /integer `70000`, expected an integer from 0 to 65535/);
    });
  });

  describe('the CLI semantic rules, in its wording', () => {
    it('project name cannot be empty, fix uses the folder name', () => {
      const t = '[project]\nname = "  "\n[local.dev]\n';
      const [s] = check(t, { file: 'helix.toml', folderName: 'shop' });
      assert.equal(s.code, 'project-name');
      assert.match(s.message, /^project name cannot be empty in helix\.toml/);
      assert.equal(fix(t, 'project-name', { folderName: 'shop' }), '[project]\nname = "shop"\n[local.dev]\n');
    });
    it('at least one instance, on the [project] header; fix adds [local.dev]', () => {
      const t = '[project]\nname = "app"\n';
      const [s] = check(t, { file: 'sub/helix.toml' });
      assert.equal(s.code, 'no-instance');
      assert.equal(s.text, 'project');
      assert.equal(
        s.message,
        'at least one instance must be defined in sub/helix.toml: add one with `helix add local --name dev` (or `helix add enterprise`)',
      );
      const fixed = fix(t, 'no-instance');
      assert.equal(fixed, '[project]\nname = "app"\n\n[local.dev]\nport = 6969\n');
      assert.deepEqual(check(fixed), []);
    });
    it('instance names: ASCII [A-Za-z0-9_-] (error in v3.4, warning before)', () => {
      const t = P + '[local."my dev"]\n';
      const a = check(t, { generation: 'v3.4' });
      assert.equal(a[0].code, 'instance-name');
      assert.equal(a[0].severity, 'error');
      assert.equal(a[0].text, '"my dev"');
      assert.match(
        a[0].message,
        /instance name 'my dev' in helix\.toml must contain only ASCII letters, digits, '-', or '_'/,
      );
      assert.equal(check(t, { generation: 'v3.1' })[0].severity, 'warning');
      assert.equal(check(P + '[local.""]\n')[0].message.startsWith('instance name cannot be empty'), true);
    });
    it('instance names are unique across tables', () => {
      const s = check(P + '[local.prod]\n[enterprise.prod]\ncluster_id = "c"\n', { generation: 'v3.1' });
      assert.deepEqual(
        s.map((x) => [x.code, x.at]),
        [['duplicate-instance', '5:13']],
      );
      assert.match(s[0].message, /instance 'prod' already exists in helix\.toml/);
    });
    it('s3 table iff storage = "s3"; fix adds the table', () => {
      const t = P + '[local.dev]\nstorage = "s3"\nport = 1\n\n[local.other]\nport = 2\n';
      const [s] = check(t);
      assert.equal(s.code, 's3-missing');
      assert.equal(
        s.message,
        "local instance 'dev' uses s3 storage but has no [local.dev.s3] config in helix.toml: add the table with at least a bucket",
      );
      const fixed = fix(t, 's3-missing');
      assert.equal(
        fixed,
        P + '[local.dev]\nstorage = "s3"\nport = 1\n\n[local.dev.s3]\nbucket = ""\n\n[local.other]\nport = 2\n',
      );
      assert.deepEqual(codes(fixed), ['s3-blank']);
      const u = P + '[local.dev]\nport = 1\n[local.dev.s3]\nbucket = "b"\n';
      const [s2] = check(u);
      assert.equal(s2.message, 'local instance \'dev\' has s3 config but storage is not set to "s3" in helix.toml');
      assert.equal(fix(u, 's3-unused'), P + '[local.dev]\nport = 1\nstorage = "s3"\n[local.dev.s3]\nbucket = "b"\n');
    });
    it('s3 endpoint URL scheme, and blank bucket', () => {
      const s = check(P + '[local.dev]\nstorage = "s3"\ns3 = { bucket = " ", endpoint_url = "s3.example.com" }\n');
      assert.deepEqual(
        s.map((x) => x.code),
        ['s3-blank', 's3-endpoint'],
      );
      assert.match(
        s[1].message,
        /invalid S3 endpoint URL in helix\.toml: S3 endpoint URL must start with http:\/\/ or https:\/\//,
      );
    });
    it('port clashes between local instances (explicit or default 6969)', () => {
      const t = P + '[local.a]\nport = 7000\n[local.b]\nport = 7000\n[local.c]\n[local.d]\n';
      const s = check(t);
      assert.deepEqual(
        s.map((x) => [x.code, x.at]),
        [
          ['port-clash', '7:8'],
          ['port-clash', '9:2'],
        ],
      );
      assert.match(s[0].message, /'a' and 'b' both use port 7000/);
      assert.equal(fix(t, 'port-clash'), P + '[local.a]\nport = 7000\n[local.b]\nport = 7001\n[local.c]\n[local.d]\n');
    });
    it('port 0 is a warning', () => {
      assert.deepEqual(
        check(P + '[local.a]\nport = 0\n').map((s) => s.severity),
        ['warning'],
      );
    });
    it('v3.1: enterprise cluster_id must not be blank', () => {
      const s = check(P + '[enterprise.prod]\ncluster_id = ""\n', { generation: 'v3.1' });
      assert.equal(s[0].message, "Enterprise instance 'prod' must have a non-empty cluster_id in helix.toml");
    });
    it('v3.4: database must be cluster:<id> or tenant:<id>', () => {
      const a = check(P + '[enterprise.prod]\ndatabase = "db-1"\n', { generation: 'v3.4' });
      assert.deepEqual(
        a.map((x) => x.code),
        ['database'],
      );
      assert.match(a[0].message, /^database must be cluster:<id> or tenant:<id>/);
      const b = check(P + '[enterprise.prod]\ndatabase = "tenant:a b"\n', { generation: 'v3.4' });
      assert.match(b[0].message, /^database ID is invalid/);
    });
    it('v2: auth_type casing ("cli" -> "Cli")', () => {
      const t =
        P +
        '[cloud.prod.fly]\nvm_size = "shared-cpu-4x"\nvolume = "v:/data"\nvolume_initial_size = 20\nauth_type = "cli"\n';
      const [s] = check(t);
      assert.equal(s.code, 'enum');
      assert.match(
        s.message,
        /unknown variant `cli`, expected one of `Cli`, `ApiKey` \(values are case-sensitive: use "Cli"\)/,
      );
      assert.equal(fix(t, 'enum'), t.replace('"cli"', '"Cli"'));
      assert.match(
        check(
          t
            .replace(/fly\]/, 'ecr]')
            .replace(/vm_size.*\nvolume.*\nvolume_initial.*\n/, 'repository_name = "r"\nregion = "us"\n')
            .replace('"cli"', '"aws_cli"'),
        )[0].message,
        /expected `AwsCli`.*did you mean "AwsCli"/,
      );
    });
    it('v2: build_mode = "debug" gets the CLI message', () => {
      const t = P + '[local.dev]\nbuild_mode = "debug"\n';
      const [s] = check(t);
      assert.equal(
        s.message,
        '`build_mode = "debug"` is removed in favour of dev mode. Please update to `build_mode = "dev"` in helix.toml',
      );
      assert.equal(fix(t, 'build-mode-debug'), t.replace('debug', 'dev'));
    });
    it('v2: a cloud instance has exactly one provider table', () => {
      const s = check(
        P +
          '[cloud.x.helix]\ncluster_id = "a"\n[cloud.x.fly]\nvm_size = "a10"\nvolume = "v"\nvolume_initial_size = 1\nauth_type = "Cli"\n',
      );
      assert.deepEqual(
        s.map((x) => x.code),
        ['table-size'],
      );
    });
  });

  it('fixes keep comments and CRLF line breaks', () => {
    const t = '[project]\r\nname = "app" # mine\r\n\r\n[local.dev] # dev box\r\nstorage = "s3"\r\n';
    assert.equal(
      fix(t, 's3-missing'),
      '[project]\r\nname = "app" # mine\r\n\r\n[local.dev] # dev box\r\nstorage = "s3"\r\n\r\n[local.dev.s3]\r\nbucket = ""\r\n',
    );
  });
});
