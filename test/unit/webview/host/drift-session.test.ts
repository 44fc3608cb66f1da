import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PanelSession } from '../../../../src/webview/host/session';
import type { HostMessage } from '../../../../src/webview/protocol';
import { driftAsPlanModel } from '../../../../src/core/drift/model';
import { driftFromTerraformShow } from '../../../../src/core/drift/terraform';
import type { PlanModel } from '../../../../src/core/plan/model';
import { SENSITIVE } from '../../../../src/core/plan/model';
import { FakeBackend } from '../fixtures';

// The panel's Drift view: the session sends the last drift check (drifted resources under `drift`), its
// attribute rows on expand (masked), Check Drift reaches the backend, and a finished check is pushed.

const show = () =>
  JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../fixtures/plan/shared/tf-terraform-2.json'), 'utf8'));

class DriftBackend extends FakeBackend {
  model: PlanModel | undefined;
  drift() {
    return this.model;
  }
  async checkDrift(key: string) {
    this.calls.push(`checkDrift ${key}`);
  }
}

function session(b: DriftBackend) {
  const posted: HostMessage[] = [];
  const s = new PanelSession(b.envView.key, b, {
    post: (m) => void posted.push(m),
    openDiff: () => {},
    copy: async () => {},
    save: async () => {},
    log: () => {},
  });
  return { s, posted };
}

describe('panel Drift view (session)', () => {
  it('snapshot carries the last drift; a finished check is pushed; expand gives masked attribute rows', async () => {
    const b = new DriftBackend();
    const { s, posted } = session(b);
    await s.handle({ type: 'ready', version: 1 });
    const first = posted.find((m) => m.type === 'snapshot');
    assert.ok(first?.type === 'snapshot' && first.state.drift === undefined);

    const doc = show();
    doc.resource_drift[0].change.before_sensitive = { ami: true };
    b.model = driftAsPlanModel(driftFromTerraformShow(doc));
    b.fire({ type: 'drift', envKey: b.envView.key });
    const pushed = posted.filter((m) => m.type === 'drift').pop();
    assert.ok(pushed?.type === 'drift' && pushed.plan);
    assert.deepEqual(
      pushed.plan.drift.map((r) => r.address),
      ['test_instance.should_refresh'],
    );
    assert.equal(pushed.plan.resources.length, 0);

    await s.handle({ type: 'expand', section: 'drift', address: 'test_instance.should_refresh' });
    const detail = posted.filter((m) => m.type === 'detail').pop();
    assert.ok(detail?.type === 'detail');
    assert.deepEqual(
      detail.attributes.map((a) => [a.path.join('.'), a.before, a.after]),
      [['ami', SENSITIVE, SENSITIVE]],
    );
    assert.ok(!JSON.stringify(posted).includes('refresh-me'));

    await s.handle({ type: 'ready', version: 1 });
    const again = posted.filter((m) => m.type === 'snapshot').pop();
    assert.ok(again?.type === 'snapshot' && again.state.drift?.summary.drift === 1);
    s.dispose();
  });

  it('Check Drift from the panel reaches the backend; a drift event of another environment is ignored', async () => {
    const b = new DriftBackend();
    const { s, posted } = session(b);
    await s.handle({ type: 'ready', version: 1 });
    await s.handle({ type: 'checkDrift' });
    assert.deepEqual(b.calls, [`checkDrift ${b.envView.key}`]);
    b.fire({ type: 'drift', envKey: '/elsewhere#prod' });
    assert.equal(posted.filter((m) => m.type === 'drift').length, 0);
    s.dispose();
  });
});
