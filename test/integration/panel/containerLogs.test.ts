// The panel's container-log view for a local environment, against the REAL engine: the host's follower
// streams a container's stdout/stderr into 'log' messages of source 'container', keeps following across a
// restart, and stops when the webview turns it off.

import { strict as assert } from 'node:assert';
import { Journal } from '../../../src/core/engine/journal';
import { HealthService } from '../../../src/core/health/service';
import { LocalService } from '../../../src/core/local/service';
import { followContainerLogs } from '../../../src/webview/host/containerLogs';
import { PanelSession, type SessionIO } from '../../../src/webview/host/session';
import type { HostMessage } from '../../../src/webview/protocol';
import { cleanup, fixtureContext, localTarget, testEngine, tmpRoot, uid } from '../docker/support';
import { FakeBackend } from '../../unit/webview/fixtures';
import { poll } from '../../support/poll';

describe('panel: container logs of a local environment (real engine)', function () {
  this.timeout(120_000);
  const engine = testEngine();
  const project = `pl${uid()}`;
  const name = `helix-${project}-dev`;
  let journal: Journal;

  before(async () => {
    journal = await Journal.open(`${tmpRoot()}/panel-logs-${project}.journal`);
    const svc = new LocalService({ engine, journal, health: new HealthService(), who: async () => 'test' });
    const t = localTarget(fixtureContext('http-app'), project);
    await svc.build(t);
    // A container that talks: one stdout and one stderr line every 100 ms, counting from 0 after each start.
    const c = await engine.docker.createContainer({
      name,
      Image: `hd-test-${project}:dev`,
      Entrypoint: [
        '/bin/busybox',
        'sh',
        '-c',
        'i=0; while true; do echo "tick $i"; echo "warn $i" >&2; i=$((i+1)); sleep 0.1; done',
      ],
      Labels: { 'helix.project': project, 'helix.environment': 'dev' },
      HostConfig: { NetworkMode: 'none' },
    });
    await c.start();
  });

  after(async () => {
    await cleanup(engine, project);
    await journal?.close();
  });

  it('streams stdout and stderr into the panel, follows across a restart, and stops when turned off', async () => {
    const posted: HostMessage[] = [];
    const io: SessionIO = {
      post: (m) => void posted.push(JSON.parse(JSON.stringify(m))),
      openDiff: () => {},
      copy: async () => {},
      save: async () => {},
      log: () => {},
    };
    const backend = new FakeBackend();
    backend.envView = { ...backend.envView, kind: 'local', hasContainerLogs: true };
    const errors: unknown[] = [];
    backend.followContainer = (_key, onLines) => followContainerLogs(engine, name, onLines, (e) => errors.push(e));
    const session = new PanelSession(backend.envView.key, backend, io);
    await session.handle({ type: 'ready', version: 1 });
    await session.handle({ type: 'followContainer', on: true });

    const lines = () => posted.flatMap((m) => (m.type === 'log' && m.source === 'container' ? m.lines : []));
    await poll(() => lines().some((l) => /^tick \d+$/.test(l.text) && !l.err), {
      what: 'stdout lines in the panel',
      timeoutMs: 30_000,
    });
    await poll(() => lines().some((l) => /^warn \d+$/.test(l.text) && l.err), {
      what: 'stderr lines marked as errors',
      timeoutMs: 30_000,
    });
    assert.ok(
      lines().every((l) => typeof l.t === 'number' && l.t > 0),
      'every line has a timestamp',
    );

    // A restart starts counting again: "tick 0" shows up a second time without turning the follower off.
    const zeros = () => lines().filter((l) => l.text === 'tick 0').length;
    const before = zeros();
    await engine.restart(name, 1);
    await poll(() => zeros() > before && lines().filter((l) => /^tick \d+$/.test(l.text)).length > 0, {
      what: 'lines after the restart',
      timeoutMs: 30_000,
    });

    await session.handle({ type: 'followContainer', on: false });
    await new Promise((r) => setTimeout(r, 300));
    const count = lines().length;
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(lines().length, count, 'no lines after the panel turned container logs off');
    assert.deepEqual(errors, []);
    session.dispose();
  });
});
