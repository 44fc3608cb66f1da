import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Journal } from '../../../src/core/engine/journal';
import { HealthService } from '../../../src/core/health/service';
import { LocalError } from '../../../src/core/local/errors';
import { LocalService } from '../../../src/core/local/service';
import { imageRef } from '../../../src/core/local/naming';
import { DockerEngine } from '../../../src/providers/docker/engine';
import { parseHost } from '../../../src/providers/docker/connect';
import { findBuildKitClient } from '../../../src/providers/docker/buildkit-cli';
import { cleanup, dockerHost, fixtureContext, localTarget, testEngine, tmpRoot, uid } from './support';

// A Dockerfile that needs BuildKit (RUN --mount=type=cache) against the real test engine (dockerd 20.10, which
// contains BuildKit). The BuildKit client is whatever this machine has: the runner installs Debian's docker.io,
// whose docker CLI (20.10) builds with BuildKit under DOCKER_BUILDKIT=1; a docker CLI with the buildx plugin
// would be preferred. Without any, the build is refused up front with the feature and its line.

describe('BuildKit builds (real engine)', function () {
  this.timeout(120_000);
  const engine = testEngine();
  let journal: Journal;
  let project: string;

  const service = (e: DockerEngine = engine) =>
    new LocalService({ engine: e, journal, health: new HealthService(), who: async () => 'test' });
  const target = (args: Record<string, string> = {}) =>
    localTarget(fixtureContext('buildkit-app'), project, 'dev', { build: { args } });

  /** Reads a file of the built image by running it (the image's entrypoint sleeps). */
  async function readFromImage(image: string, file: string): Promise<string> {
    const id = await engine.create({
      name: `${project}-read`,
      image,
      labels: { 'helix.project': project },
      env: [],
      ports: [],
    });
    await engine.start(id);
    return (await engine.exec(id, ['/bin/busybox', 'cat', file])).output.trim();
  }

  beforeEach(async () => {
    project = `bk${uid()}`;
    journal = await Journal.open(path.join(fs.mkdtempSync(path.join(tmpRoot(), 'journal-')), 'runs.journal'));
  });

  afterEach(async () => {
    await cleanup(engine, project);
    await journal.close();
  });

  it('this machine has a BuildKit client (a docker CLI with buildx, or docker.io 20.10 with BuildKit built in)', async () => {
    const found = await findBuildKitClient();
    assert.ok(
      found.client,
      `no BuildKit client on PATH (apt-get install docker.io, or add the buildx plugin); found: ${found.rejected.join('; ') || 'no docker CLI'}`,
    );
  });

  it('builds a RUN --mount=type=cache Dockerfile through BuildKit against the engine, with progress, build args and a journaled run', async () => {
    const t = target({ GREETING: 'hello-from-buildkit' });
    const lines: string[] = [];
    const out = await service().build(t, { onLine: (l) => lines.push(l) });
    assert.ok(
      lines.some((l) => /^Building with BuildKit through docker .*needed for RUN --mount \(line 9\)/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /^#\d+ \[.*\] RUN --mount=type=cache/.test(l)),
      'BuildKit step lines streamed',
    );
    assert.ok(!lines.some((l) => /^Step \d+\/\d+ :/.test(l)), 'not the legacy builder');
    assert.match(out.result.imageId, /^sha256:[0-9a-f]{64}$/);
    assert.equal((await engine.inspectImage(imageRef(t)))?.id, out.result.imageId);
    assert.equal(await readFromImage(imageRef(t), '/built'), 'hello-from-buildkit');
    const run = journal.get(out.run.id)!;
    assert.equal(run.state, 'Succeeded');
    assert.equal(run.meta?.imageId, out.result.imageId);
    assert.ok(
      run.log.some((l) => /RUN --mount=type=cache/.test(l)),
      'BuildKit progress in the journal',
    );
  });

  it('a failing BuildKit step fails the run with that step, as the legacy builder names steps', async () => {
    await assert.rejects(service().build(target({ STEP: 'fail' })), (e: unknown) => {
      assert.ok(e instanceof LocalError && e.code === 'build-failed', String(e));
      assert.match(e.detail.failedStep ?? '', /^Step 3\/3 : RUN --mount=type=cache/);
      assert.match(e.message, /exit code: 3/);
      return true;
    });
    const [run] = journal.list({ project });
    assert.equal(run.state, 'Failed');
    assert.ok(
      run.log.some((l) => /failing on purpose/.test(l)),
      'the step output is in the journal',
    );
  });

  it('cancelling a BuildKit build stops it: the run ends Cancelled, no image, and the next build works', async () => {
    const t = target({ STEP: 'slow' });
    const ac = new AbortController();
    const lines: string[] = [];
    const build = service().build(t, {
      signal: ac.signal,
      onLine: (l) => (lines.push(l), /slow step started/.test(l) && ac.abort()),
    });
    await assert.rejects(build, (e: unknown) => e instanceof LocalError && e.code === 'cancelled');
    const [run] = journal.list({ project });
    assert.equal(run.state, 'Cancelled');
    assert.equal(await engine.inspectImage(imageRef(t)), undefined);
    const again = await service().build(target());
    assert.equal(journal.get(again.run.id)?.state, 'Succeeded');
  });

  it("a heredoc the engine's built-in frontend cannot read fails naming the heredoc, its line and the fix", async () => {
    // The test engine (20.10) has a built-in Dockerfile frontend older than heredocs (Dockerfile 1.4); without a
    // `# syntax=` line (which would pull a frontend image) every client gets that frontend.
    const dir = fixtureContext('buildkit-app');
    fs.writeFileSync(
      path.join(dir, 'Dockerfile'),
      [
        'FROM scratch',
        'COPY busybox /bin/busybox',
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
        'RUN <<EOF',
        'echo heredoc > /built',
        'EOF',
        '',
      ].join('\n'),
    );
    await assert.rejects(service().build(localTarget(dir, project)), (e: unknown) => {
      assert.ok(e instanceof LocalError && e.code === 'build-failed', String(e));
      assert.match(e.message, /unknown instruction.*predates heredocs, line 4: add "# syntax=docker\/dockerfile:1"/);
      return true;
    });
  });

  it('an engine connection cut mid-build fails the BuildKit run with the engine-down error, as the API path does', async () => {
    // A unix-socket relay to the test engine that the test cuts: to the client, a daemon that went away.
    const relayPath = path.join(tmpRoot(), `relay-${uid()}.sock`);
    const conns = new Set<net.Socket>();
    const relay = net.createServer((c) => {
      const u = net.connect(parseHost(dockerHost(), 'DOCKER_HOST').socketPath!);
      conns.add(c).add(u);
      c.pipe(u).pipe(c);
      const drop = () => (c.destroy(), u.destroy());
      c.on('error', drop).on('close', drop);
      u.on('error', drop).on('close', drop);
    });
    await new Promise<void>((r) => relay.listen(relayPath, r));
    const viaRelay = new DockerEngine(parseHost(`unix://${relayPath}`, 'setting'));
    const build = service(viaRelay).build(target({ STEP: 'slow' }), {
      onLine: (l) => {
        if (!/slow step started/.test(l)) return;
        relay.close();
        for (const c of conns) c.destroy();
      },
    });
    await assert.rejects(build, (e: unknown) => {
      assert.ok(
        e instanceof LocalError && ['no-engine', 'daemon-stopped'].includes(e.code),
        `expected the engine-down error, got: ${String(e)}`,
      );
      return true;
    });
    const [run] = journal.list({ project });
    assert.equal(run.state, 'Failed');
    assert.ok(
      run.log.some((l) => /slow step started/.test(l)),
      'the build had really started',
    );
  });

  it('plain Dockerfiles still build through the engine API (legacy builder)', async () => {
    const lines: string[] = [];
    await service().build(localTarget(fixtureContext('http-app'), project), { onLine: (l) => lines.push(l) });
    assert.ok(
      lines.some((l) => /^Step 1\/\d+ : FROM scratch/.test(l)),
      lines.join('\n'),
    );
    assert.ok(!lines.some((l) => /BuildKit/.test(l)));
  });

  it('without a BuildKit client the build is refused before it starts, naming the feature, its line and what to install', async () => {
    // A docker CLI of 23+ without the buildx plugin (a stand-in script: it only answers the probes).
    const bin = fs.mkdtempSync(path.join(tmpRoot(), 'cli-'));
    const fake = path.join(bin, 'docker');
    fs.writeFileSync(
      fake,
      '#!/bin/sh\ncase "$1" in\n  --version) echo "Docker version 28.2.2, build e6534b4";;\n  *) echo "docker: unknown command: docker $1" >&2; exit 1;;\nesac\n',
      { mode: 0o755 },
    );
    for (const clis of [[], [fake]]) {
      const none = new DockerEngine(parseHost(dockerHost(), 'DOCKER_HOST'), { dockerClis: clis });
      const t = target();
      const lines: string[] = [];
      await assert.rejects(service(none).build(t, { onLine: (l) => lines.push(l) }), (e: unknown) => {
        assert.ok(e instanceof LocalError && e.code === 'build-failed', String(e));
        assert.match(e.message, /needs BuildKit for RUN --mount \(line 9: RUN --mount=type=cache,target=\/cache/);
        assert.match(e.message, /Install the Docker Buildx plugin/);
        if (clis.length)
          assert.match(e.message, /docker 28\.2\.2, which builds with BuildKit only through the buildx plugin/);
        else assert.match(e.message, /no docker CLI on PATH/);
        assert.match(e.detail.failedStep ?? '', /^RUN --mount=type=cache/);
        return true;
      });
      assert.ok(!lines.some((l) => /^#\d+ |^Step /.test(l)), 'nothing was built');
      assert.equal(await engine.inspectImage(imageRef(t)), undefined);
    }
    const runs = journal.list({ project });
    assert.deepEqual(
      runs.map((r) => r.state),
      ['Failed', 'Failed'],
    );
    assert.match(runs[0].error ?? '', /needs BuildKit for RUN --mount/);
  });
});
