import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

// Activation must not pay for the heavy libraries (the Kubernetes, ECR and Docker clients, YAML, the tar packer of
// build contexts, the .dockerignore matcher): the build puts them in dist/vendor and the extension bundle loads
// them on first use. Loading dist/main.js, the extension (with a stand-in for the vscode
// module) must read no vendor file, and the first use of a client must load exactly its own.

const root = path.join(__dirname, '..', '..', '..');

/** Loads the bundle in a fresh Node and reports which dist/vendor files were required, before and after `use`. */
function load(use: string): { atLoad: string[]; afterUse: string[] } {
  const script = `
    const Module = require('module'); const orig = Module._load; const seen = [];
    const deep = () => new Proxy(function () {}, { get: (t, k) => (k === Symbol.toPrimitive ? () => 0 : deep()), apply: () => deep(), construct: () => deep() });
    const names = [...new Set([...require('fs').readFileSync(${JSON.stringify(path.join(root, 'dist/main.js'))}, 'utf8').matchAll(/vscode(?:\\d+|_exports)?\\.(\\w+)/g)].map((m) => m[1]))];
    const stub = Object.fromEntries(names.map((n) => [n, deep()]));
    Module._load = function (r, parent, ...a) {
      if (r === 'vscode') return stub;
      if (r.includes('/vendor/')) seen.push(require('path').basename(r));
      return orig.call(this, r, parent, ...a);
    };
    const ext = require(${JSON.stringify(path.join(root, 'dist/main.js'))});
    const atLoad = [...seen];
    ${use}
    console.log(JSON.stringify({ atLoad, afterUse: seen }));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('extension bundle: heavy clients load on first use', function () {
  this.timeout(120_000);

  before(() => {
    const b = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  });

  it('keeps the clients out of dist/main.js and loads none of them at load time', () => {
    for (const v of ['kubernetes', 'ecr', 'dockerode', 'yaml', 'tar-fs', 'dockerignore'])
      assert.ok(fs.existsSync(path.join(root, 'dist', 'vendor', `${v}.js`)), `dist/vendor/${v}.js`);
    const size = fs.statSync(path.join(root, 'dist', 'main.js')).size;
    assert.ok(size < 1_200_000, `dist/main.js is ${size} bytes: a heavy library was bundled into it again`);
    const { atLoad } = load('');
    assert.deepEqual(atLoad, []);
  });

  it('each vendor file exports what the source takes from it', () => {
    const vendor = (name: string) => createRequire(__filename)(path.join(root, 'dist', 'vendor', `${name}.js`));
    // Named imports and `ns.name` uses are found by the build; a miss would be undefined only at first use.
    assert.equal(typeof vendor('yaml').parseAllDocuments, 'function');
    assert.equal(typeof vendor('yaml').stringify, 'function');
    assert.equal(typeof vendor('tar-fs').pack, 'function');
    assert.equal(typeof vendor('dockerignore'), 'function');
    assert.equal(typeof vendor('dockerode'), 'function');
  });

  it('loads the vscode module once, not one namespace copy per source file', () => {
    const text = fs.readFileSync(path.join(root, 'dist', 'main.js'), 'utf8');
    assert.equal(text.match(/require\("vscode"\)/g)?.length, 1);
  });

  it('the CLI bundle reaches the Docker engine through the lazily loaded client', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hd-lazy-'));
    try {
      fs.writeFileSync(path.join(dir, 'helix.toml'), '[project]\nname = "lazy"\n\n[local.dev]\nport = 7399\n');
      fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
      const sock = path.join(dir, 'no-engine.sock');
      const r = spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), 'build', 'dev', '--project', dir], {
        encoding: 'utf8',
        env: { ...process.env, DOCKER_HOST: `unix://${sock}` },
      });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      // The engine error is mapped from the client's own error codes: the client really ran.
      assert.match(r.stderr, /No container engine at unix:\/\/.*no-engine\.sock/);
      assert.doesNotMatch(r.stderr, /Cannot find module|is not a constructor|undefined/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
