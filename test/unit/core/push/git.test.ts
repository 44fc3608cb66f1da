import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gitState } from '../../../../src/core/push/git';
import { pushTag } from '../../../../src/core/push/reference';

describe('push: git commit in tags', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hd-git-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads HEAD and whether tracked files changed', async () => {
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], {
        cwd: dir,
        stdio: 'pipe',
      })
        .toString()
        .trim();
    git('init', '-q');
    fs.writeFileSync(path.join(dir, 'helix.toml'), '[project]\nname = "demo"\n');
    git('add', '.');
    git('commit', '-qm', 'init');
    const head = git('rev-parse', 'HEAD');
    assert.deepEqual(await gitState(dir), { commit: head, dirty: false });
    fs.appendFileSync(path.join(dir, 'helix.toml'), '[local.dev]\n');
    const s = await gitState(dir);
    assert.equal(s.dirty, true);
    assert.equal(pushTag('demo', 'staging', s.commit, s.dirty), `demo-staging-${head.slice(0, 7)}-dirty`);
  });

  it('outside git: no commit, no failure', async () => {
    assert.deepEqual(await gitState(dir), { dirty: false });
  });
});
