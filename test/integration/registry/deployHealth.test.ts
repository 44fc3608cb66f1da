import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CredentialRedactor } from '../../../src/core/credentials/redact';
import { Journal } from '../../../src/core/engine/journal';
import { HealthService } from '../../../src/core/health/service';
import type { Environment, Project } from '../../../src/core/model/types';
import { runDeploy } from '../../../src/core/push/deployRun';
import { FlyDeployer } from '../../../src/providers/fly/deployer';
import { HelixCloudDeployer } from '../../../src/providers/helix-cloud/deployer';
import { startFlyServer, type FlyStandIn } from '../../support/flyServer';
import { startHelixCloud, type HelixCloudStandIn } from '../../support/helixCloudServer';
import { tmpRoot } from '../../support/registry';

// Health after a cloud deploy: the URL a target hands back is probed, the result kept per environment
// and written into the deploy run. Helix Cloud and Fly.io are our stand-ins on 127.0.0.1; the
// "deployment" they point at is a small HTTP server of this test whose answers the test controls.

const KEY = 'hx-api-key-health-4411';
const TOKEN = 'fly-token-health-9921';

describe('health of a cloud deployment (stand-in servers)', function () {
  this.timeout(60_000);
  let app: http.Server;
  let appUrl: string;
  let routes: Record<string, number>;
  const hits: string[] = [];
  let cloud: HelixCloudStandIn;
  let fly: FlyStandIn;
  let work: string;
  let journal: Journal;
  let project: Project;
  const cloudEnv: Environment = {
    name: 'production',
    kind: 'helix-cloud',
    source: 'helix.toml',
    settings: { cluster_id: 'c-health' },
  };
  const entEnv: Environment = {
    name: 'ent',
    kind: 'enterprise',
    source: 'helix.toml',
    settings: { cluster_id: 'ec_health' },
  };
  const flyEnv: Environment = { name: 'edge', kind: 'fly', source: 'helix.toml', settings: {} };

  before(async () => {
    app = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      res.statusCode = routes[req.url ?? ''] ?? 404;
      res.end();
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    cloud = await startHelixCloud(KEY);
    cloud.deployedUrl = appUrl;
    fly = await startFlyServer(TOKEN);
    work = tmpRoot();
    fs.mkdirSync(path.join(work, 'db'));
    fs.writeFileSync(
      path.join(work, 'helix.toml'),
      '[project]\nname = "demo"\n\n[cloud.production.helix]\ncluster_id = "c-health"\n',
    );
    fs.writeFileSync(path.join(work, 'db', 'schema.hx'), 'N::User { name: String }\n');
    project = {
      name: 'demo',
      dir: work,
      configFile: path.join(work, 'helix.toml'),
      generation: 'v2',
      containerRuntime: 'docker',
      environments: [cloudEnv, entEnv, flyEnv],
      errorCount: 0,
    };
    journal = await Journal.open(path.join(work, 'runs.journal'));
  });
  beforeEach(() => {
    routes = {};
    hits.length = 0;
  });
  after(async () => {
    await journal.close();
    await cloud.stop();
    await fly.stop();
    app.closeAllConnections();
    await new Promise((r) => app.close(r));
    fs.rmSync(work, { recursive: true, force: true });
  });

  const ctx = (environment: Environment) => ({ project, environment, signal: new AbortController().signal });
  const helixCloud = () =>
    new HelixCloudDeployer({
      baseUrl: cloud.url,
      apiKey: async () => KEY,
      buildQueries: async () => Buffer.from('{"queries":[]}'),
    });
  const deploy = (
    deployer: HelixCloudDeployer | FlyDeployer,
    env: Environment,
    health: HealthService,
    lines: string[] = [],
    deadlineMs = 10_000,
  ) =>
    runDeploy(
      {
        redactor: new CredentialRedactor(),
        journal,
        log: (l) => lines.push(l),
        health: { service: health, deadlineMs, initialDelayMs: 25 },
      },
      deployer,
      ctx(env),
      'tester',
    );

  it('Helix Cloud v2: the root of the returned URL is probed, any HTTP answer is alive; kept per environment and in the run', async () => {
    const health = new HealthService();
    const lines: string[] = [];
    const r = await deploy(helixCloud(), cloudEnv, health, lines); // the root answers 404: v2 has no health route
    assert.equal(r.url, appUrl);
    assert.equal(r.health?.status, 'healthy');
    assert.equal(r.health?.liveness?.status, 404);
    assert.deepEqual(hits, ['/']);
    assert.equal(health.get(`${work}#production`)?.status, 'healthy');
    const run = journal.get(r.runId!)!;
    assert.equal(run.state, 'Succeeded');
    assert.equal(run.meta?.url, appUrl);
    assert.equal(run.meta?.health, 'healthy');
    assert.ok(
      run.log.some((l) => l.startsWith(`Checking health: ${appUrl}/`)),
      run.log.join('\n'),
    );
    assert.ok(
      run.log.some((l) => /^Health: healthy \(liveness 404 in [\d.]+ ms\)$/.test(l)),
      run.log.join('\n'),
    );
  });

  it('v3 Enterprise: /healthz and /readyz; live but not ready until the deadline is reported, the deploy still Succeeded', async () => {
    const health = new HealthService();
    routes['/healthz'] = 200;
    routes['/readyz'] = 503;
    const r = await deploy(
      helixCloud(),
      { ...entEnv, settings: { ...entEnv.settings, gateway_url: appUrl } },
      health,
      [],
      300,
    );
    assert.equal(r.health?.status, 'unhealthy');
    assert.match(String(r.health?.reason), /readiness .*\/readyz: HTTP 503/);
    assert.ok(hits.includes('/healthz') && hits.includes('/readyz') && !hits.includes('/'));
    assert.equal(health.get(`${work}#ent`)?.status, 'unhealthy');
    const run = journal.get(r.runId!)!;
    assert.equal(run.state, 'Succeeded');
    assert.equal(run.meta?.health, 'unhealthy');
    assert.match(String(run.meta?.healthReason), /HTTP 503/);

    routes['/readyz'] = 200;
    const again = await deploy(
      helixCloud(),
      { ...entEnv, settings: { ...entEnv.settings, gateway_url: appUrl } },
      health,
    );
    assert.equal(again.health?.status, 'healthy');
    assert.equal(health.get(`${work}#ent`)?.readiness?.status, 200);
  });

  it('Fly.io: the app URL answers; a deployment that never answers is unhealthy, not a failed deploy', async () => {
    const health = new HealthService();
    const flyDeployer = (url: string) =>
      new FlyDeployer({
        machinesUrl: fly.url,
        token: async () => TOKEN,
        pushImage: async (_c, a) => `127.0.0.1:1/${a}:t1`,
        appUrl: () => url,
      });
    const ok = await deploy(flyDeployer(appUrl), flyEnv, health);
    assert.equal(ok.health?.status, 'healthy');
    assert.deepEqual(hits, ['/']);
    const closed = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const down = await deploy(flyDeployer(`http://127.0.0.1:${closed}`), flyEnv, health, [], 300);
    assert.equal(down.health?.status, 'unhealthy');
    assert.match(String(down.health?.reason), /ECONNREFUSED/);
    assert.equal(journal.get(down.runId!)?.state, 'Succeeded');
    assert.equal(health.get(`${work}#edge`)?.status, 'unhealthy');
  });
});
