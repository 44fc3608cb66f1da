import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Journal } from '../../../src/core/engine/journal';
import { HealthService } from '../../../src/core/health/service';
import { LocalError } from '../../../src/core/local/errors';
import { LocalService } from '../../../src/core/local/service';
import { nameOf } from '../../../src/core/local/naming';
import { envKey } from '../../../src/core/model/environment-ref';
import { probe } from '../../../src/core/health/probe';
import { cleanup, fixtureContext, localTarget, testEngine, tmpRoot, uid, freePort } from './support';
import { poll } from '../../support/poll';

// The local loop against the real test engine: build, start (healthy), health going unhealthy,
// port clash, stop/restart/remove, .env secrets kept out of logs, journal records.

describe('local loop (real engine)', function () {
  this.timeout(90_000);
  const engine = testEngine();
  let journal: Journal;
  let health: HealthService;
  let svc: LocalService;
  let project: string;
  let journalFile: string;
  const servers: net.Server[] = [];

  beforeEach(async () => {
    project = `t${uid()}`;
    journalFile = path.join(fs.mkdtempSync(path.join(tmpRoot(), 'journal-')), 'runs.journal');
    journal = await Journal.open(journalFile);
    health = new HealthService();
    svc = new LocalService({ engine, journal, health, who: async () => 'test <test@example.invalid>' });
  });

  afterEach(async () => {
    await cleanup(engine, project);
    await journal.close();
    for (const s of servers.splice(0)) s.close();
  });

  it('builds from the Dockerfile, honours .dockerignore, reports size and journals the run', async () => {
    const dir = fixtureContext('health-app');
    const t = localTarget(dir, project);
    const lines: string[] = [];
    const out = await svc.build(t, { onLine: (l) => lines.push(l) });
    assert.ok(out.result.size > 500_000, `size ${out.result.size}`);
    assert.equal(out.overBudgetMB, undefined);
    assert.ok(
      lines.some((l) => /^Step \d+\/\d+ : COPY www/.test(l)),
      'build output streamed',
    );
    const run = journal.get(out.run.id)!;
    assert.equal(run.state, 'Succeeded');
    assert.equal(run.kind, 'build');
    assert.equal(run.meta?.sizeBytes, out.result.size);
    assert.ok(run.log.length > 3);
    // .dockerignore: start and look inside.
    const port = await freePort();
    const started = await svc.start({ ...t, environment: { ...t.environment, port } });
    const ls = await engine.exec(started.container.id, ['/bin/busybox', 'ls', '/extra']);
    assert.match(ls.output, /keep\.txt/);
    assert.doesNotMatch(ls.output, /ignored\.txt/);
  });

  it('warns when the image is above the size budget', async () => {
    const small = new LocalService({ engine, journal, health, who: async () => 'x', imageSizeBudgetMB: () => 0.1 });
    const out = await small.build(localTarget(fixtureContext('health-app'), project));
    assert.ok(out.overBudgetMB && out.overBudgetMB > 0.1);
    assert.ok(journal.get(out.run.id)!.log.some((l) => /above the 0.1 MB budget/.test(l)));
  });

  it('reports a build failure with the failing step and a Failed run', async () => {
    const t = localTarget(fixtureContext('broken-app'), project);
    await assert.rejects(svc.build(t), (e: unknown) => {
      assert.ok(e instanceof LocalError && e.code === 'build-failed', String(e));
      assert.match(e.detail.failedStep ?? '', /Step 3\/\d+ : COPY does-not-exist/);
      return true;
    });
    const [run] = journal.list({ project });
    assert.equal(run.state, 'Failed');
    assert.match(run.error ?? '', /Step 3\//);
  });

  it('starts with the CLI name, labels and port mapping, and turns healthy (engine starting -> healthy)', async () => {
    const port = await freePort();
    const t = localTarget(fixtureContext('health-app'), project, 'dev', {}, port);
    await svc.build(t);
    const seen: string[] = [];
    health.onDidChange((e) => e.result && seen.push(e.result.status));
    const out = await svc.start(t);
    assert.equal(out.container.name, `helix-${project}-dev`);
    assert.equal(out.container.labels['helix.project'], project);
    assert.equal(out.container.labels['helix.environment'], 'dev');
    assert.deepEqual(
      out.container.ports.map((p) => [p.host, p.container]),
      [[port, 8080]],
    );
    assert.equal(out.health.status, 'healthy');
    assert.equal(out.health.engine, 'healthy');
    assert.ok(seen.includes('starting'), `health went through starting: ${seen.join(',')}`);
    assert.equal(seen.at(-1), 'healthy');
    assert.equal((await probe(`http://127.0.0.1:${port}/readyz`)).status, 200);
    assert.equal(journal.get(out.run.id)!.state, 'Succeeded');
    // A second start of a running instance is a no-op that still reports health.
    const again = await svc.start(t);
    assert.equal(again.container.id, out.container.id);
  });

  it('sees healthy -> unhealthy when /healthz disappears', async () => {
    const port = await freePort();
    const t = localTarget(fixtureContext('health-app'), project, 'dev', {}, port);
    await svc.build(t);
    const out = await svc.start(t);
    assert.equal(out.health.status, 'healthy');
    await engine.exec(out.container.id, ['/bin/busybox', 'rm', '/www/healthz']);
    const r = await svc.checkHealth(t);
    assert.equal(r.status, 'unhealthy');
    assert.equal(r.liveness?.status, 404);
    assert.equal(health.get(envKey(t.project.dir, t.environment.name))?.status, 'unhealthy');
    // The engine's HEALTHCHECK follows within its retries (interval 1 s, retries 2).
    await poll(async () => (await engine.inspect(out.container.id))!.health === 'unhealthy', {
      what: 'the engine HEALTHCHECK to turn unhealthy',
      timeoutMs: 15_000,
      intervalMs: 300,
    });
  });

  it('refuses a port in use and offers the next free port, which then works', async () => {
    const port = await freePort();
    const blocker = net.createServer();
    servers.push(blocker);
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    const t = localTarget(fixtureContext('health-app'), project, 'dev', {}, port);
    await svc.build(t);
    let suggested: number | undefined;
    await assert.rejects(svc.start(t), (e: unknown) => {
      assert.ok(e instanceof LocalError && e.code === 'port-in-use', String(e));
      assert.equal(e.detail.port, port);
      suggested = e.detail.suggestedPort;
      return true;
    });
    assert.ok(suggested && suggested > port);
    assert.equal(journal.list({ project })[0].state, 'Failed');
    const out = await svc.start(t, { port: suggested });
    assert.equal(out.port, suggested);
    assert.equal(out.health.status, 'healthy');
  });

  it('stops, restarts and removes', async () => {
    const port = await freePort();
    const t = localTarget(fixtureContext('health-app'), project, 'dev', {}, port);
    await svc.build(t);
    await svc.start(t);
    await svc.stop(t);
    assert.equal((await svc.status(t))?.state, 'exited');
    // Start replaces the stopped container (as `helix start`).
    const s2 = await svc.start(t);
    assert.equal(s2.health.status, 'healthy');
    const r = await svc.restart(t);
    assert.equal(r.health.status, 'healthy');
    await svc.remove(t);
    assert.equal(await svc.status(t), undefined);
    const kinds = journal
      .list({ project })
      .map((x) => `${x.kind}:${x.state}`)
      .reverse();
    assert.deepEqual(kinds, [
      'build:Succeeded',
      'start:Succeeded',
      'stop:Succeeded',
      'start:Succeeded',
      'restart:Succeeded',
      'remove:Succeeded',
    ]);
  });

  it('says the image is missing before it creates anything', async () => {
    const t = localTarget(fixtureContext('health-app'), project, 'dev', {}, await freePort());
    await assert.rejects(
      svc.start(t),
      (e: unknown) => e instanceof LocalError && e.code === 'image-missing' && /Build the image first/.test(e.message),
    );
    assert.equal(await svc.status(t), undefined);
  });

  it('passes .env to the container but never echoes secret values', async () => {
    const dir = fixtureContext('health-app');
    fs.writeFileSync(
      path.join(dir, '.env'),
      'PLAIN_SETTING=hello\nHELIX_API_KEY=sk-very-secret-123\nDB_PASSWORD="hunter2-pw"\n',
    );
    const t = localTarget(dir, project, 'dev', {}, await freePort());
    await svc.build(t);
    const lines: string[] = [];
    const out = await svc.start(t, { onLine: (l) => lines.push(l) });
    const env = await engine.exec(out.container.id, ['/bin/busybox', 'env']);
    assert.match(env.output, /HELIX_API_KEY=sk-very-secret-123/);
    assert.match(env.output, /DB_PASSWORD=hunter2-pw/);
    const all = lines.join('\n') + fs.readFileSync(journalFile, 'utf8');
    assert.match(all, /PLAIN_SETTING=hello/);
    assert.match(all, /HELIX_API_KEY=\*\*\*/);
    assert.doesNotMatch(all, /sk-very-secret-123|hunter2-pw/);
  });

  it('keeps one run at a time per environment', async () => {
    const t = localTarget(fixtureContext('health-app'), project, 'dev', {}, await freePort());
    const first = svc.build(t);
    await assert.rejects(svc.build(t), (e: unknown) => e instanceof LocalError && e.code === 'busy');
    await first;
  });

  it('cancels a start while it waits for health', async () => {
    const dir = fixtureContext('health-app');
    fs.rmSync(path.join(dir, 'www', 'readyz'));
    const t = localTarget(dir, project, 'dev', {}, await freePort());
    await svc.build(t);
    const ac = new AbortController();
    const p = svc.start(t, { signal: ac.signal });
    setTimeout(() => ac.abort(), 1500);
    await assert.rejects(p, (e: unknown) => e instanceof LocalError && e.code === 'cancelled');
    assert.equal(journal.list({ project, kind: 'start' })[0].state, 'Cancelled');
    assert.equal(nameOf(t), `helix-${project}-dev`);
  });

  it('runs a CLI v2 instance on the same port inside, with HELIX_PORT and the .helix/.volumes/<instance> mount', async () => {
    const dir = fixtureContext('health-app');
    fs.writeFileSync(
      path.join(dir, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\nSTOPSIGNAL SIGKILL\nENTRYPOINT ["/bin/busybox","sh","-c","exec /bin/busybox httpd -f -p $HELIX_PORT -h /www"]\n',
    );
    const port = await freePort();
    const t = localTarget(dir, project, 'dev', {}, port);
    t.project.generation = 'v2';
    await svc.build(t);
    const out = await svc.start(t);
    assert.deepEqual(
      out.container.ports.map((p) => [p.host, p.container]),
      [[port, port]],
    );
    assert.equal(out.health.status, 'none', 'v2 has no health route and this image no HEALTHCHECK');
    assert.equal((await probe(`http://127.0.0.1:${port}/healthz`)).status, 200);
    await engine.exec(out.container.id, ['/bin/busybox', 'touch', '/data/written-inside']);
    assert.ok(fs.existsSync(path.join(dir, '.helix', '.volumes', 'dev', 'written-inside')));
  });
});
