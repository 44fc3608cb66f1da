// The host side of the panel: ready handshake, full snapshots, validation before acting, approval re-checked
// on the host, and the canary: no secret ever reaches a message the host posts.

import assert from 'node:assert/strict';
import { PanelSession, type SessionIO } from '../../../../src/webview/host/session';
import type { HostMessage } from '../../../../src/webview/protocol';
import { canaryFixture, FakeBackend, loadFixture, planFiles, type Fixture } from '../fixtures';

function io() {
  const posted: HostMessage[] = [];
  const logs: string[] = [];
  const diffs: { title: string; before: string; after: string }[] = [];
  const saved: string[] = [];
  const impl: SessionIO = {
    post: (m) => void posted.push(JSON.parse(JSON.stringify(m))),
    openDiff: (title, sides) => void diffs.push({ title, ...sides }),
    copy: async () => {},
    save: async (_n, text) => void saved.push(text),
    log: (m) => void logs.push(m),
  };
  return { posted, logs, diffs, saved, impl };
}

const local1 = () => loadFixture(planFiles().find((f) => f.endsWith('generated/tf-local-1.json'))!);

describe('panel session (host side)', () => {
  it('posts nothing before ready, then a full snapshot on every ready', async () => {
    const b = new FakeBackend();
    const o = io();
    const s = new PanelSession(b.envView.key, b, o.impl);
    b.setRun('Planning');
    assert.equal(o.posted.length, 0);
    await s.handle({ type: 'ready', version: 1 });
    assert.equal(o.posted[0]!.type, 'snapshot');
    s.detached(); // hidden: the webview is destroyed (retainContextWhenHidden: false)
    b.setRun('Planned', local1().model);
    assert.equal(o.posted.length, 1, 'nothing posted to a detached webview');
    await s.handle({ type: 'ready', version: 1 });
    const snap = o.posted[1]!;
    assert.ok(
      snap.type === 'snapshot' && snap.state.run?.state === 'Planned' && snap.state.plan?.summary.replace === 1,
    );
    s.dispose();
  });

  it("sends a plan once: later run messages of the same plan leave the webview's plan (and its expanded rows) alone", async () => {
    const b = new FakeBackend();
    const o = io();
    const s = new PanelSession(b.envView.key, b, o.impl);
    await s.handle({ type: 'ready', version: 1 });
    const model = local1().model;
    b.setRun('Planned', model);
    b.setRun('Planned', model, { updatedAt: Date.now() + 1 });
    b.setRun('Approved', model);
    const runs = o.posted.filter((m) => m.type === 'run') as Extract<HostMessage, { type: 'run' }>[];
    assert.equal(runs.length, 3);
    assert.ok('plan' in runs[0]! && runs[0].plan?.summary.replace === 1);
    assert.ok(!('plan' in runs[1]!) && !('plan' in runs[2]!), 'unchanged plan resent');
    b.setRun('Planning', undefined, { id: 'run-2' });
    const last = o.posted.filter((m) => m.type === 'run').pop()!;
    assert.ok('plan' in last && last.plan === null, 'a new run without a plan clears the old one');
    s.dispose();
  });

  it('batches changes found while planning, for the current run only, and carries them in a snapshot', async () => {
    const b = new FakeBackend();
    const o = io();
    const s = new PanelSession(b.envView.key, b, o.impl);
    await s.handle({ type: 'ready', version: 1 });
    b.setRun('Planning');
    const found = (runId: string, address: string) =>
      b.fire({ type: 'found', envKey: b.envView.key, runId, changes: [{ address, action: 'create' }] });
    found('run-1', 'a.one');
    found('run-1', 'a.two');
    found('other-run', 'a.three');
    await new Promise((r) => setTimeout(r, 80));
    const msgs = o.posted.filter((m) => m.type === 'found') as Extract<HostMessage, { type: 'found' }>[];
    assert.equal(msgs.length, 1, 'one batch');
    assert.deepEqual(
      msgs[0]!.changes.map((c) => c.address),
      ['a.one', 'a.two'],
    );
    s.detached();
    await s.handle({ type: 'ready', version: 1 });
    const snap = o.posted.at(-1) as Extract<HostMessage, { type: 'snapshot' }>;
    assert.deepEqual(snap.state.found?.count, 2);
    b.setRun('Planned', local1().model);
    await s.handle({ type: 'ready', version: 1 });
    assert.equal(
      (o.posted.at(-1) as Extract<HostMessage, { type: 'snapshot' }>).state.found,
      undefined,
      'no list once planned',
    );
    s.dispose();
  });

  it('rejects malformed messages without acting on them', async () => {
    const b = new FakeBackend();
    const o = io();
    const s = new PanelSession(b.envView.key, b, o.impl);
    await s.handle({ type: 'approve', runId: 'run-1' });
    await s.handle({ type: 'plan', extra: 1 });
    await s.handle('plan');
    await s.handle({ type: 'eval', code: '1' });
    assert.deepEqual(b.calls, []);
    assert.equal(o.logs.length, 4);
    assert.ok(o.logs.every((l) => l.includes('rejected')));
    s.dispose();
  });

  it('re-checks approval on the host: wrong run, wrong hash, missing confirmation, expiry', async () => {
    const b = new FakeBackend();
    const o = io();
    const s = new PanelSession(b.envView.key, b, o.impl);
    await s.handle({ type: 'ready', version: 1 });
    b.setRun('Planning');
    await s.handle({ type: 'approve', runId: 'run-1', planHash: 'hash-1' });
    b.setRun('Planned', local1().model); // has a delete and a replace: needs "staging"
    await s.handle({ type: 'approve', runId: 'other', planHash: 'hash-1', confirmation: 'staging' });
    await s.handle({ type: 'approve', runId: 'run-1', planHash: 'stale', confirmation: 'staging' });
    await s.handle({ type: 'approve', runId: 'run-1', planHash: 'hash-1' });
    await s.handle({ type: 'approve', runId: 'run-1', planHash: 'hash-1', confirmation: 'prod' });
    assert.deepEqual(b.calls, []);
    const notices = o.posted
      .filter((m) => m.type === 'notice')
      .map((m) => (m as { notice?: { message: string } }).notice?.message ?? '');
    assert.ok(
      notices.some((n) => /Type "staging"/.test(n)),
      notices.join(' | '),
    );
    await s.handle({ type: 'approve', runId: 'run-1', planHash: 'hash-1', confirmation: 'staging' });
    assert.deepEqual(b.calls, ['approve run-1 hash-1']);
    b.setRun('Planned', local1().model, { id: 'run-2', expiresAt: Date.now() - 1 });
    await s.handle({ type: 'approve', runId: 'run-2', planHash: 'hash-1', confirmation: 'staging' });
    assert.equal(b.calls.length, 1);
    const last = o.posted.filter((m) => m.type === 'notice').pop() as { notice: { action?: string } };
    assert.equal(last.notice.action, 'replan');
    s.dispose();
  });

  it('turns a stale-plan refusal into a notice with Re-plan, and loses nothing', async () => {
    const b = new FakeBackend();
    const o = io();
    const s = new PanelSession(b.envView.key, b, o.impl);
    await s.handle({ type: 'ready', version: 1 });
    b.setRun('Planned', local1().model, {}, [{ t: 1, text: 'plan line' }]);
    b.approveError = new Error('Saved plan is stale: the state changed since the plan was made.');
    await s.handle({ type: 'approve', runId: 'run-1', planHash: 'hash-1', confirmation: 'staging' });
    const n = o.posted.filter((m) => m.type === 'notice').pop() as { notice: { action?: string; message: string } };
    assert.equal(n.notice.action, 'replan');
    assert.match(n.notice.message, /stale/);
    await s.handle({ type: 'ready', version: 1 });
    const snap = o.posted.pop()!;
    assert.ok(
      snap.type === 'snapshot' &&
        snap.state.notice?.action === 'replan' &&
        snap.state.logs.run[0]?.text === 'plan line',
    );
    s.dispose();
  });

  it('routes discard, cancel, re-plan and rollback only for the current run', async () => {
    const b = new FakeBackend();
    const s = new PanelSession(b.envView.key, b, io().impl);
    b.setRun('Planned', local1().model);
    await s.handle({ type: 'discard', runId: 'old' });
    await s.handle({ type: 'discard', runId: 'run-1' });
    await s.handle({ type: 'cancel', runId: 'run-1' });
    await s.handle({ type: 'plan' });
    await s.handle({ type: 'rollback' });
    assert.deepEqual(b.calls, ['discard run-1', 'cancel run-1', `plan ${b.envView.key}`, 'rollback']);
    s.dispose();
  });

  it('batches log lines and saves the host copy of the log', async () => {
    const b = new FakeBackend();
    const o = io();
    const s = new PanelSession(b.envView.key, b, o.impl);
    await s.handle({ type: 'ready', version: 1 });
    b.setRun('Applying');
    for (let i = 0; i < 1000; i++)
      b.fire({
        type: 'log',
        envKey: b.envView.key,
        runId: 'run-1',
        lines: [{ t: i, text: `\x1b[32mline ${i}\x1b[0m` }],
      });
    b.fire({ type: 'log', envKey: b.envView.key, runId: 'someone-else', lines: [{ t: 0, text: 'not mine' }] });
    await new Promise((r) => setTimeout(r, 80));
    const logs = o.posted.filter((m) => m.type === 'log');
    assert.ok(logs.length <= 3, `${logs.length} log messages for 1000 lines`);
    assert.equal(
      logs.reduce((n, m) => n + (m as { lines: unknown[] }).lines.length, 0),
      1000,
    );
    await s.handle({ type: 'saveLogs', source: 'run' });
    assert.match(o.saved[0]!, /line 999\n$/);
    assert.ok(!o.saved[0]!.includes('\x1b') && !o.saved[0]!.includes('not mine'));
    s.dispose();
  });

  describe('canary: no secret reaches the webview', () => {
    const all: Fixture[] = [canaryFixture(), ...planFiles().map(loadFixture)];
    for (const fx of all) {
      if (!fx.secrets.size) continue;
      it(fx.name, async () => {
        const b = new FakeBackend();
        // The engine shares its redactor with the parser (learned secrets mask logs too).
        (b as unknown as { redactor: unknown }).redactor = fx.redactor;
        const o = io();
        const s = new PanelSession(b.envView.key, b, o.impl);
        await s.handle({ type: 'ready', version: 1 });
        const secret = [...fx.secrets][0]!;
        b.setRun('Planned', fx.model, {}, [{ t: 1, text: `TF_VAR_secret=${secret}` }]);
        b.fire({ type: 'log', envKey: b.envView.key, runId: 'run-1', lines: [{ t: 2, text: `echo ${secret}` }] });
        for (const section of ['resources', 'drift'] as const)
          for (const r of section === 'drift' ? fx.model.drift : fx.model.resources) {
            await s.handle({ type: 'expand', section, address: r.address });
            await s.handle({ type: 'openDiff', section, address: r.address });
          }
        await new Promise((r) => setTimeout(r, 60));
        await s.handle({ type: 'ready', version: 1 });
        const wire = JSON.stringify(o.posted) + JSON.stringify(o.diffs);
        assert.ok(o.posted.some((m) => m.type === 'detail'));
        for (const v of fx.secrets) {
          assert.ok(!wire.includes(JSON.stringify(v)), `secret ${JSON.stringify(v)} posted as a value`);
          if (v.length >= 4) assert.ok(!wire.includes(v), `secret ${JSON.stringify(v)} posted inside text`);
        }
        s.dispose();
      });
    }
  });
});

