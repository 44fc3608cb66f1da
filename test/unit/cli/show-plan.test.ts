import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// `helix-deploy show-plan` on files it cannot read: the message names the path (the real entry point, as CI runs it).
const ROOT = path.resolve(__dirname, '../../..');

describe('cli: helix-deploy show-plan on unreadable input', function () {
  this.timeout(60000);

  it('a folder, or a plan nested too deeply, is an error that says which file and why', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hd-show-plan-'));
    try {
      const run = (file: string) =>
        spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/index.ts'), 'show-plan', file], {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 50000,
        });
      let r = run(tmp);
      assert.equal(r.status, 2, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `show-plan: ${tmp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a folder, not a plan file: give the plan file`,
        ),
      );
      const deep = path.join(tmp, 'deep.json');
      fs.writeFileSync(
        deep,
        JSON.stringify({ format_version: '1.2', resource_changes: [] }).replace(
          '[]',
          '['.repeat(50_000) + ']'.repeat(50_000),
        ),
      );
      r = run(deep);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /nests values more than 256 levels deep/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
