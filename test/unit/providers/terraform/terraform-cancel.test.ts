import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redactor } from '../../../../src/core/process/redact';
import { TerraformProvider } from '../../../../src/providers/terraform/terraform';

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
    fs.writeFileSync(
      exe,
      `#!/bin/sh\ncase "$1" in\n  plan) exit 2 ;;\n  show) : > ${JSON.stringify(started)}; exec sleep 30 ;;\n  *) exit 0 ;;\nesac\n`,
      { mode: 0o755 },
    );
    const provider = new TerraformProvider({ executable: () => exe, killAfterMs: 500 });
    const ac = new AbortController();
    const poll = setInterval(() => fs.existsSync(started) && (clearInterval(poll), ac.abort()), 20);
    try {
      const res = await provider.plan({
        runId: 'r1',
        dir,
        vars: {},
        signal: ac.signal,
        redactor: new Redactor(),
        log: () => undefined,
        progress: () => undefined,
        planFile: path.join(dir, 'p.tfplan'),
        destroy: false,
      });
      assert.equal(res.outcome, 'cancelled', JSON.stringify(res));
      assert.match(res.error ?? '', /Cancelled after terraform finished planning/);
    } finally {
      clearInterval(poll);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Terraform stops with "execution halted" (exit 1) when the interrupt arrives after its last change: whether the
// plan is all in the state decides the outcome, from the operations the apply stream reported.
describe('terraform provider: an interrupt at the end of an apply', () => {
  const line = (o: object) => JSON.stringify({ '@level': 'info', '@message': '', ...o });
  const planned = line({
    type: 'planned_change',
    change: {
      resource: { addr: 'terraform_data.app', resource_type: 'terraform_data', resource_name: 'app' },
      action: 'replace',
    },
  });
  const hook = (type: string, action: string) =>
    line({ type, hook: { resource: { addr: 'terraform_data.app' }, action } });

  async function applyWith(lines: string[]) {
    const dir = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'tf-halted-'));
    fs.mkdirSync(path.join(dir, '.terraform'));
    const waiting = path.join(dir, 'waiting');
    const out = path.join(dir, 'stream.jsonl');
    fs.writeFileSync(out, lines.join('\n') + '\n');
    const exe = path.join(dir, 'terraform');
    // apply: print the stream, then wait for the interrupt and halt as terraform does.
    fs.writeFileSync(
      exe,
      `#!/bin/sh\ncase "$1" in\n  apply) trap 'echo "Error: execution halted" >&2; exit 1' INT; cat ${JSON.stringify(out)}; : > ${JSON.stringify(waiting)}; sleep 30 >/dev/null 2>&1 & wait; exit 1 ;;\n  *) exit 0 ;;\nesac\n`,
      { mode: 0o755 },
    );
    const provider = new TerraformProvider({ executable: () => exe, killAfterMs: 5000 });
    const ac = new AbortController();
    const poll = setInterval(() => fs.existsSync(waiting) && (clearInterval(poll), ac.abort()), 20);
    try {
      return await provider.apply({
        runId: 'r1',
        dir,
        vars: {},
        signal: ac.signal,
        redactor: new Redactor(),
        log: () => undefined,
        progress: () => undefined,
        planFile: path.join(dir, 'p.tfplan'),
        destroy: false,
      });
    } finally {
      clearInterval(poll);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it('every planned operation completed: Applied', async function () {
    this.timeout(20_000);
    const res = await applyWith([
      planned,
      hook('apply_start', 'delete'),
      hook('apply_complete', 'delete'),
      hook('apply_start', 'create'),
      hook('apply_complete', 'create'),
    ]);
    assert.equal(res.outcome, 'applied', JSON.stringify(res));
  });

  it('a replace stopped between its delete and its create: Cancelled, naming what was applied', async function () {
    this.timeout(20_000);
    const res = await applyWith([planned, hook('apply_start', 'delete'), hook('apply_complete', 'delete')]);
    assert.equal(res.outcome, 'cancelled', JSON.stringify(res));
    assert.match(res.error ?? '', /terraform_data\.app \(delete\)/);
  });
});
