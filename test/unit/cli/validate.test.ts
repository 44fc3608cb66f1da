import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES } from '../core/config/helpers';

// The real `helix-deploy` entry point in a child process (through tsx), as CI would run it.
const ROOT = path.resolve(__dirname, '../../..');

function cli(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}, user?: { uid: number; gid: number }) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/index.ts'), ...args], {
    cwd,
    ...user,
    encoding: 'utf8',
    // No helix CLI on this PATH: generation detection must not depend on the machine.
    env: { ...process.env, HELIX_DEPLOY_HELIX_PATH: '/nonexistent/helix', ...env },
    timeout: 60000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('cli: helix-deploy validate', function () {
  this.timeout(60000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hd-validate-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('prints file:line:col: severity: message and exits 1 on errors', () => {
    const r = cli(['validate', 'test/fixtures/config/broken/helix.toml']);
    assert.equal(r.code, 1, r.err);
    assert.equal(
      r.out,
      [
        'test/fixtures/config/broken/helix.toml:5:8: error: invalid type: string "6969", expected an integer: remove the quotes (6969) [type]',
        'test/fixtures/config/broken/helix.toml:6:11: error: unknown variant `S3`, expected one of `memory`, `disk`, `s3` (values are case-sensitive: use "s3") [enum]',
        'test/fixtures/config/broken/helix.toml:7:1: warning: unknown key `prot` in [local.dev] is ignored by helix CLI 3.4; did you mean `port`? [unknown-key]',
        '1 file checked: 2 errors, 1 warning',
        '',
      ].join('\n'),
    );
  });

  it("--json prints the documented shape; folders are searched, other tools' helix.toml skipped", () => {
    const r = cli(['validate', FIXTURES, '--json']);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out);
    const rel = (f: string) => path.relative(FIXTURES, f);
    assert.deepEqual(
      j.files.map((f: any) => [rel(f.file), f.kind, f.generation, f.diagnostics.length]),
      [
        ['broken/helix.toml', 'helix', 'v3.4', 3],
        ['deploy/helix.deploy.toml', 'deploy', 'v3.4', 0],
        ['deploy/helix.toml', 'helix', 'v3.4', 0],
        ['typical/helix.toml', 'helix', 'v3.1', 0],
        ['v2/helix.toml', 'helix', 'v2', 0],
        ['v3-1025/helix.toml', 'helix', 'v3.4', 0],
        ['v3.1/helix.toml', 'helix', 'v3.1', 0],
      ],
    );
    assert.deepEqual(j.files[0].diagnostics[0], {
      line: 5,
      column: 8,
      endLine: 5,
      endColumn: 14,
      severity: 'error',
      message: 'invalid type: string "6969", expected an integer: remove the quotes (6969)',
      code: 'type',
    });
  });

  it('exits 0 on warnings only and with --generation validates as that CLI would', () => {
    assert.equal(cli(['validate', 'test/fixtures/config/v3.1']).code, 0);
    const r = cli(['validate', 'test/fixtures/config/v3.1', '--generation', 'v3.4', '--json']);
    assert.equal(r.code, 1);
    assert.ok(
      JSON.parse(r.out).files[0].diagnostics.some((d: any) => d.message.startsWith('unknown field `cluster_id`')),
    );
  });

  it('detects the generation from `helix --version` first', () => {
    const dir = path.join(tmp, 'gen');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'helix.toml'), '[project]\nname = "a"\n[local.dev]\n');
    const fake = path.join(tmp, 'helix');
    fs.writeFileSync(fake, '#!/bin/sh\necho "helix 3.1.2"\n', { mode: 0o755 });
    const r = cli(['validate', dir, '--json'], ROOT, { HELIX_DEPLOY_HELIX_PATH: fake });
    assert.equal(JSON.parse(r.out).files[0].generation, 'v3.1');
    fs.writeFileSync(fake, '#!/bin/sh\necho "helix 3.4.4"\n', { mode: 0o755 });
    const v31 = cli(['validate', path.join(FIXTURES, 'v3.1/helix.toml'), '--json'], ROOT, {
      HELIX_DEPLOY_HELIX_PATH: fake,
    });
    assert.equal(JSON.parse(v31.out).files[0].generation, 'v3.4', 'the installed CLI decides over the content');
    assert.equal(v31.code, 1);
  });

  it('usage errors exit 2 with an actionable message', () => {
    let r = cli(['validate', 'does/not/exist']);
    assert.equal(r.code, 2);
    assert.match(r.err, /no such file or folder: does\/not\/exist/);
    r = cli(['validate', '--frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown option '--frobnicate'/);
    r = cli(['validate', '--generation', 'v9']);
    assert.equal(r.code, 2);
    r = cli(['validate', fs.mkdtempSync(path.join(tmp, 'empty-'))]);
    assert.equal(r.code, 2);
    assert.match(r.err, /no helix\.toml or helix\.deploy\.toml found/);
    r = cli(['nonsense']);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command 'nonsense'/);
  });

  it('--help lists the commands; validate --help documents the options', () => {
    const r = cli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /validate\s+Check helix\.toml/);
    const v = cli(['validate', '--help']);
    assert.equal(v.code, 0);
    assert.match(v.out, /--json/);
    assert.match(v.out, /--generation GEN/);
  });

  it('build, push, deploy and history document their exit codes and refuse bad usage with exit 2', () => {
    const r = cli(['--help']);
    for (const c of ['build', 'push', 'deploy', 'history'])
      assert.match(r.out, new RegExp(`^  ${c}\\s+\\S`, 'm'), `--help lists ${c}`);
    for (const c of ['build', 'push', 'deploy', 'history']) {
      const h = cli([c, '--help']);
      assert.equal(h.code, 0);
      assert.match(h.out, /Exit status: 0 /);
      assert.match(h.out, /--json/);
    }
    assert.match(cli(['deploy', '--help']).out, /4 planned with changes but not applied/);
    const proj = fs.mkdtempSync(path.join(tmp, 'history-'));
    fs.writeFileSync(
      path.join(proj, 'helix.toml'),
      '[project]\nname = "demo"\nqueries = "db/"\n\n[local.dev]\nport = 6969\n',
    );
    let u = cli(['history', '--limit', '0', '--project', proj]);
    assert.equal(u.code, 2);
    assert.match(u.err, /--limit must be a whole number of runs, at least 1/);
    u = cli(['deploy', '--project', proj]);
    assert.equal(u.code, 2);
    assert.match(u.err, /missing ENV/);
    u = cli(['push', 'nope', '--project', proj]);
    assert.equal(u.code, 2);
    assert.match(u.err, /no environment with a registry "nope"/);
    u = cli(['build', 'nope', '--project', proj]);
    assert.equal(u.code, 2);
    assert.match(u.err, /no helix\.toml instance "nope" .*\(available: dev\)/);
    const empty = cli(['history', '--json', '--project', proj]);
    assert.equal(empty.code, 0, empty.err);
    assert.deepEqual(JSON.parse(empty.out), []);
  });

  it('bad bytes and foreign files are reported, not crashed on', () => {
    const bad = path.join(tmp, 'bad');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'helix.toml'), Buffer.from([0x5b, 0x70, 0xff, 0xfe, 0x0a]));
    let r = cli(['validate', path.join(bad, 'helix.toml'), '--json']);
    assert.equal(r.code, 1);
    assert.match(JSON.parse(r.out).files[0].diagnostics[0].message, /not valid UTF-8/);
    // Another tool's helix.toml: no diagnostic at all (a problem matcher would put it in the editor),
    // only a note on stderr saying why it was skipped.
    r = cli(['validate', path.join(FIXTURES, 'notHelix/helix.toml')]);
    assert.equal(r.code, 0);
    assert.equal(r.out, '0 files checked: 0 errors, 0 warnings\n');
    assert.match(r.err, /skipped .*notHelix\/helix\.toml: not a HelixDB project file \(no \[project\] table\)/);
    r = cli(['validate', path.join(FIXTURES, 'notHelix/helix.toml'), '--json']);
    assert.deepEqual(JSON.parse(r.out), { files: [], unreadable: [] });
  });

  it('a file named on the command line that is empty is an error, not a pass', () => {
    const dir = path.join(tmp, 'empty-files');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'helix.toml'), '');
    let r = cli(['validate', path.join(dir, 'helix.toml')]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /error: not a HelixDB project file \(the file is empty\)/);
    fs.writeFileSync(path.join(dir, 'helix.toml'), '# only a comment\n\n');
    assert.equal(cli(['validate', path.join(dir, 'helix.toml')]).code, 1);
    fs.writeFileSync(path.join(dir, 'helix.toml'), '[project]\nname = "a"\n[local.dev]\n');
    fs.writeFileSync(path.join(dir, 'helix.deploy.toml'), '\n');
    r = cli(['validate', path.join(dir, 'helix.deploy.toml'), '--json']);
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.out).files[0].diagnostics[0].code, 'empty-file');
    // Found by the folder search, an empty helix.deploy.toml is no error (nobody asked for that file).
    assert.equal(cli(['validate', dir]).code, 0);
  });

  it('a folder the search cannot read is reported on stderr and in --json, with its path', () => {
    // Root reads any folder: run the CLI as nobody then, so that the permission is real.
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
    const top = fs.mkdtempSync(path.join(tmp, 'perm-'));
    fs.chmodSync(tmp, 0o755);
    fs.chmodSync(top, 0o755);
    fs.mkdirSync(path.join(top, 'ok'), { mode: 0o755 });
    fs.writeFileSync(path.join(top, 'ok/helix.toml'), '[project]\nname = "a"\n[local.dev]\n', { mode: 0o644 });
    fs.mkdirSync(path.join(top, 'secret'));
    fs.writeFileSync(path.join(top, 'secret/helix.toml'), '[project]\nname = 1\n');
    fs.chmodSync(path.join(top, 'secret'), 0o000);
    try {
      let r = cli(['validate', top], ROOT, {}, user);
      assert.equal(r.code, 0, r.err);
      assert.match(
        r.err,
        new RegExp(
          `warning: cannot read folder ${path.join(top, 'secret').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: EACCES \\(permission denied\\); files in it were not checked`,
        ),
      );
      assert.match(r.out, /1 file checked/);
      r = cli(['validate', top, '--json'], ROOT, {}, user);
      const j = JSON.parse(r.out);
      assert.deepEqual(
        j.unreadable.map((u: any) => u.path),
        [path.join(top, 'secret')],
      );
      assert.equal(j.files.length, 1);
    } finally {
      fs.chmodSync(path.join(top, 'secret'), 0o755);
    }
  });
});
