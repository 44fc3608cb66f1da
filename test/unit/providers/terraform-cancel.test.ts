import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redactor } from '../../../src/core/process/redact';
import { TerraformProvider } from '../../../src/providers/terraform/terraform';

// A Ctrl-C can land after terraform finished planning, while `terraform show -json` reads the plan: the run was
// cancelled before review, not a failed plan. A stand-in terraform (a shell script) makes that moment certain:
// its `plan` exits 2 at once, its `show` waits until it is interrupted.

describe('terraform provider: a cancel while the finished plan is read', () => {
  it('ends the plan Cancelled, not PlanFailed ("terraform show failed")', async function () {
    this.timeout(20_000);
    const dir = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'tf-cancel-'));
    fs.mkdirSync(path.join(dir, '.terraform'));
    const started = path.join(dir, 'show-started');
    const exe = path.join(dir, 'terraform');
    fs.writeFileSync(exe, `#!/bin/sh\ncase "$1" in\n  plan) exit 2 ;;\n  show) : > ${JSON.stringify(started)}; exec sleep 30 ;;\n  *) exit 0 ;;\nesac\n`, { mode: 0o755 });
    const provider = new TerraformProvider({ executable: () => exe, killAfterMs: 500 });
    const ac = new AbortController();
    const poll = setInterval(() => fs.existsSync(started) && (clearInterval(poll), ac.abort()), 20);
    try {
      const res = await provider.plan({ runId: 'r1', dir, vars: {}, signal: ac.signal, redactor: new Redactor(), log: () => undefined, progress: () => undefined, planFile: path.join(dir, 'p.tfplan'), destroy: false });
      assert.equal(res.outcome, 'cancelled', JSON.stringify(res));
      assert.match(res.error ?? '', /Cancelled after terraform finished planning/);
    } finally {
      clearInterval(poll);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
