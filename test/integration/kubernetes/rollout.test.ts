import * as assert from 'node:assert/strict';
import { harness, readFixture, collector, type Harness } from './harness';
import { renderManifests } from '../../../src/core/kubernetes/render';
import { planObjects, applyPlan } from '../../../src/core/kubernetes/deploy';
import { watchRollout } from '../../../src/core/kubernetes/watch-rollout';
import { poll } from '../../support/poll';

describe('kubernetes rollouts against the stand-in API server', function () {
  this.timeout(20000);
  let h: Harness;
  afterEach(async () => h?.close());

  async function deploy(image: string, extra: { progressDeadlineSeconds?: number } = {}) {
    const files = readFixture('app').map(([f, t]): [string, string] => [
      f,
      t.replace('progressDeadlineSeconds: 600', `progressDeadlineSeconds: ${extra.progressDeadlineSeconds ?? 600}`),
    ]);
    const desired = renderManifests({ files, namespace: 'default', environment: 'staging', image });
    const ctl = new AbortController();
    const { record } = await planObjects(h.cluster, desired, {
      context: 'standin',
      namespace: 'default',
      environment: 'staging',
      signal: ctl.signal,
      log: () => {},
    });
    return { record, ctl };
  }

  it('fails a rollout that never becomes ready with ProgressDeadlineExceeded and the pod reason', async () => {
    h = await harness({ secondMs: 20 }); // progressDeadlineSeconds: 10 -> 200 ms here
    const { record, ctl } = await deploy('helixdb/helix:never-ready', { progressDeadlineSeconds: 10 });
    const c = collector();
    const out = await applyPlan(h.cluster, record, { signal: ctl.signal, log: c.log });
    assert.equal(out.outcome, 'failed');
    assert.match(
      out.error!,
      /ProgressDeadlineExceeded: progress deadline exceeded \(10s\).*has timed out progressing.*not ready/,
    );
    assert.ok(
      c.lines.some((l) => /event Warning Unhealthy pod\/helix-.*Readiness probe failed/.test(l)),
      c.lines.join('\n'),
    );
  });

  it('fails fast on CrashLoopBackOff with the restart count and exit code', async () => {
    h = await harness();
    const { record, ctl } = await deploy('helixdb/helix:crashloop');
    const c = collector();
    const out = await applyPlan(h.cluster, record, { signal: ctl.signal, log: c.log, crashLoopRestarts: 2 });
    assert.equal(out.outcome, 'failed');
    assert.match(
      out.error!,
      /CrashLoopBackOff: pod helix-\S+: container helix is crash-looping \(\d+ restarts, last exit code 1\)/,
    );
    assert.ok(
      c.lines.some((l) => /event Warning BackOff .*Back-off restarting failed container/.test(l)),
      c.lines.join('\n'),
    );
  });

  it('fails on ImagePullBackOff naming the image', async () => {
    h = await harness();
    const { record, ctl } = await deploy('registry.invalid/does-not-exist:1');
    const c = collector();
    const out = await applyPlan(h.cluster, record, { signal: ctl.signal, log: c.log });
    assert.equal(out.outcome, 'failed');
    assert.match(
      out.error!,
      /ImagePullBackOff: pod helix-\S+: ImagePullBackOff for image "registry.invalid\/does-not-exist:1"/,
    );
    assert.ok(
      c.lines.some((l) => /event Warning Failed .*Failed to pull image/.test(l)),
      c.lines.join('\n'),
    );
  });

  it('re-lists and continues when the watch expires (410 Gone) mid-rollout', async () => {
    h = await harness({ stepMs: 150 });
    const { record, ctl } = await deploy('helixdb/helix:2.0');
    const lines: string[] = [];
    let expired = false;
    const log = (l: string) => {
      lines.push(l);
      // Mid-rollout (pods exist and the watches run): compact history and drop every watch, as an API server restart does.
      if (!expired && /^pod .*Pending on/.test(l)) {
        expired = true;
        setImmediate(() => h.server.expireWatches());
      }
    };
    const c = { lines };
    const out = await applyPlan(h.cluster, record, { signal: ctl.signal, log });
    assert.ok(expired, 'the test did not expire the watches');
    assert.equal(out.outcome, 'applied', out.error + '\n' + c.lines.join('\n'));
    assert.ok(
      c.lines.some((l) => l.includes('watch expired (410 Gone); re-listed')),
      c.lines.join('\n'),
    );
    // The client really got a 410 on resume and re-listed (not just reconnected).
    const resumes = h.server.requests.filter((r) => r.includes('watch=true') && /resourceVersion=\d+/.test(r));
    assert.ok(resumes.length > 4, 'expected watches resumed from a resourceVersion');
  });

  it('cancel stops watching promptly and closes every watch', async () => {
    h = await harness();
    const { record, ctl } = await deploy('helixdb/helix:never-ready');
    const c = collector();
    const running = applyPlan(h.cluster, record, { signal: ctl.signal, log: c.log });
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    ctl.abort();
    const out = await running;
    assert.equal(out.outcome, 'cancelled');
    assert.ok(Date.now() - t0 < 1000);
    // The server notices closed connections asynchronously; every watch must be gone shortly after.
    await poll(() => h.server.store.watchers.size === 0, {
      what: 'every watch closed after the cancel',
      timeoutMs: 2000,
    });
  });

  it('watchRollout reports an already-complete rollout without waiting', async () => {
    h = await harness();
    const { record, ctl } = await deploy('helixdb/helix:1.0');
    assert.equal((await applyPlan(h.cluster, record, { signal: ctl.signal, log: () => {} })).outcome, 'applied');
    const r = await watchRollout(
      h.cluster,
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'helix', namespace: 'default' },
      { signal: ctl.signal, log: () => {} },
    );
    assert.equal(r.phase, 'complete');
  });
});
