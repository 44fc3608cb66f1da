import { strict as assert } from 'node:assert';
import { PLAN_STATES, SIMPLE_STATES } from '../../../../src/core/engine/states';
import { formatDuration, isHelixContainer, presentContainer, presentRun } from '../../../../src/core/local/present';
import type { ContainerInfo } from '../../../../src/core/local/engine';
import type { RunRecord } from '../../../../src/core/engine/journal';

// How containers and runs read in the Deployments tree: state, health, uptime, ports, image; run result and duration.

const base: ContainerInfo = {
  id: 'a'.repeat(64),
  name: 'helix-demo-dev',
  state: 'running',
  health: 'healthy',
  status: 'Up 5 minutes (healthy)',
  image: 'demo:dev',
  ports: [{ hostIp: '127.0.0.1', host: 6969, container: 8080 }],
  labels: { 'helix.project': 'demo', 'helix.environment': 'dev' },
  created: 0,
};

describe('Deployments presentation', () => {
  it('shows health as icon and description, with uptime, ports and image', () => {
    const p = presentContainer(base);
    assert.equal(p.description, 'healthy · Up 5 minutes · 127.0.0.1:6969→8080 · demo:dev');
    assert.deepEqual(
      [p.icon, p.color, p.contextValue],
      ['pass-filled', 'testing.iconPassed', 'container:running:ports'],
    );
    assert.equal(
      presentContainer({ ...base, health: 'starting', status: 'Up 1 second (health: starting)' }).icon,
      'loading~spin',
    );
    assert.equal(presentContainer({ ...base, health: 'unhealthy' }).color, 'testing.iconFailed');
    // No HEALTHCHECK: the probe result stands in.
    assert.equal(presentContainer({ ...base, health: 'none' }, 'unhealthy').icon, 'error');
    const stopped = presentContainer({ ...base, state: 'exited', status: 'Exited (137) 2 minutes ago', ports: [] });
    assert.deepEqual([stopped.icon, stopped.contextValue], ['circle-outline', 'container:stopped']);
    assert.match(stopped.description, /^exited · Exited \(137\)/);
  });

  it('recognises containers by label or by the CLI name', () => {
    assert.ok(isHelixContainer(base));
    assert.ok(isHelixContainer({ ...base, labels: {}, name: 'helix-other-prod' }));
    assert.ok(!isHelixContainer({ ...base, labels: {}, name: 'postgres' }));
  });

  it('shows a run with its result and duration', () => {
    const r: RunRecord = {
      id: '1',
      kind: 'build',
      project: 'demo',
      environment: 'dev',
      who: 'me',
      startedAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '',
      endedAt: '2026-01-01T00:00:01.500Z',
      state: 'Succeeded',
      log: [],
    };
    const p = presentRun(r, Date.parse('2026-01-01T00:02:00Z'));
    assert.equal(p.label, 'build demo/dev');
    assert.equal(p.description, 'Succeeded · 1.5 s · 2m ago');
    assert.equal(presentRun({ ...r, state: 'Interrupted' }).icon, 'debug-disconnect');
    // Plan-first runs share the history: every engine state has its icon, none falls back to a blank circle.
    for (const state of [...PLAN_STATES, ...SIMPLE_STATES])
      assert.notEqual(presentRun({ ...r, state }).icon, 'circle-large-outline', state);
    assert.equal(presentRun({ ...r, state: 'Applied' }).color, 'testing.iconPassed');
    // Applied but unhealthy: its own icon and words, its health in the tooltip, and the Roll Back menu's context.
    const bad = presentRun(
      { ...r, kind: 'apply', state: 'Unhealthy', meta: { health: 'unhealthy', healthReason: 'readiness HTTP 503' } },
      Date.parse('2026-01-01T00:02:00Z'),
    );
    assert.deepEqual([bad.icon, bad.color], ['heart', 'list.errorForeground']);
    assert.equal(bad.description, 'Unhealthy (applied, health check failed) · 1.5 s · 2m ago');
    assert.match(bad.tooltip, /Health: unhealthy \(readiness HTTP 503\)/);
    assert.equal(bad.contextValue, 'run:done:unhealthy');
    assert.equal(formatDuration(125_000), '2 min 5 s');
  });
});
