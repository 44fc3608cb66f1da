import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadWithCodeCache } from '../../../src/boot/codeCache';

// The extension is compiled through V8's code cache. A cache must never run code other than the file's current
// text (V8 itself only compares lengths), a broken or foreign cache must cost a compile and nothing else, and a
// storage folder it cannot write must not stop the extension. Each start is a fresh Node process, as each
// window's extension host is: within one process V8 reuses its own compilation and ignores the cache.

const MODULE = path.join(__dirname, '..', '..', '..', 'src', 'boot', 'codeCache.ts');

/** Starts a process that loads `file` through the cache (and saves it), and says what it got. */
function start(file: string, cacheDir: string): { cache: string; tag: string; answer: number; where: unknown[] } {
  const script = `const { loadWithCodeCache } = require(${JSON.stringify(MODULE)});
    const m = loadWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(cacheDir)});
    m.save();
    const e = m.exports;
    console.log(JSON.stringify({ cache: m.cache, tag: e.tag, answer: e.answer(), where: e.where }));`;
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim());
}

describe('boot/codeCache', () => {
  let dir: string;
  let file: string;
  let cacheDir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hd-code-cache-'));
    file = path.join(dir, 'main.js');
    cacheDir = path.join(dir, 'storage', 'code-cache');
    fs.writeFileSync(path.join(dir, 'dep.js'), 'module.exports = 41;\n');
    fs.writeFileSync(file, source('A'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A module of fixed length whose answer is `tag`; it requires a sibling file and reports where it runs. */
  const source = (tag: string) =>
    `const dep = require('./dep.js');\nexports.tag = '${tag}';\nexports.answer = () => dep + 1;\nexports.where = [__filename, __dirname, module.exports === exports];\n`;
  const caches = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : []);

  it('runs the file like require, then from the cache it wrote', () => {
    const first = start(file, cacheDir);
    assert.equal(first.cache, 'none');
    assert.equal(first.tag, 'A');
    assert.equal(first.answer, 42);
    assert.deepEqual(first.where, [file, dir, true]);
    assert.equal(caches().length, 1);
    const second = start(file, cacheDir);
    assert.deepEqual({ ...second, cache: 'used' }, { ...first, cache: 'used' });
    assert.equal(second.cache, 'used');
  });

  it('never runs a cache made from other text of the same length', () => {
    start(file, cacheDir);
    // An update of the extension: same length, other code, a later modification time.
    fs.writeFileSync(file, source('B'));
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    const next = start(file, cacheDir);
    assert.equal(next.cache, 'none');
    assert.equal(next.tag, 'B');
    assert.equal(caches().length, 1, `the cache of the old text stays: ${caches().join(', ')}`);
    assert.equal(start(file, cacheDir).tag, 'B');
  });

  it('compiles again when the cache is damaged, and replaces it', () => {
    start(file, cacheDir);
    const [name] = caches();
    fs.writeFileSync(path.join(cacheDir, name!), Buffer.alloc(4096, 7));
    const damaged = start(file, cacheDir);
    assert.equal(damaged.cache, 'rejected');
    assert.equal(damaged.tag, 'A');
    assert.equal(start(file, cacheDir).cache, 'used');
  });

  it('works without a cache when the storage folder cannot be written', () => {
    fs.mkdirSync(path.dirname(cacheDir), { recursive: true });
    fs.writeFileSync(cacheDir, 'a file where the folder should be');
    const m = loadWithCodeCache(file, cacheDir);
    assert.equal((m.exports as { answer(): number }).answer(), 42);
    assert.doesNotThrow(() => m.save());
    assert.equal(loadWithCodeCache(file, cacheDir).cache, 'none');
  });

  it('reports a syntax error of the file as require does', () => {
    fs.writeFileSync(file, 'exports.x = ;\n');
    assert.throws(() => loadWithCodeCache(file, cacheDir), SyntaxError);
  });
});
