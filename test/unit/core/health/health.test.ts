import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { probe } from '../../../../src/core/health/probe';
import { checkOnce, waitHealthy } from '../../../../src/core/health/check';
import { HealthService } from '../../../../src/core/health/service';

// Health core against a real HTTP server on loopback whose answers the test controls.

describe('health checks', () => {
  let server: http.Server;
  let base: string;
  const routes: Record<string, number | 'hang'> = {};
  before(async () => {
    server = http.createServer((req, res) => {
      const r = routes[req.url ?? ''] ?? 404;
      if (r === 'hang') return; // never answers
      res.statusCode = r;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => Object.keys(routes).forEach((k) => delete routes[k]));

  it('probe: 2xx ok, other status, refused, timeout', async () => {
    routes['/healthz'] = 200;
    routes['/hang'] = 'hang';
    assert.equal((await probe(`${base}/healthz`)).ok, true);
    assert.deepEqual([(await probe(`${base}/x`)).ok, (await probe(`${base}/x`)).status], [false, 404]);
    assert.equal((await probe('http://127.0.0.1:1/healthz')).error, 'ECONNREFUSED');
    const t = await probe(`${base}/hang`, 200);
    assert.equal(t.ok, false);
    assert.match(t.error!, /no answer within 200 ms/);
  });

  it('combines liveness, readiness and engine health', async () => {
    routes['/healthz'] = 200;
    routes['/readyz'] = 503;
    const t = { liveness: `${base}/healthz`, readiness: `${base}/readyz` };
    assert.equal((await checkOnce(t)).status, 'starting');
    routes['/readyz'] = 200;
    assert.equal((await checkOnce(t)).status, 'healthy');
    assert.equal((await checkOnce({ ...t, engine: async () => 'unhealthy' })).status, 'unhealthy');
    assert.equal((await checkOnce({ ...t, engine: async () => 'starting' })).status, 'starting');
    routes['/healthz'] = 500;
    assert.equal((await checkOnce(t)).status, 'unhealthy');
    assert.equal((await checkOnce({})).status, 'none');
  });

  it('waits with backoff until healthy, or reports unhealthy at the deadline', async () => {
    routes['/healthz'] = 200;
    routes['/readyz'] = 503;
    const t = { liveness: `${base}/healthz`, readiness: `${base}/readyz` };
    setTimeout(() => (routes['/readyz'] = 200), 300);
    const attempts: string[] = [];
    const ok = await waitHealthy(t, { deadlineMs: 5000, onAttempt: (a) => attempts.push(a.status) });
    assert.equal(ok.status, 'healthy');
    assert.ok(ok.attempts > 1 && ok.attempts < 15, `backoff keeps attempts low (${ok.attempts})`);
    assert.ok(attempts.every((s) => s === 'starting'));
    routes['/readyz'] = 503;
    const bad = await waitHealthy(t, { deadlineMs: 400 });
    assert.equal(bad.status, 'unhealthy');
    assert.match(bad.reason!, /not healthy within 400 ms/);
  });

  it('service keeps results per environment and emits changes', async () => {
    routes['/healthz'] = 200;
    const svc = new HealthService();
    const seen: string[] = [];
    svc.onDidChange((e) => seen.push(`${e.key}:${e.result?.status}`));
    await svc.check('a#dev', { liveness: `${base}/healthz` });
    svc.set('a#dev', undefined);
    assert.deepEqual(seen, ['a#dev:healthy', 'a#dev:undefined']);
    assert.equal(svc.get('a#dev'), undefined);
  });
});
