// A 50,000-resource plan reaches the webview in pages: the first message carries the summary and the top of
// the list, each planMore the next page, in display order, until every change was sent once; Approve waits
// for the last page in the app, while the host (which holds the whole plan) approves as before.

import assert from 'node:assert/strict';
import { parseTerraformShow } from '../../../../src/core/plan/terraform/show';
import { approvalState } from '../../../../src/webview/model/approval';
import { PLAN_FIRST_PAGE } from '../../../../src/webview/model/planPages';
import { compareDisplay } from '../../../../src/webview/model/planRows';
import { PanelSession } from '../../../../src/webview/host/session';
import type { HostMessage, PlanView, ResourceView } from '../../../../src/webview/protocol';
import { bigTerraformPlanText } from '../../../support/bigPlan';
import { FakeBackend } from '../fixtures';

const N = 50_000;

describe('panel: a 50,000-resource plan is posted in pages', function () {
  this.timeout(60_000);
  const model = parseTerraformShow(JSON.parse(bigTerraformPlanText(N)));

  it('first page, then one page per planMore, every change once and in display order', async () => {
    const b = new FakeBackend();
    const posted: HostMessage[] = [];
    const s = new PanelSession(b.envView.key, b, {
      post: (m) => void posted.push(m),
      openDiff() {},
      copy: async () => {},
      save: async () => {},
      log() {},
    });
    try {
      b.setRun('Planned', model);
      await s.handle({ type: 'ready', version: 1 });
      const snap = posted.find((m) => m.type === 'snapshot') as Extract<HostMessage, { type: 'snapshot' }>;
      const plan = snap.state.plan!;
      assert.equal(plan.resources.length, PLAN_FIRST_PAGE, 'the first message carries one page, not 50,000 rows');
      assert.equal(plan.pending, N - PLAN_FIRST_PAGE);
      assert.equal(
        plan.summary.create + plan.summary.update + plan.summary.delete + plan.summary.replace + plan.summary.noop,
        N,
        'the summary counts the whole plan',
      );
      const app = approvalState(b.envView, snap.state.run, plan, Date.now(), b.envView.name);
      assert.equal(app.enabled, false, 'Approve waits until every change is listed');
      assert.match(app.reason ?? '', /more changes to come/);

      const got: ResourceView[] = [...plan.resources];
      let pending = plan.pending!;
      let pages = 0;
      while (pending > 0) {
        const before = posted.length;
        await s.handle({ type: 'planMore', pageId: plan.pageId! });
        const page = posted.slice(before).find((m) => m.type === 'planPage') as Extract<
          HostMessage,
          { type: 'planPage' }
        >;
        assert.ok(page, `page ${pages + 1} was posted on planMore`);
        assert.equal(page.pageId, plan.pageId);
        got.push(...page.resources);
        assert.equal(page.pending, pending - page.resources.length);
        pending = page.pending;
        pages++;
      }
      assert.ok(pages > 1 && pages < 10, `${pages} pages`);
      assert.equal(got.length, N);
      assert.equal(new Set(got.map((r) => r.address)).size, N, 'each change once');
      for (let i = 1; i < got.length; i++)
        assert.ok(compareDisplay(got[i - 1]!, got[i]!) <= 0, `display order at ${i}`);
      const before = posted.length;
      await s.handle({ type: 'planMore', pageId: plan.pageId! });
      assert.equal(posted.length, before, 'nothing after the last page');

      const full: PlanView = { ...plan, resources: got, pending: 0 };
      assert.equal(
        approvalState(b.envView, snap.state.run, full, Date.now(), b.envView.name).enabled,
        true,
        'every page in: Approve is enabled',
      );
    } finally {
      s.dispose();
    }
  });

  it('a plan posted again starts its pages over; pages of the old posting are no longer served', async () => {
    const b = new FakeBackend();
    const posted: HostMessage[] = [];
    const s = new PanelSession(b.envView.key, b, {
      post: (m) => void posted.push(m),
      openDiff() {},
      copy: async () => {},
      save: async () => {},
      log() {},
    });
    try {
      b.setRun('Planned', model);
      await s.handle({ type: 'ready', version: 1 });
      const first = (posted[0] as Extract<HostMessage, { type: 'snapshot' }>).state.plan!;
      await s.handle({ type: 'ready', version: 1 }); // the webview reloaded
      const second = (posted[1] as Extract<HostMessage, { type: 'snapshot' }>).state.plan!;
      assert.notEqual(first.pageId, second.pageId);
      const n = posted.length;
      await s.handle({ type: 'planMore', pageId: first.pageId! });
      assert.equal(posted.length, n, 'a page of the replaced posting is not sent');
      await s.handle({ type: 'planMore', pageId: second.pageId! });
      assert.equal(posted.at(-1)!.type, 'planPage');
    } finally {
      s.dispose();
    }
  });

  it('a small plan is posted whole, as before', async () => {
    const small = parseTerraformShow(JSON.parse(bigTerraformPlanText(PLAN_FIRST_PAGE)));
    const b = new FakeBackend();
    const posted: HostMessage[] = [];
    const s = new PanelSession(b.envView.key, b, {
      post: (m) => void posted.push(m),
      openDiff() {},
      copy: async () => {},
      save: async () => {},
      log() {},
    });
    b.setRun('Planned', small);
    await s.handle({ type: 'ready', version: 1 });
    const plan = (posted[0] as Extract<HostMessage, { type: 'snapshot' }>).state.plan!;
    assert.equal(plan.resources.length, PLAN_FIRST_PAGE);
    assert.equal(plan.pending, undefined);
    s.dispose();
  });
});
