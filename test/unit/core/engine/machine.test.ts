import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  assertTransition,
  canTransition,
  IllegalTransitionError,
  PLAN_TRANSITIONS,
  SIMPLE_TRANSITIONS,
} from '../../../../src/core/engine/machine';
import { PLAN_STATES, SIMPLE_STATES, isTerminal } from '../../../../src/core/engine/states';
import { EnvironmentBusyError, LockManager } from '../../../../src/core/engine/locks';

// The whole legal table, written out independently of machine.ts so a change there must be deliberate.
const LEGAL_PLAN = new Set([
  'Draft>Planning',
  'Draft>Cancelled',
  'Draft>Interrupted',
  'Planning>Planned',
  'Planning>PlanFailed',
  'Planning>Cancelled',
  'Planning>Interrupted',
  'Planned>Approved',
  'Planned>Expired',
  'Planned>Cancelled',
  'Planned>Interrupted',
  'Planned>Saved',
  'Approved>Applying',
  'Approved>Expired',
  'Approved>Cancelled',
  'Approved>Interrupted',
  'Applying>Applied',
  'Applying>Unhealthy',
  'Applying>ApplyFailed',
  'Applying>Cancelled',
  'Applying>Expired',
  'Applying>Interrupted',
]);
const LEGAL_SIMPLE = new Set(['Running>Succeeded', 'Running>Failed', 'Running>Cancelled', 'Running>Interrupted']);

describe('run state machine', () => {
  for (const kind of ['plan', 'apply', 'destroy']) {
    describe(`${kind} runs`, () => {
      for (const from of PLAN_STATES) {
        for (const to of PLAN_STATES) {
          const legal = LEGAL_PLAN.has(`${from}>${to}`);
          it(`${from} -> ${to} is ${legal ? 'allowed' : 'rejected'}`, () => {
            assert.equal(canTransition(kind, from, to), legal);
            if (legal) assertTransition(kind, from, to);
            else assert.throws(() => assertTransition(kind, from, to, 'r1'), IllegalTransitionError);
          });
        }
        for (const to of SIMPLE_STATES.filter((s) => !(PLAN_STATES as readonly string[]).includes(s))) {
          it(`${from} -> ${to} (a simple-run state) is rejected`, () => {
            assert.throws(() => assertTransition(kind, from, to), IllegalTransitionError);
          });
        }
      }
    });
  }

  describe('simple runs (build/start/stop/push)', () => {
    for (const from of SIMPLE_STATES) {
      for (const to of [...SIMPLE_STATES, ...PLAN_STATES]) {
        const legal = LEGAL_SIMPLE.has(`${from}>${to}`);
        it(`build: ${from} -> ${to} is ${legal ? 'allowed' : 'rejected'}`, () => {
          assert.equal(canTransition('build', from, to), legal);
        });
      }
    }
  });

  it('approve only from Planned, with helpful messages', () => {
    for (const s of PLAN_STATES) assert.equal(canTransition('plan', s, 'Approved'), s === 'Planned');
    assert.throws(() => assertTransition('plan', 'Expired', 'Approved'), /expired: re-plan/);
    assert.throws(() => assertTransition('plan', 'Planned', 'Applying'), /approve the plan first/);
  });

  it('terminal states have no way out, non-terminal ones do', () => {
    for (const s of PLAN_STATES) assert.equal(PLAN_TRANSITIONS[s].length === 0, isTerminal(s), s);
    for (const s of SIMPLE_STATES) assert.equal(SIMPLE_TRANSITIONS[s].length === 0, isTerminal(s), s);
  });
});

describe('environment locks', () => {
  const dir = () => fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'locks-'));

  it('one run per environment, others run concurrently', async () => {
    const locks = new LockManager(dir());
    await locks.acquire('p--staging', { runId: 'r1', who: 'ann', kind: 'plan' });
    await locks.acquire('p--prod', { runId: 'r2', who: 'bob', kind: 'plan' });
    await assert.rejects(locks.acquire('p--staging', { runId: 'r3', who: 'bob', kind: 'apply' }), (err: unknown) => {
      assert.ok(err instanceof EnvironmentBusyError);
      assert.match(err.message, /^environment busy: run r1 by ann since \d{4}-/);
      assert.equal(err.holder.runId, 'r1');
      return true;
    });
    await locks.release('p--staging', 'r3'); // not the holder: no effect
    assert.equal((await locks.read('p--staging'))?.runId, 'r1');
    await locks.release('p--staging', 'r1');
    await locks.acquire('p--staging', { runId: 'r3', who: 'bob', kind: 'apply' });
  });

  it('takes over a lock whose process died, and reports it', async () => {
    const d = dir();
    const child = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
    assert.equal(child.status, 0);
    const deadPid = child.pid!;
    fs.writeFileSync(
      path.join(d, 'p--e.lock'),
      JSON.stringify({ runId: 'old', who: 'x', kind: 'apply', since: 't', pid: deadPid, host: os.hostname() }),
    );
    const locks = new LockManager(d);
    const res = await locks.acquire('p--e', { runId: 'new', who: 'me', kind: 'plan' });
    assert.equal(res.tookOverFrom?.runId, 'old');
  });

  it('uses the isStale callback to release finished holders', async () => {
    const locks = new LockManager(dir());
    await locks.acquire('k', { runId: 'a', who: 'x', kind: 'plan' });
    const res = await locks.acquire('k', { runId: 'b', who: 'y', kind: 'plan' }, (h, dead) => dead || h.runId === 'a');
    assert.equal(res.tookOverFrom?.runId, 'a');
  });
});
