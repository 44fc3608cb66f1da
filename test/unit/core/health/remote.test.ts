import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkOnce } from '../../../../src/core/health/check';
import { deploymentHealthEndpoints } from '../../../../src/core/health/remote';
import { describeHealth, imageGeneration } from '../../../../src/core/push/deployHealth';
import type { Environment, Project } from '../../../../src/core/model/types';

// Probes for a cloud deployment's URL: v3 health routes, v2 "any HTTP answer is alive".

describe('health of a deployment URL', () => {
  let server: http.Server;
  let base: string;
  before(async () => {
    server = http.createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('v3: /healthz and /readyz under the URL (trailing slash or not)', () => {
    assert.deepEqual(deploymentHealthEndpoints('https://x.example/', 'v3'), {
      liveness: 'https://x.example/healthz',
      readiness: 'https://x.example/readyz',
    });
  });

  it('v2: the root, where a 404 still means alive; a refused connection does not', async () => {
    const t = deploymentHealthEndpoints(base, 'v2');
    assert.deepEqual(t, { liveness: `${base}/`, anyStatus: true });
    const r = await checkOnce(t);
    assert.equal(r.status, 'healthy');
    assert.equal(r.liveness?.status, 404);
    assert.match(describeHealth(r), /^healthy \(liveness 404 in [\d.]+ ms\)$/);
    const down = await checkOnce(deploymentHealthEndpoints('http://127.0.0.1:1', 'v2'));
    assert.equal(down.status, 'unhealthy');
    assert.match(describeHealth(down), /^unhealthy \(liveness ECONNREFUSED in [\d.]+ ms\): liveness .*ECONNREFUSED$/);
  });

  it('without anyStatus a 404 root is not alive (local probes keep their 2xx rule)', async () => {
    assert.equal((await checkOnce({ liveness: `${base}/` })).status, 'unhealthy');
  });

  it('which image a target runs: enterprise v3; [cloud.*] helix and fly v2', () => {
    const p = { generation: 'v3.1' } as Project;
    const env = (kind: Environment['kind']) => ({ kind }) as Environment;
    assert.equal(imageGeneration(p, env('enterprise')), 'v3');
    assert.equal(imageGeneration(p, env('helix-cloud')), 'v2');
    assert.equal(imageGeneration(p, env('fly')), 'v2');
    assert.equal(imageGeneration({ generation: 'v2' } as Project, env('terraform')), 'v2');
  });
});
