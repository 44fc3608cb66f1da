import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Journal } from '../../../src/core/engine/journal';
import { HealthService } from '../../../src/core/health/service';
import { LocalError } from '../../../src/core/local/errors';
import { LocalService } from '../../../src/core/local/service';
import { EngineWatch } from '../../../src/core/local/watch';
import { LogFollower } from '../../../src/core/logs/follower';
import { DockerEngine } from '../../../src/providers/docker/engine';
import { parseHost } from '../../../src/providers/docker/connect';
import { cleanup, dockerHost, fixtureContext, localTarget, testEngine, tmpRoot, uid, freePort } from './support';
import { poll } from '../../support/poll';

// Engine states: a missing engine, a daemon that stops mid-operation and comes back (through a socket
// relay we can cut, which the client cannot tell from a stopped daemon), event-driven refresh with no
// calls while idle, and logs followed across a restart.

/** A unix-socket relay to the test engine that we can "stop" and "start" like a daemon. */
class Relay {
  private server?: net.Server;
  private readonly conns = new Set<net.Socket>();
  constructor(
    readonly socketPath: string,
    private readonly target: string,
  ) {}
  async up(): Promise<void> {
    fs.rmSync(this.socketPath, { force: true });
    this.server = net.createServer((c) => {
      const u = net.connect(this.target);
      this.conns.add(c).add(u);
      c.pipe(u).pipe(c);
      const drop = () => (c.destroy(), u.destroy(), this.conns.delete(c), this.conns.delete(u));
      c.on('error', drop).on('close', drop);
      u.on('error', drop).on('close', drop);
    });
    await new Promise<void>((r) => this.server!.listen(this.socketPath, r));
  }
  async down(): Promise<void> {
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = undefined;
  }
}

