import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Journal } from '../../../src/core/engine/journal';
import { HealthService } from '../../../src/core/health/service';
import { LocalError } from '../../../src/core/local/errors';
import { LocalService } from '../../../src/core/local/service';
import { EngineWatch } from '../../../src/core/local/watch';
import { DockerEngine } from '../../../src/providers/docker/engine';
import { parseHost } from '../../../src/providers/docker/connect';
import { dockerHost, fixtureContext, localTarget, tmpRoot, uid } from './support';
import { poll } from '../../support/poll';

// The local Docker failure paths against a REAL daemon rather than a relay: a dockerd of this test's own is
// stopped while a build runs and started again (same data root), and a user without access to the socket
// gets "permission denied" from our code, not a stack trace.

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request(
      { socketPath: socket, path: '/_ping' },
      (res) => (res.resume(), resolve(res.statusCode === 200)),
    );
    req.on('error', () => resolve(false));
    req.setTimeout(1000, () => req.destroy());
    req.end();
  });
}

/** A private dockerd (no networking: builds only) that the test can stop and start again. */
class Daemon {
  child?: ChildProcess;
  constructor(readonly dir: string) {}
  get socket(): string {
    return path.join(this.dir, 'd.sock');
  }
  async start(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    const log = fs.openSync(path.join(this.dir, 'dockerd.log'), 'a');
    this.child = spawn(
      'dockerd',
      [
        '--host',
        `unix://${this.socket}`,
        '--data-root',
        path.join(this.dir, 'data'),
        '--exec-root',
        path.join(this.dir, 'exec'),
        '--pidfile',
        path.join(this.dir, 'd.pid'),
        '--bridge',
        'none',
        '--iptables=false',
        '--ip6tables=false',
      ],
      { stdio: ['ignore', log, log] },
    );
    await poll(() => ping(this.socket), { what: 'the test daemon to answer', timeoutMs: 60_000 });
  }
  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (c.exitCode === null) c.kill('SIGKILL');
  }
}

describe('a real daemon going away and coming back', function () {
  this.timeout(180_000);
  let daemon: Daemon;
  let journal: Journal;
  let watch: EngineWatch | undefined;

  before(async () => {
    dockerHost(); // the suite's engine must exist too: fail loudly outside the runner
    daemon = new Daemon(fs.mkdtempSync(path.join(tmpRoot(), 'daemon-')));
    await daemon.start();
    journal = await Journal.open(path.join(daemon.dir, 'runs.journal'));
  });

  after(async () => {
    watch?.dispose();
    await journal?.close();
    await daemon?.stop();
  });

  it('fails a build in flight with an actionable error, marks the run Failed, and recovers after a restart', async () => {
    const engine = new DockerEngine(parseHost(`unix://${daemon.socket}`, 'setting'));
    watch = new EngineWatch(engine, { debounceMs: 50, reconnectMs: 200 });
    watch.setActive(true);
    await poll(() => watch!.state === 'up', { what: 'the watch to connect', timeoutMs: 60_000 });

    const project = `dr${uid()}`;
    const svc = new LocalService({ engine, journal, health: new HealthService(), who: async () => 'test' });
    const dir = fixtureContext('health-app');
    fs.writeFileSync(
      path.join(dir, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","sleep","15"]\n',
    );
    const build = svc.build(localTarget(dir, project));
    build.catch(() => undefined); // asserted below; avoids an unhandled-rejection warning meanwhile
    await poll(() => journal.list({ project })[0]?.log.some((l) => /Step 3\//.test(l)) ?? false, {
      what: 'the build to reach its RUN step',
      timeoutMs: 60_000,
    });
    await daemon.stop();

    await assert.rejects(build, (e: unknown) => {
      assert.ok(e instanceof LocalError, `expected an actionable LocalError, got: ${String(e)}`);
      return true;
    });
    const run = journal.list({ project })[0];
    assert.equal(run.state, 'Failed', 'the run is recorded as Failed, never left Running');
    assert.ok(run.error, 'the run keeps the reason');
    await poll(() => watch!.state === 'down', { what: 'the watch to notice the daemon is gone', timeoutMs: 60_000 });
    assert.ok(watch.error && ['no-engine', 'daemon-stopped'].includes(watch.error.code), String(watch.error));
    await assert.rejects(
      engine.ping(),
      (e: unknown) => e instanceof LocalError && ['no-engine', 'daemon-stopped'].includes(e.code),
    );

    await daemon.start();
    await poll(() => watch!.state === 'up', {
      what: 'the watch to reconnect to the restarted daemon',
      timeoutMs: 60_000,
    });
    const ok = await svc.build(localTarget(fixtureContext('health-app'), project));
    assert.equal(journal.get(ok.run.id)?.state, 'Succeeded');
    assert.equal(journal.list({ project }).filter((r) => r.state === 'Running').length, 0);
  });

  it('reports a socket this user may not open as permission-denied (a user without access, for real)', function () {
    // Root can open any socket, so the check runs as "nobody" in a child process through the same code.
    const nobody = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' });
    assert.equal(nobody.status, 0, 'the test needs the "nobody" user');
    const script = `
      const { DockerEngine } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/providers/docker/engine'))});
      const { parseHost } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/providers/docker/connect'))});
      new DockerEngine(parseHost(${JSON.stringify(`unix://${daemon.socket}`)}, 'setting')).ping()
        .then(() => console.log(JSON.stringify({ ok: true })), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));`;
    const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
      uid: Number(nobody.stdout.trim()),
      gid: Number(nobody.stdout.trim()),
      encoding: 'utf8',
      cwd: '/',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(out.code, 'permission-denied', r.stdout);
    assert.match(out.message, /permission/i);
  });

  it('refuses a BuildKit build with the same actionable error when the daemon is stopped, and the run is Failed', async () => {
    // (Not mid-build: this daemon has no bridge, and BuildKit RUN steps need one.)
    const engine = new DockerEngine(parseHost(`unix://${daemon.socket}`, 'setting'));
    const project = `dk${uid()}`;
    const svc = new LocalService({ engine, journal, health: new HealthService(), who: async () => 'test' });
    await daemon.stop();
    await assert.rejects(svc.build(localTarget(fixtureContext('buildkit-app'), project)), (e: unknown) => {
      assert.ok(
        e instanceof LocalError && ['no-engine', 'daemon-stopped'].includes(e.code),
        `expected the engine-down error, got: ${String(e)}`,
      );
      return true;
    });
    const run = journal.list({ project })[0];
    assert.equal(run.state, 'Failed');
    assert.match(run.error ?? '', /not running|No container engine/);
    await daemon.start();
  });
});
