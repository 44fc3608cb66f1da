import * as assert from 'node:assert/strict';
import { harness, readFixture, type Harness } from './harness';
import { renderManifests } from '../../../src/core/kubernetes/render';
import { planObjects, applyPlan } from '../../../src/core/kubernetes/deploy';
import { followWorkloadLogs } from '../../../src/webview/host/containerLogs';
import { PanelSession, type SessionIO } from '../../../src/webview/host/session';
import type { HostMessage } from '../../../src/webview/protocol';
import { FakeBackend } from '../../unit/webview/fixtures';
import { poll } from '../../support/poll';

// The panel's "Pods" log source for a Kubernetes environment against the stand-in API server: every pod of
// the environment, prefixed, followed across a container restart, stopped when the webview turns it off.

describe('panel: workload logs of a Kubernetes environment (stand-in API server)', function () {
  this.timeout(30_000);
  let h: Harness;
  beforeEach(async () => (h = await harness()));
  afterEach(async () => h.close());

  it('streams every pod of the environment into the panel, across a restart, until turned off', async () => {
    const desired = renderManifests({
      files: readFixture('app'),
      namespace: 'default',
      environment: 'staging',
      image: 'helixdb/helix:1.0',
    });
    const signal = new AbortController().signal;
    const { record } = await planObjects(h.cluster, desired, {
      context: 'standin',
      namespace: 'default',
      environment: 'staging',
      signal,
      log: () => {},
    });
    assert.equal((await applyPlan(h.cluster, record, { signal, log: () => {} })).outcome, 'applied');

    const posted: HostMessage[] = [];
    const io: SessionIO = {
      post: (m) => void posted.push(JSON.parse(JSON.stringify(m))),
      openDiff: () => {},
      copy: async () => {},
      save: async () => {},
      log: () => {},
    };
    const backend = new FakeBackend();
    backend.envView = { ...backend.envView, kind: 'kubernetes', hasContainerLogs: true };
    const errors: unknown[] = [];
    backend.followContainer = (_key, onLines) =>
      followWorkloadLogs(
        h.cluster,
        'default',
        'staging',
        onLines,
        (e) => errors.push(e),
        (l) => l.replace(/indexes/g, '[masked]'),
      );
    const session = new PanelSession(backend.envView.key, backend, io);
    await session.handle({ type: 'ready', version: 1 });
    await session.handle({ type: 'followContainer', on: true });

    const lines = () =>
      posted.flatMap((m) => (m.type === 'log' && m.source === 'container' ? m.lines.map((l) => l.text) : []));
    await poll(
      () =>
        new Set(
          lines()
            .map((l) => l.match(/^\[([^/\]]+)\//)?.[1])
            .filter(Boolean),
        ).size === 2,
      { what: 'lines of both pods, prefixed', timeoutMs: 10_000 },
    );
    assert.ok(
      lines().some((l) => l.endsWith('ready: [masked] loaded')),
      'lines go through the redactor',
    );

    const pod = h.server.store.list({ resource: 'pods' } as any)[0].metadata.name;
    h.server.restartPod('default', pod);
    await poll(() => lines().some((l) => l === `[${pod}/helix] container restarted (restart 1)`), {
      what: 'the restarted container followed',
      timeoutMs: 10_000,
    });

    await session.handle({ type: 'followContainer', on: false });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.server.store.watchers.size, 0, 'no watch left open once the panel turned the logs off');
    assert.deepEqual(errors, []);
    session.dispose();
  });
});
