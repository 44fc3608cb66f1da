import * as assert from 'node:assert/strict';
import { harness, readFixture, type Harness } from './harness';
import { renderManifests } from '../../../src/core/kubernetes/render';
import { planObjects, applyPlan } from '../../../src/core/kubernetes/deploy';
import { LiveWorkloads } from '../../../src/core/kubernetes/live-workloads';
import { poll } from '../../support/poll';

describe('kubernetes Deployments view, live through watches', function () {
  this.timeout(20000);
  let h: Harness;
  beforeEach(async () => (h = await harness({ bookmarkMs: 100 })));
  afterEach(async () => h.close());

  it('shows Deployment -> pods, follows restarts, survives 410, and does not poll while idle', async () => {
    const signal = new AbortController().signal;
    const desired = renderManifests({
      files: readFixture('app'),
      namespace: 'default',
      environment: 'staging',
      image: 'helixdb/helix:1.0',
    });
    const { record } = await planObjects(h.cluster, desired, {
      context: 'standin',
      namespace: 'default',
      environment: 'staging',
      signal,
      log: () => {},
    });
    assert.equal((await applyPlan(h.cluster, record, { signal, log: () => {} })).outcome, 'applied');

    const live = new LiveWorkloads(h.cluster, 'default');
    const changed: (string | undefined)[] = [];
    live.onDidChange((d) => changed.push(d));
    try {
      await live.start();
      assert.equal(live.state.state, 'live');
      const row = () => live.rows()[0];
      assert.equal(row().name, 'helix');
      assert.deepEqual(
        row().pods.map((p) => [p.status, p.ready, p.restarts]),
        [
          ['Running', 1, 0],
          ['Running', 1, 0],
        ],
      );

      h.server.restartPod('default', row().pods[0].name);
      await poll(() => row().pods.some((p) => p.restarts === 1 && p.ready === 1), {
        what: 'restart in the view',
        timeoutMs: 5000,
      });
      assert.ok(changed.includes('helix'));

      h.server.expireWatches();
      h.server.restartPod('default', row().pods[1].name);
      await poll(() => row().pods.every((p) => p.restarts === 1), { what: 'view after 410 re-list', timeoutMs: 5000 });

      // Idle: the three watches stay open; nothing is listed or re-requested (bookmarks arrive on the open streams).
      await new Promise((r) => setTimeout(r, 300));
      const before = h.server.requests.length;
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(h.server.requests.slice(before), [], 'requests while idle');
      assert.equal(h.server.store.watchers.size, 3);
    } finally {
      live.dispose();
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.server.store.watchers.size, 0);
  });

  it('an unreachable cluster is an error state of the view, not an exception', async () => {
    await h.server.close();
    const live = new LiveWorkloads(h.cluster, 'default');
    await live.start();
    assert.equal(live.state.state, 'error');
    assert.match((live.state as any).message, /127\.0\.0\.1|ECONNREFUSED/);
    live.dispose();
  });
});
