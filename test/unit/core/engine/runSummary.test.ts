// "Copy Run Summary": Markdown for a pull-request comment, with or without image/health/approval, and nothing
// secret in it whatever the run recorded.

import assert from 'node:assert/strict';
import { approvalLine, runSummaryMarkdown } from '../../../../src/core/engine/runSummary';
import type { RunRecord } from '../../../../src/core/engine/records';
import { presentRun } from '../../../../src/core/local/present';
import { CANARY_NEW, CANARY_OLD, canaryFixture } from '../../webview/fixtures';

const HASH = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';
const run = (extra: Partial<RunRecord> = {}, meta: Record<string, unknown> = {}): RunRecord => ({
  id: 'run-7',
  kind: 'apply',
  project: 'shop',
  environment: 'prod',
  who: 'Ann Example <ann@example.com>',
  startedAt: '2026-12-05T21:00:00.000Z',
  updatedAt: '2026-12-05T21:03:05.000Z',
  endedAt: '2026-12-05T21:03:05.000Z',
  state: 'Applied',
  log: [],
  ...extra,
  meta: {
    planHash: HASH,
    summary: {
      create: 2,
      update: 1,
      delete: 0,
      replace: 0,
      read: 0,
      noop: 4,
      import: 0,
      move: 0,
      forget: 0,
      drift: 0,
      outputs: 1,
    },
    ...meta,
  },
});
const approved = { approvedBy: 'Bob Reviewer <bob@example.com>', approvedAt: '2026-12-05T21:01:30.000Z' };

describe('run summary Markdown', () => {
  it('minimal run: title, counts from meta.summary, not approved, timings; no image or health section', () => {
    const md = runSummaryMarkdown({ run: run() });
    assert.match(md, /^### Helix Deploy: shop \/ prod · apply · Applied\n/);
    assert.match(
      md,
      /\*\*Plan:\*\* 2 to create, 1 to update, 1 output change · Run `run-7` by Ann Example <ann@example.com>/,
    );
    assert.match(md, /#### Approval\n\nNot approved\./);
    assert.match(md, /- Started: 2026-12-05 21:00 UTC\n- Ended: 2026-12-05 21:03 UTC \(3 min 5 s\)/);
    assert.doesNotMatch(md, /#### Image|#### Health|#### Changes/);
  });

  it("full run: the plan model's changes, approval with the short plan hash, image digest, health checks", () => {
    const { model } = canaryFixture();
    const md = runSummaryMarkdown({
      run: run(
        {},
        {
          ...approved,
          image: {
            ref: 'registry.example.com/shop@sha256:feedface',
            digest: 'sha256:feedface',
            tag: 'shop-prod-abc1234',
            pushedAt: '2026-12-05T20:55:00Z',
            commit: 'abc1234def5678',
          },
          health: 'healthy',
          healthChecks: [
            { name: 'liveness', url: 'https://user:tok@db.example.com/healthz', ok: true, status: 200, ms: 12.4 },
            { name: 'readiness', url: 'https://db.example.com/ready', ok: false, error: 'timed out', ms: 5000 },
          ],
        },
      ),
      model,
    });
    const changed = model.resources.filter((r) => r.action !== 'no-op' && r.action !== 'read');
    assert.ok(changed.length > 0);
    for (const r of changed) assert.ok(md.includes(`| ${r.action} | \`${r.address}\` |`), r.address);
    assert.match(
      md,
      /Approved by \*\*Bob Reviewer <bob@example.com>\*\* at 2026-12-05 21:01 UTC · plan `a1b2c3d4e5f6`/,
    );
    assert.match(
      md,
      /#### Image\n\n`registry.example.com\/shop@sha256:feedface` · tag `shop-prod-abc1234` · commit `abc1234def56` · pushed 2026-12-05 20:55 UTC/,
    );
    assert.match(md, /#### Health: healthy/);
    assert.match(md, /\| liveness `https:\/\/db.example.com\/healthz` \| ok \| 200 \| 12 ms \|/);
    assert.match(md, /\| readiness `https:\/\/db.example.com\/ready` \| failed: timed out \| {2}\| 5000 ms \|/);
    assert.doesNotMatch(md, /tok@/, 'URL credentials dropped');
    assert.match(md, /- Approved: 2026-12-05 21:01 UTC/);
    assert.equal(
      approvalLine({ by: 'Bob', at: approved.approvedAt, planHash: HASH }),
      'approved by Bob at 2026-12-05 21:01 UTC, plan a1b2c3d4e5f6',
    );
  });

  it('a secret in a variable, an output, an attribute or an error never appears', () => {
    const f = canaryFixture();
    f.redactor.add(CANARY_OLD, CANARY_NEW);
    const md = runSummaryMarkdown({
      run: run(
        {
          state: 'Failed',
          error: `apply failed: password ${CANARY_NEW} rejected`,
          log: [`TF_VAR_db_password=${CANARY_OLD}`],
        },
        {
          ...approved,
          vars: { db_password: CANARY_OLD },
          context: { secret: CANARY_NEW },
          healthReason: `token ${CANARY_OLD}`,
          health: 'unhealthy',
        },
      ),
      model: f.model,
      redact: (t) => f.redactor.redact(t),
    });
    assert.ok(!md.includes(CANARY_OLD) && !md.includes(CANARY_NEW), md);
    assert.match(md, /apply failed: password .* rejected/);
    assert.doesNotMatch(md, /hunter2|changed/);
  });

  it('lists at most maxChanges changes and says how many more', () => {
    const { model } = canaryFixture();
    const md = runSummaryMarkdown({ run: run(), model, maxChanges: 1 });
    const changed =
      model.resources.filter((r) => r.action !== 'no-op' && r.action !== 'read').length +
      model.outputs.filter((o) => o.action !== 'no-op').length;
    assert.equal(md.split('\n').filter((l) => /^\| (?!Action|---)/.test(l)).length, 1);
    if (changed > 1) assert.match(md, new RegExp(`…and ${changed - 1} more\\.`));
  });
});

describe('approvals shown in the run history', () => {
  it('a run in the Deployments view names who approved which plan; an unapproved run says nothing of it', () => {
    const p = presentRun(run({}, approved), Date.parse('2026-12-05T22:00:00Z'));
    assert.match(p.description ?? '', /· approved by Bob Reviewer$/);
    assert.match(
      String(p.tooltip),
      /\nApproval: approved by Bob Reviewer <bob@example.com> at 2026-12-05 21:01 UTC, plan a1b2c3d4e5f6\n/,
    );
    const q = presentRun(run(), Date.parse('2026-12-05T22:00:00Z'));
    assert.doesNotMatch(`${q.description}\n${q.tooltip}`, /approv/i);
  });
});
