import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findConfigs } from '../../../../src/core/config/discover';

// The search for config files under a folder: the CLI's `validate DIR`, and the project index for a folder that
// appeared with its files in one step.
describe('findConfigs', () => {
  let dir: string;
  const write = (rel: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), '');
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'discover-'));
    for (const f of [
      'b/helix.toml',
      'a/helix.toml',
      'a/helix.deploy.toml',
      'a/db/schema.hx',
      'node_modules/x/helix.toml',
      '.hidden/helix.toml',
      'dist/helix.toml',
      'c/d/e/helix.toml',
    ])
      write(f);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds both file names in a stable order and skips dependencies, build output and hidden folders', () => {
    const { files, truncated } = findConfigs(dir);
    assert.equal(truncated, false);
    assert.deepEqual(
      files.map((f) => path.relative(dir, f)),
      ['a/helix.deploy.toml', 'a/helix.toml', 'b/helix.toml', 'c/d/e/helix.toml'],
    );
  });

  it('stops after maxEntries and says the search is incomplete', () => {
    const { truncated } = findConfigs(dir, { maxEntries: 4 });
    assert.equal(truncated, true);
    assert.equal(findConfigs(dir, { maxEntries: 1000 }).truncated, false);
  });

  it('reports a folder it cannot read and goes on', () => {
    const seen: string[] = [];
    const { files } = findConfigs(path.join(dir, 'missing'), { onUnreadable: (d) => seen.push(d) });
    assert.deepEqual(files, []);
    assert.deepEqual(seen, [path.join(dir, 'missing')]);
  });

  it('does not follow a symbolic link to a folder, so a link loop ends the search', () => {
    fs.symlinkSync(dir, path.join(dir, 'b', 'loop'));
    const { files, truncated } = findConfigs(dir);
    assert.equal(truncated, false);
    assert.equal(files.length, 4);
  });
});
