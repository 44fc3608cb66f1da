import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Journal } from '../../../src/core/engine/journal';
import { HealthService } from '../../../src/core/health/service';
import { LocalError } from '../../../src/core/local/errors';
import { isHelixContainer } from '../../../src/core/local/present';
import { LocalService } from '../../../src/core/local/service';
import { cleanup, fixtureContext, freePort, localTarget, testEngine, testRegistry, tmpRoot, uid } from './support';
import { poll } from '../../support/poll';

// Storage of v3 instances against the real test engine: disk mode's sidecar, network and volumes (MinIO
// naming for v3.0-3.1, SeaweedFS plus cache for v3.4), s3 mode's env with forwarded AWS_* credentials
// kept out of every log, and a sidecar image that cannot be had. The engine has no internet: the sidecar
// is a busybox stand-in built here (test/fixtures/docker/storage-sidecar), pulled from the test registry once.

describe('storage: local v3 instances with disk and s3 storage (real engine)', function () {
  this.timeout(120_000);
  const engine = testEngine();
  const docker = engine.docker;
  const run = uid();
  const standIn = (mc: string) => `hd-test-sidecar-${run}:${mc}`;
  let journal: Journal;
  let svc: LocalService;
  let project: string;
  let journalFile: string;

  before(async () => {
    const ctx = fixtureContext('storage-sidecar');
    for (const mc of ['none', 'ok', 'fail'])
      await engine.build({ context: ctx, tag: standIn(mc), buildArgs: { MC: mc } });
  });

  after(async () => {
    for (const mc of ['none', 'ok', 'fail'])
      await docker
        .getImage(standIn(mc))
        .remove({ force: true })
        .catch(() => undefined);
  });

  beforeEach(async () => {
    project = `s${uid()}`;
    journalFile = path.join(fs.mkdtempSync(path.join(tmpRoot(), 'journal-')), 'runs.journal');
    journal = await Journal.open(journalFile);
    svc = new LocalService({
      engine,
      journal,
      health: new HealthService(),
      who: async () => 'test <test@example.invalid>',
    });
  });

  afterEach(async () => {
    await cleanup(engine, project);
    const label = JSON.stringify({ label: [`helix.project=${project}`] });
    for (const n of await docker.listNetworks({ filters: label }))
      await docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => undefined);
    for (const v of (await docker.listVolumes({ filters: label })).Volumes ?? [])
      await docker
        .getVolume(v.Name)
        .remove()
        .catch(() => undefined);
    await journal.close();
  });

  async function diskTarget(settings: Record<string, unknown>, generation: 'v3.1' | 'v3.4' = 'v3.1') {
    const t = localTarget(
      fixtureContext('health-app'),
      project,
      'dev',
      { storage: 'disk', ...settings },
      await freePort(),
    );
    t.project.generation = generation;
    await svc.build(t);
    return t;
  }

  const exists = async (inspect: () => Promise<unknown>) =>
    inspect().then(
      () => true,
      () => false,
    );
  const networkMembers = async (name: string) =>
    Object.values((await docker.getNetwork(name).inspect()).Containers ?? {})
      .map((c) => (c as { Name: string }).Name)
      .sort();
  const sh = async (container: string, ...cmd: string[]) =>
    (await engine.exec(container, ['/bin/busybox', ...cmd])).output;

  it('disk (v3.0-3.1): MinIO-named sidecar on the instance network, bucket made, stop keeps the volume, start reuses it, remove removes both', async () => {
    const t = await diskTarget({ sidecar_image: standIn('ok') });
    const inst = `helix-${project}-dev`;
    const side = `helix-${project}-dev-minio`;
    const net = `helix-${project}-dev-net`;
    const vol = `helix-${project}-dev-minio-data`;
    const lines: string[] = [];
    const out = await svc.start(t, { onLine: (l) => lines.push(l) });
    assert.equal(out.health.status, 'healthy');

    // One network with both containers; the data volume; the sidecar labelled as the instance's, plus its role.
    assert.deepEqual(await networkMembers(net), [inst, side].sort());
    assert.ok(await exists(() => docker.getVolume(vol).inspect()), 'data volume');
    const sidecar = (await engine.inspect(side))!;
    assert.equal(sidecar.state, 'running');
    assert.deepEqual(
      [sidecar.labels['helix.project'], sidecar.labels['helix.environment'], sidecar.labels['helix.role']],
      [project, 'dev', 'storage'],
    );
    assert.deepEqual(sidecar.ports, [], 'the S3 port is never published');
    // The Deployments tree sees one "dev", not two.
    const listed = (await engine.list([`helix.project=${project}`])).filter(isHelixContainer).map((c) => c.name);
    assert.deepEqual(listed, [inst]);

    // The instance talks S3 to the sidecar by name over the network.
    const env = await sh(inst, 'env');
    for (const kv of [
      'S3_BUCKET=helix-db',
      'S3_REGION=us-east-1',
      `AWS_ENDPOINT=http://${side}:9000`,
      'AWS_ALLOW_HTTP=true',
      'AWS_ACCESS_KEY_ID=minioadmin',
    ])
      assert.ok(env.includes(kv), `${kv} in\n${env}`);
    assert.match(
      await sh(inst, 'wget', '-q', '-O-', `http://${side}:9000/`),
      /stand-in sidecar: server \/data --console-address :9001/,
    );
    // Bucket: `mc` in the sidecar, with MC_HOST_local, retried while the server starts.
    assert.match(await sh(side, 'ls', '/data'), /helix-db/);
    assert.ok(
      lines.some((l) => /Bucket helix-db is ready in/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some(
        (l) =>
          l ===
          'Storage environment: S3_BUCKET=helix-db S3_REGION=us-east-1 DB_PATH=db/ AWS_ACCESS_KEY_ID=*** AWS_SECRET_ACCESS_KEY=*** AWS_ENDPOINT=http://' +
            side +
            ':9000 AWS_ALLOW_HTTP=true',
      ),
      lines.join('\n'),
    );
    await sh(side, 'touch', '/data/helix-db/kept');

    // Stop, as `helix stop`: both containers and the network go, the volume stays.
    await svc.stop(t);
    assert.equal(await engine.inspect(inst), undefined);
    assert.equal(await engine.inspect(side), undefined);
    assert.ok(!(await exists(() => docker.getNetwork(net).inspect())), 'network removed on stop');
    assert.ok(await exists(() => docker.getVolume(vol).inspect()), 'volume kept on stop');

    // A second start reuses the volume (its data is there), a restart re-creates both.
    const again = await svc.start(t);
    assert.equal(again.health.status, 'healthy');
    assert.match(await sh(side, 'ls', '/data/helix-db'), /kept/);
    const before = (await engine.inspect(side))!.id;
    const restarted = await svc.restart(t);
    assert.equal(restarted.health.status, 'healthy');
    assert.equal(restarted.port, again.port);
    assert.notEqual((await engine.inspect(side))!.id, before, 'restart re-creates the sidecar');
    assert.match(await sh(side, 'ls', '/data/helix-db'), /kept/);

    // Remove takes both containers and the network; the data volume stays for `helix prune`.
    await svc.remove(t);
    assert.equal(await engine.inspect(inst), undefined);
    assert.equal(await engine.inspect(side), undefined);
    assert.ok(!(await exists(() => docker.getNetwork(net).inspect())));
    assert.ok(await exists(() => docker.getVolume(vol).inspect()));
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

  it('disk (CLI 3.4): a MinIO sidecar left by an older release is removed and its data volume kept, with a line saying so', async () => {
    const old = `helix-${project}-dev-minio`;
    // As an older `helix start` left it: no labels of ours.
    await (await docker.createContainer({ name: old, Image: standIn('none') })).start();
    const t = await diskTarget({ sidecar_image: standIn('none') }, 'v3.4');
    const lines: string[] = [];
    await svc.start(t, { onLine: (l) => lines.push(l) });
    assert.equal(await engine.inspect(old), undefined);
    assert.ok(
      lines.some((l) =>
        l.startsWith(
          `Removed ${old}, the storage sidecar of another helix CLI release. Its data stays in volume ${old}-data`,
        ),
      ),
      lines.join('\n'),
    );
    assert.equal((await engine.inspect(`helix-${project}-dev-seaweedfs`))?.state, 'running');
    await svc.remove(t);
  });

  it('disk (v3.0-3.1) with a sidecar image without mc: the bucket becomes a folder of the data volume', async () => {
    const t = await diskTarget({ sidecar_image: standIn('none') });
    const lines: string[] = [];
    await svc.start(t, { onLine: (l) => lines.push(l) });
    assert.ok(
      lines.some((l) => /Bucket helix-db created as a data folder .*no mc/.test(l)),
      lines.join('\n'),
    );
    assert.match(await sh(`helix-${project}-dev-minio`, 'ls', '/data'), /helix-db/);
  });

  it('disk (v3.4): SeaweedFS-named sidecar pulled from a registry with progress, S3 on 8333, a cache volume', async function () {
    const registry = testRegistry();
    // Publish the stand-in, then drop it locally so the start has to pull it.
    const ref = `${registry}/hd-sidecar-${run}`;
    await docker.getImage(standIn('none')).tag({ repo: ref, tag: '1' });
    await new Promise<void>((resolve, reject) => {
      // The engine wants an X-Registry-Auth header even for a registry without auth.
      docker
        .getImage(`${ref}:1`)
        .push({ authconfig: { serveraddress: registry } }, (err, stream) =>
          err ? reject(err) : docker.modem.followProgress(stream!, (e) => (e ? reject(e) : resolve())),
        );
    });
    await docker.getImage(`${ref}:1`).remove();
    try {
      const t = await diskTarget({ sidecar_image: `${ref}:1` }, 'v3.4');
      const side = `helix-${project}-dev-seaweedfs`;
      const inst = `helix-${project}-dev`;
      const lines: string[] = [];
      const out = await svc.start(t, { onLine: (l) => lines.push(l) });
      assert.equal(out.health.status, 'healthy');
      assert.ok(
        lines.some((l) => l.startsWith(`Pulling the storage sidecar image ${ref}:1`)),
        lines.join('\n'),
      );
      assert.ok(
        lines.some((l) => /^ {2}.*(Pull complete|Downloaded newer image|Status)/.test(l)),
        `pull progress in the run log:\n${lines.join('\n')}`,
      );
      assert.deepEqual(await networkMembers(`helix-${project}-dev-net`), [inst, side].sort());
      assert.ok(await exists(() => docker.getVolume(`helix-${project}-dev-seaweedfs-data`).inspect()));
      assert.ok(await exists(() => docker.getVolume(`helix-${project}-dev-cache`).inspect()));
      const env = await sh(inst, 'env');
      assert.ok(
        env.includes(`AWS_ENDPOINT=http://${side}:8333`) && env.includes('HELIX_DISK_CACHE_BYTES=67108864'),
        env,
      );
      assert.ok(
        env.includes('AWS_ACCESS_KEY_ID=helix\n') && env.includes('AWS_SECRET_ACCESS_KEY=helix-local-secret'),
        env,
      );
      assert.match(
        await sh(inst, 'wget', '-q', '-O-', `http://${side}:8333/`),
        /stand-in sidecar: mini -dir=\/data -bucket=helix-db -master\.telemetry=false$/m,
      );
      await sh(inst, 'touch', '/var/cache/helix/written');
      assert.match(await sh(inst, 'ls', '/var/cache/helix'), /written/);
      await svc.remove(t);
      assert.equal(await engine.inspect(side), undefined);
    } finally {
      await docker
        .getImage(`${ref}:1`)
        .remove({ force: true })
        .catch(() => undefined);
    }
  });

  it('s3: passes the bucket env and the host AWS_* credentials, never logging the secret', async () => {
    const canary = `canary-aws-secret-${uid()}${uid()}`;
    const keyId = `AKIACANARY${uid()}`;
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = keyId;
    process.env.AWS_SECRET_ACCESS_KEY = canary;
    try {
      const t = localTarget(
        fixtureContext('health-app'),
        project,
        'dev',
        {
          storage: 's3',
          s3: {
            bucket: 'team-bucket',
            prefix: 'tenant-a',
            region: 'eu-west-2',
            endpoint_url: 'http://s3.invalid:9000',
          },
        },
        await freePort(),
      );
      await svc.build(t);
      const lines: string[] = [];
      const out = await svc.start(t, { onLine: (l) => lines.push(l) });
      assert.equal(out.health.status, 'healthy');
      const env = await sh(out.container.id, 'env');
      for (const kv of [
        'S3_BUCKET=team-bucket',
        'S3_REGION=eu-west-2',
        'DB_PATH=tenant-a/',
        'AWS_ENDPOINT=http://s3.invalid:9000',
        'AWS_ALLOW_HTTP=true',
        `AWS_ACCESS_KEY_ID=${keyId}`,
        `AWS_SECRET_ACCESS_KEY=${canary}`,
      ]) {
        assert.ok(env.includes(kv), `${kv} in the container env`);
      }
      // No sidecar, no network in s3 mode.
      assert.equal(await engine.inspect(`helix-${project}-dev-minio`), undefined);
      assert.ok(!(await exists(() => docker.getNetwork(`helix-${project}-dev-net`).inspect())));
      // A restart re-creates it (as the CLI), with the same masking.
      await svc.restart(t, { onLine: (l) => lines.push(l) });
      const all = lines.join('\n') + fs.readFileSync(journalFile, 'utf8');
      assert.match(all, /AWS_SECRET_ACCESS_KEY=\*\*\*/);
      assert.match(all, /forwarding AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY/);
      assert.ok(!all.includes(canary), 'the secret never reaches a log line or the journal');
      assert.ok(!all.includes(keyId), 'nor the access key id');
    } finally {
      for (const [k, v] of [
        ['AWS_ACCESS_KEY_ID', saved.id],
        ['AWS_SECRET_ACCESS_KEY', saved.secret],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('a sidecar image that cannot be pulled fails the start clearly and leaves nothing behind', async () => {
    const registry = testRegistry();
    const image = `${registry}/hd-missing-${uid()}:nope`;
    const t = await diskTarget({ sidecar_image: image });
    await assert.rejects(svc.start(t), (e: unknown) => {
      assert.ok(e instanceof LocalError && e.code === 'sidecar-unavailable', String(e));
      assert.equal(e.detail.image, image);
      assert.doesNotMatch(e.message, /build it first/);
      assert.match(e.message, /was not found in its registry/);
      assert.ok(
        e.message.includes(image) &&
          /could not be pulled/.test(e.message) &&
          /sidecar_image = .* in \[instances\.dev\] of helix\.deploy\.toml/.test(e.message),
        e.message,
      );
      return true;
    });
    assert.deepEqual(await engine.list([`helix.project=${project}`]), []);
    assert.ok(!(await exists(() => docker.getNetwork(`helix-${project}-dev-net`).inspect())));
    assert.deepEqual(
      (await docker.listVolumes({ filters: JSON.stringify({ label: [`helix.project=${project}`] }) })).Volumes ?? [],
      [],
    );
    const [failed] = journal.list({ project, kind: 'start' });
    assert.equal(failed.state, 'Failed');
    assert.equal(failed.meta?.errorCode, 'sidecar-unavailable');
  });

  it('a start cancelled while the sidecar is set up removes the sidecar, network and volume it created', async () => {
    const t = await diskTarget({ sidecar_image: standIn('fail') });
    const ac = new AbortController();
    const lines: string[] = [];
    const p = svc.start(t, { signal: ac.signal, onLine: (l) => lines.push(l) });
    // Abort once the sidecar runs and its bucket step keeps failing.
    // The assertion's message, the run's lines so far, is what a timeout reports.
    const sidecarStarted = () => {
      assert.ok(
        lines.some((l) => l.startsWith(`Started helix-${project}-dev-minio`)),
        lines.join('\n'),
      );
      return true;
    };
    await poll(sidecarStarted, { what: 'the sidecar to start', timeoutMs: 20_000, intervalMs: 100 });
    ac.abort();
    await assert.rejects(p, (e: unknown) => e instanceof LocalError && e.code === 'cancelled');
    assert.deepEqual(await engine.list([`helix.project=${project}`]), []);
    assert.ok(!(await exists(() => docker.getNetwork(`helix-${project}-dev-net`).inspect())));
    assert.ok(
      !(await exists(() => docker.getVolume(`helix-${project}-dev-minio-data`).inspect())),
      'the volume this run created is removed',
    );
    assert.equal(journal.list({ project, kind: 'start' })[0].state, 'Cancelled');
  });

  it('refuses storage = "s3" without a bucket before creating anything', async () => {
    const t = localTarget(fixtureContext('health-app'), project, 'dev', { storage: 's3' }, await freePort());
    await svc.build(t);
    await assert.rejects(
      svc.start(t),
      (e: unknown) => e instanceof LocalError && e.code === 'config-invalid' && /\[local\.dev\.s3\]/.test(e.message),
    );
    assert.deepEqual(await engine.list([`helix.project=${project}`]), []);
  });
});
