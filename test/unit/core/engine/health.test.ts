import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { healthResultOfRun, parseDuration, resolveHealth, verifyHealth } from '../../../../src/core/engine/health';
import { Journal } from '../../../../src/core/engine/journal';
import { canRollback, rollbackTarget, successfulDeployments } from '../../../../src/core/engine/rollback';
import { check } from '../config/helpers';
import { hover } from '../../../../src/core/config/assist/hover';

// The health step's pure parts: the `health` table resolved against the apply's outputs (timeout, deadline),
// the verdict without anything to probe, and Unhealthy deployments never being a rollback target.
// Probing a real instance after a real apply: test/integration/terraform/health.test.ts.

const env = (health?: Record<string, unknown>) => ({ name: 'staging', settings: health ? { health } : {} });

describe('engine health step', () => {
  it('reads durations as the schema writes them', () => {
    assert.equal(parseDuration('5s'), 5000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('5 sec'), undefined);
    assert.equal(parseDuration(undefined), undefined);
  });

  it('resolves ${outputs.x}, the timeout per request and the deadline (defaults 5 s and 60 s)', () => {
    const r = resolveHealth(
      env({ liveness: '${outputs.url}/healthz', readiness: '${outputs.url}/readyz', timeout: '2s', deadline: '90s' }),
      { url: 'http://127.0.0.1:1' },
    );
    assert.deepEqual(r, {
      target: { liveness: 'http://127.0.0.1:1/healthz', readiness: 'http://127.0.0.1:1/readyz' },
      timeoutMs: 2000,
      deadlineMs: 90_000,
    });
    const d = resolveHealth(env({ liveness: 'http://h/healthz' }), undefined);
    assert.equal(d.timeoutMs, 5000);
    assert.equal(d.deadlineMs, 60_000);
  });

  it('says why nothing can be probed: no table, a missing output', () => {
    assert.match(resolveHealth(env(), {}).missing!, /has no health table/);
    assert.match(
      resolveHealth(env({ liveness: '${outputs.url}/healthz' }), { other: 'x' }).missing!,
      /no output "url"/,
    );
  });

  it('without a target the verdict is unknown, logged, and nothing is probed', async () => {
    const lines: string[] = [];
    const v = await verifyHealth(resolveHealth(env(), {}), (l) => lines.push(l));
    assert.deepEqual(v.health, 'unknown');
    assert.deepEqual(v.healthChecks, []);
    assert.match(lines[0]!, /^Health: unknown \(environment "staging" has no health table/);
  });

  it('an unreachable instance is unhealthy once the deadline passes, each attempt logged', async () => {
    const lines: string[] = [];
    // Port 1 on loopback refuses connections.
    const v = await verifyHealth(
      { target: { liveness: 'http://127.0.0.1:1/healthz' }, timeoutMs: 500, deadlineMs: 300 },
      (l) => lines.push(l),
      { initialDelayMs: 20 },
    );
    assert.equal(v.health, 'unhealthy');
    assert.match(
      v.healthReason,
      /^not healthy within 300 ms \(\d+ attempts\): liveness http:\/\/127\.0\.0\.1:1\/healthz: ECONNREFUSED/,
    );
    assert.equal(v.healthChecks[0]!.name, 'liveness');
    assert.equal(v.healthChecks[0]!.ok, false);
    assert.ok(lines.filter((l) => l.startsWith('Health attempt')).length >= 2, lines.join('\n'));
  });

  it('a run verdict becomes the environment health shown by the views', () => {
    const r = healthResultOfRun({
      state: 'Unhealthy',
      updatedAt: 't',
      endedAt: 'e',
      meta: {
        health: 'unhealthy',
        healthReason: 'why',
        healthChecks: [{ name: 'readiness', url: 'u', ok: false, status: 503, ms: 1 }],
      },
    });
    assert.equal(r?.status, 'unhealthy');
    assert.equal(r?.readiness?.status, 503);
    assert.equal(r?.reason, 'why');
    assert.equal(healthResultOfRun({ state: 'Applied', updatedAt: 't', meta: { health: 'unknown' } }), undefined);
  });

  it('an Unhealthy deployment is never a rollback target: the rollback goes to the previous healthy one', async () => {
    const j = await Journal.open(
      path.join(fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'health-')), 'runs.jsonl'),
    );
    const deploy = async (state: 'Applied' | 'Unhealthy') => {
      const r = await j.begin({ kind: 'apply', project: 'demo', environment: 'staging', who: 'me', state: 'Applying' });
      await j.end(r.id, state, undefined, { deployed: { vars: {}, secretVars: [], context: {} } });
      return r;
    };
    const v1 = await deploy('Applied');
    assert.equal(canRollback(j, 'terraform', 'demo', 'staging'), false);
    const v2 = await deploy('Unhealthy');
    assert.equal(canRollback(j, 'terraform', 'demo', 'staging'), true, 'rollback offered on the Unhealthy apply');
    const t = rollbackTarget(j, 'demo', 'staging');
    assert.equal(t.current?.id, v2.id);
    assert.equal(t.to?.id, v1.id);
    assert.deepEqual(
      successfulDeployments(j, 'demo', 'staging').map((r) => r.id),
      [v1.id],
    );
    await j.close();
  });

  it('helix.deploy.toml: health.deadline is a duration; auto_rollback without health checks is a warning', () => {
    const D = { kind: 'deploy' as const, file: 'helix.deploy.toml', helixText: '[project]\nname = "a"\n[local.dev]\n' };
    assert.deepEqual(
      check('[environments.a]\nterraform = "x"\nhealth = { deadline = "1 minute" }\n', D).map((x) => x.code),
      ['pattern'],
    );
    const s = check('[environments.a]\nterraform = "x"\nauto_rollback = true\n', D);
    assert.deepEqual(
      s.map((x) => [x.code, x.severity]),
      [['auto-rollback-no-health', 'warning']],
    );
    assert.match(s[0]!.message, /never triggers: without health\.liveness or health\.readiness/);
    assert.deepEqual(
      check('[environments.a]\nterraform = "x"\nauto_rollback = true\nhealth = { liveness = "http://h/healthz" }\n', D),
      [],
    );
    const t = '[environments.a]\nterraform = "x"\nauto_rollback = true\nhealth = { deadline = "60s" }\n';
    assert.match(
      hover(t, t.indexOf('auto_rollback') + 2, { kind: 'deploy', generation: 'v3.4' })!.markdown,
      /Unhealthy.*rollback to the previous healthy deployment.*`protected`.*approval/s,
    );
    assert.match(
      hover(t, t.indexOf('health =') + 2, { kind: 'deploy', generation: 'v3.4' })!.markdown,
      /after every apply and rollback.*ends the run Unhealthy/,
    );
  });
});