describe('panel session refresh on project changes', () => {
  it('resends a snapshot only when the environment itself changed', async () => {
    const b = new FakeBackend();
    const posted: HostMessage[] = [];
    const s = new PanelSession(b.envView.key, b, {
      post: (m) => void posted.push(m),
      openDiff() {},
      copy: async () => {},
      save: async () => {},
      log() {},
    });
    await s.handle({ type: 'ready', version: 1 });
    s.refreshIfEnvChanged();
    assert.equal(posted.length, 1);
    b.envView = { ...b.envView, protected: true };
    s.refreshIfEnvChanged();
    assert.equal(posted.length, 2);
    assert.ok(posted[1]!.type === 'snapshot' && posted[1]!.state.env.protected);
    s.dispose();
  });
});

describe('panel session: approval record and run summary', () => {
  it('Copy summary hands the command the run and the plan the panel shows (also in Restricted Mode)', async () => {
    const b = new FakeBackend();
    const copied: { runId: string; resources?: number }[] = [];
    const s = new PanelSession(b.envView.key, b, {
      ...io().impl,
      copyRunSummary: async (runId, plan) => void copied.push({ runId, resources: plan?.resources.length }),
    });
    const model = local1().model;
    b.setRun('Applied', model, { approval: { by: 'Bob', at: 1, planHash: 'hash-1' } });
    await s.handle({ type: 'copyRunSummary', runId: 'run-1' });
    await s.handle({ type: 'copyRunSummary', runId: 'older-run' });
    assert.deepEqual(copied, [
      { runId: 'run-1', resources: model.resources.length },
      { runId: 'older-run', resources: undefined },
    ]);
    assert.equal(s.snapshot().run?.approval?.by, 'Bob', 'the approval travels with the run to the webview');
    s.dispose();
  });
});