describe('engine states, refresh and logs (real engine)', function () {
  this.timeout(90_000);
  const engine = testEngine();
  let project: string;
  const disposables: { dispose(): void }[] = [];
  let relay: Relay | undefined;
  let journal: Journal;
  let svc: LocalService;

  beforeEach(async () => {
    project = `s${uid()}`;
    journal = await Journal.open(path.join(fs.mkdtempSync(path.join(tmpRoot(), 'j-')), 'runs.journal'));
    svc = new LocalService({ engine, journal, health: new HealthService(), who: async () => 'x' });
  });
  afterEach(async () => {
    for (const d of disposables.splice(0)) d.dispose();
    await relay?.down();
    relay = undefined;
    await cleanup(engine, project);
    await journal.close();
  });

  it('reports a missing engine as no-engine with the endpoint, not a stack trace', async () => {
    const missing = new DockerEngine(parseHost(`unix://${path.join(tmpRoot(), `nope-${uid()}.sock`)}`, 'setting'));
    await assert.rejects(
      missing.ping(),
      (e: unknown) =>
        e instanceof LocalError && e.code === 'no-engine' && /not running or not installed/.test(e.message),
    );
  });

  it('reports a refusing socket as daemon-stopped', async () => {
    const p = path.join(tmpRoot(), `dead-${uid()}.sock`);
    // A file nobody listens on: what a crashed daemon leaves behind (connect is refused).
    fs.writeFileSync(p, '');
    const dead = new DockerEngine(parseHost(`unix://${p}`, 'setting'));
    await assert.rejects(dead.ping(), (e: unknown) => e instanceof LocalError && e.code === 'daemon-stopped');
  });

  it('refreshes from the event stream (debounced) and makes no API calls while idle', async () => {
    const watch = new EngineWatch(engine, { debounceMs: 300 });
    disposables.push(watch);
    watch.setActive(true);
    await poll(() => watch.state === 'up', { what: 'the watch to connect', timeoutMs: 15_000 });
    const t = localTarget(fixtureContext('health-app'), project, 'dev', {}, await freePort());
    await svc.build(t);
    // Count the engine's events independently, so the bound holds on a loaded machine too.
    let events = 0;
    const counter = engine.events(
      () => events++,
      () => undefined,
    );
    const before = watch.apiCalls;
    await svc.start(t);
    await poll(() => watch.containers.some((c) => c.name === `helix-${project}-dev` && c.state === 'running'), {
      what: 'the container running in the watch',
      timeoutMs: 15_000,
    });
    const burst = watch.apiCalls - before;
    counter.dispose();
    assert.ok(
      burst >= 1 && burst < events,
      `a burst of ${events} events costs fewer list calls than events (${burst})`,
    );
    await poll(() => watch.containers.find((c) => c.name === `helix-${project}-dev`)?.health === 'healthy', {
      what: 'the container healthy in the watch',
      timeoutMs: 15_000,
    });
    const idle = watch.apiCalls;
    // Idle: quiesce the HEALTHCHECK-driven exec events by stopping the container, then watch for 2 s.
    await svc.stop(t);
    await poll(() => watch.containers.find((c) => c.name === `helix-${project}-dev`)?.state === 'exited', {
      what: 'the container exited in the watch',
      timeoutMs: 15_000,
    });
    // The stop's last events (die, stop, network disconnect) can straddle a debounce window: let them settle.
    for (let seen = -1, end = Date.now() + 10_000; watch.apiCalls !== seen && Date.now() < end;) {
      seen = watch.apiCalls;
      await new Promise((r) => setTimeout(r, 500));
    }
    const quiet = watch.apiCalls;
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(watch.apiCalls, quiet, 'zero calls while idle');
    assert.ok(quiet >= idle);
    // Inactive (no view visible): no subscription, no calls at all.
    watch.setActive(false);
    assert.equal(watch.state, 'idle');
  });

  it('goes down when the daemon stops mid-operation and reconnects when it is back', async () => {
    relay = new Relay(path.join(tmpRoot(), `relay-${uid()}.sock`), parseHost(dockerHost(), 'DOCKER_HOST').socketPath!);
    await relay.up();
    const viaRelay = new DockerEngine(parseHost(`unix://${relay.socketPath}`, 'setting'));
    const watch = new EngineWatch(viaRelay, { debounceMs: 50, reconnectMs: 200 });
    disposables.push(watch);
    watch.setActive(true);
    await poll(() => watch.state === 'up', { what: 'the watch to connect', timeoutMs: 15_000 });

    // A build in flight when the daemon goes away fails with an actionable error, and the journal says Failed.
    const relayed = new LocalService({ engine: viaRelay, journal, health: new HealthService(), who: async () => 'x' });
    const dir = fixtureContext('health-app');
    fs.writeFileSync(
      path.join(dir, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","sleep","3"]\n',
    );
    const t = localTarget(dir, project);
    const build = relayed.build(t);
    await poll(() => journal.list({ project })[0]?.log.some((l) => /Step 3\//.test(l)) ?? false, {
      what: 'the build to reach its RUN step',
      timeoutMs: 15_000,
    });
    await relay.down();
    await assert.rejects(build, (e: unknown) => e instanceof LocalError);
    assert.equal(journal.list({ project })[0].state, 'Failed');
    await poll(() => watch.state === 'down', { what: 'the watch to notice the engine is gone', timeoutMs: 15_000 });
    assert.ok(watch.error && ['no-engine', 'daemon-stopped'].includes(watch.error.code), String(watch.error));
    await assert.rejects(
      viaRelay.ping(),
      (e: unknown) => e instanceof LocalError && ['no-engine', 'daemon-stopped'].includes(e.code),
    );

    await relay.up();
    await poll(() => watch.state === 'up', { what: 'the watch to reconnect', timeoutMs: 15_000 });
    // Events flow again after the reconnect.
    const t2 = localTarget(fixtureContext('health-app'), project, 'dev', {}, await freePort());
    await svc.build(t2);
    await svc.start(t2);
    await poll(() => watch.containers.some((c) => c.name === `helix-${project}-dev`), {
      what: 'the container in the watch again',
      timeoutMs: 15_000,
    });
  });

  it('follows logs across a restart without duplicates', async () => {
    const t = localTarget(fixtureContext('health-app'), project, 'dev', {}, await freePort());
    await svc.build(t);
    await svc.start(t);
    const follower = new LogFollower(engine, `helix-${project}-dev`);
    disposables.push(follower);
    const lines: string[] = [];
    follower.onLine((l) => lines.push(l.text));
    void follower.start();
    await poll(() => lines.filter((l) => l.startsWith('started dev')).length === 1, {
      what: 'the first start in the log',
      timeoutMs: 15_000,
    });
    await svc.restart(t);
    await poll(() => lines.filter((l) => l.startsWith('started dev')).length === 2, {
      what: 'the second start in the log',
      timeoutMs: 15_000,
    });
    // Stop + start (a new container of the same name): still followed.
    await svc.stop(t);
    await poll(() => follower.state === 'waiting', {
      what: 'the follower to wait for the container',
      timeoutMs: 15_000,
    });
    await svc.start(t);
    await poll(() => lines.filter((l) => l.startsWith('started dev')).length === 3, {
      what: 'the third start in the log',
      timeoutMs: 15_000,
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(
      lines.filter((l) => l.startsWith('started dev')).length,
      3,
      `no duplicated lines: ${lines.join(' | ')}`,
    );
  });
});
