import { strict as assert } from 'node:assert';
import { describeEnv, redactor } from '../../../../src/core/local/dotenv';
import type { ContainerInfo } from '../../../../src/core/local/engine';
import { LocalError } from '../../../../src/core/local/errors';
import type { LocalInstance } from '../../../../src/core/local/naming';
import { isHelixContainer, isStorageSidecar } from '../../../../src/core/local/present';
import {
  diskSidecarFor,
  forwardedAws,
  planStorage,
  SIDECAR_IMAGES,
  storageMode,
  storageNames,
  type StoragePlan,
} from '../../../../src/core/local/storage';
import type { Generation } from '../../../../src/core/model/types';

// The storage planner: what `helix start` passes and creates per [local.<n>] storage mode and CLI generation.

function target(settings: Record<string, unknown> = {}, generation: Generation = 'v3.1'): LocalInstance {
  const environment = { name: 'dev', kind: 'local' as const, source: 'helix.toml' as const, settings };
  return {
    project: {
      name: 'demo',
      dir: '/work/demo',
      configFile: '/work/demo/helix.toml',
      generation,
      containerRuntime: 'docker',
      environments: [environment],
      errorCount: 0,
    },
    environment,
  };
}

const MIB = 1024 * 1024;

function configError(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof LocalError && e.code === 'config-invalid' && re.test(e.message));
}

describe('local storage planner', () => {
  it('plans nothing for memory (the default) and for v2, which has no storage key', () => {
    for (const t of [
      target(),
      target({ storage: 'memory' }),
      target({}, 'v3.4'),
      target({ storage: 'disk' }, 'v2'),
      target({ storage: 's3' }, 'v2'),
    ]) {
      const p = planStorage(t, { AWS_SECRET_ACCESS_KEY: 'never-forwarded' });
      assert.equal(p.mode, 'memory');
      assert.deepEqual([p.env, p.volumes, p.secrets, p.network, p.sidecar], [{}, [], [], undefined, undefined]);
    }
  });

  it('s3: bucket, default region and prefix, no endpoint', () => {
    const p = planStorage(target({ storage: 's3', s3: { bucket: 'my-bucket' } }));
    assert.deepEqual(p.env, { S3_BUCKET: 'my-bucket', S3_REGION: 'us-east-1', DB_PATH: 'db/' });
    assert.equal(p.sidecar, undefined);
    assert.equal(p.network, undefined);
    assert.deepEqual(p.volumes, []);
  });

  it('s3: normalises the prefix to end with "/" and passes endpoint and allow_http', () => {
    const p = planStorage(
      target({
        storage: 's3',
        s3: { bucket: 'b', prefix: 'tenant-a', region: 'eu-west-2', endpoint_url: 'https://s3.example.com' },
      }),
    );
    assert.deepEqual(p.env, {
      S3_BUCKET: 'b',
      S3_REGION: 'eu-west-2',
      DB_PATH: 'tenant-a/',
      AWS_ENDPOINT: 'https://s3.example.com',
    });
    assert.equal(planStorage(target({ storage: 's3', s3: { bucket: 'b', prefix: 'x/' } })).env.DB_PATH, 'x/');
    assert.equal(
      planStorage(target({ storage: 's3', s3: { bucket: 'b', allow_http: true } })).env.AWS_ALLOW_HTTP,
      'true',
    );
    // As the CLI: an http:// endpoint implies plain HTTP.
    assert.equal(
      planStorage(target({ storage: 's3', s3: { bucket: 'b', endpoint_url: 'http://minio.lan:9000' } })).env
        .AWS_ALLOW_HTTP,
      'true',
    );
  });

  it('s3: forwards only the AWS_* variables that are set, and lists the secret ones for masking', () => {
    const host = {
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE123',
      AWS_SECRET_ACCESS_KEY: 'canary-secret-value',
      AWS_SESSION_TOKEN: '',
      AWS_REGION: 'eu-west-1',
      AWS_PROFILE: undefined,
      AWS_OTHER: 'x',
      PATH: '/usr/bin',
    };
    assert.deepEqual(forwardedAws(host), {
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE123',
      AWS_SECRET_ACCESS_KEY: 'canary-secret-value',
      AWS_REGION: 'eu-west-1',
    });
    const p = planStorage(target({ storage: 's3', s3: { bucket: 'b' } }), host);
    assert.equal(p.env.AWS_SECRET_ACCESS_KEY, 'canary-secret-value');
    assert.equal(p.env.AWS_REGION, 'eu-west-1');
    assert.ok(
      !('AWS_SESSION_TOKEN' in p.env) && !('AWS_PROFILE' in p.env) && !('AWS_OTHER' in p.env) && !('PATH' in p.env),
    );
    assert.deepEqual(p.secrets.sort(), ['AKIAEXAMPLE123', 'canary-secret-value']);
    const line = `${describeEnv(p.env).join(' ')} ${p.summary} and canary-secret-value`;
    const masked = redactor(p.secrets)(line);
    assert.doesNotMatch(masked, /canary-secret-value|AKIAEXAMPLE123/);
    assert.match(masked, /AWS_SECRET_ACCESS_KEY=\*\*\* /);
    assert.match(p.summary, /forwarding AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION/);
    assert.match(planStorage(target({ storage: 's3', s3: { bucket: 'b' } }), {}).summary, /no AWS_\* credentials/);
  });

  it('s3 on v3.4: a cache volume at /var/cache/helix with a 1 GiB budget', () => {
    const p = planStorage(target({ storage: 's3', s3: { bucket: 'b' } }, 'v3.4'));
    assert.equal(p.env.HELIX_DISK_CACHE_BYTES, String(1024 * MIB));
    assert.deepEqual(p.volumes, [{ name: 'helix-demo-dev-cache', target: '/var/cache/helix' }]);
    assert.equal(p.sidecar, undefined);
  });

  it('disk on v3.0-3.1: a MinIO sidecar on helix-<p>-<i>-net with its data volume, as the CLI names them', () => {
    const p = planStorage(target({ storage: 'disk' }), { AWS_SECRET_ACCESS_KEY: 'host-secret' });
    const s = p.sidecar!;
    assert.equal(p.network, 'helix-demo-dev-net');
    assert.deepEqual([s.kind, s.name, s.image, s.port], ['minio', 'helix-demo-dev-minio', 'minio/minio:latest', 9000]);
    assert.deepEqual(s.volume, { name: 'helix-demo-dev-minio-data', target: '/data' });
    assert.deepEqual(s.cmd, ['server', '/data', '--console-address', ':9001']);
    assert.deepEqual(s.env, { MINIO_ROOT_USER: 'minioadmin', MINIO_ROOT_PASSWORD: 'minioadmin' });
    assert.deepEqual(s.labels, {
      'helix.project': 'demo',
      'helix.environment': 'dev',
      'helix.dir': '/work/demo',
      'helix.role': 'storage',
    });
    assert.deepEqual(s.bucket?.create.cmd, ['mc', 'mb', '--ignore-existing', 'local/helix-db']);
    assert.deepEqual(s.bucket?.fallback?.cmd, ['mkdir', '-p', '/data/helix-db']);
    // The instance talks S3 to the sidecar with the sidecar's credentials; the host's are not forwarded.
    assert.deepEqual(p.env, {
      S3_BUCKET: 'helix-db',
      S3_REGION: 'us-east-1',
      DB_PATH: 'db/',
      AWS_ACCESS_KEY_ID: 'minioadmin',
      AWS_SECRET_ACCESS_KEY: 'minioadmin',
      AWS_ENDPOINT: 'http://helix-demo-dev-minio:9000',
      AWS_ALLOW_HTTP: 'true',
    });
    assert.deepEqual(p.volumes, [], 'no disk cache before v3.4');
  });

  it('one function maps generations to the sidecar images the CLI releases pulled', () => {
    assert.equal(diskSidecarFor('v2'), undefined);
    assert.deepEqual(diskSidecarFor('v3.0'), { kind: 'minio', image: 'minio/minio:latest' });
    assert.deepEqual(diskSidecarFor('v3.1'), { kind: 'minio', image: 'minio/minio:latest' });
    assert.deepEqual(diskSidecarFor('v3-1025'), { kind: 'minio', image: SIDECAR_IMAGES.minioPinned });
    assert.deepEqual(diskSidecarFor('v3.4'), { kind: 'seaweedfs', image: SIDECAR_IMAGES.seaweedfs });
    assert.match(SIDECAR_IMAGES.minioPinned, /^quay\.io\/minio\/minio@sha256:14cea493d9a34af3/);
  });

  it("disk on CLI 3.4: the docs' SeaweedFS sidecar (pinned image, helix/helix-local-secret, -bucket, no telemetry) and a 64 MiB cache volume", () => {
    const p: StoragePlan = planStorage(target({ storage: 'disk' }, 'v3.4'));
    const s = p.sidecar!;
    assert.deepEqual(
      [s.kind, s.name, s.image, s.port],
      [
        'seaweedfs',
        'helix-demo-dev-seaweedfs',
        'ghcr.io/chrislusf/seaweedfs:4.47@sha256:ce9e796f1fe6f06968f4c04bdaf8f678dad9c8acdfef3d244133d71bfa6bf882',
        8333,
      ],
    );
    assert.deepEqual(s.volume, { name: 'helix-demo-dev-seaweedfs-data', target: '/data' });
    assert.deepEqual(s.cmd, ['mini', '-dir=/data', '-bucket=helix-db', '-master.telemetry=false']);
    assert.equal(s.bucket, undefined, 'weed mini creates the bucket itself (-bucket)');
    assert.deepEqual(s.env, { AWS_ACCESS_KEY_ID: 'helix', AWS_SECRET_ACCESS_KEY: 'helix-local-secret' });
    assert.equal(p.env.AWS_ENDPOINT, 'http://helix-demo-dev-seaweedfs:8333');
    assert.deepEqual([p.env.AWS_ACCESS_KEY_ID, p.env.AWS_SECRET_ACCESS_KEY], ['helix', 'helix-local-secret']);
    assert.equal(p.env.HELIX_DISK_CACHE_BYTES, String(64 * MIB));
    assert.deepEqual(p.volumes, [{ name: 'helix-demo-dev-cache', target: '/var/cache/helix' }]);
  });

  it('takes the sidecar image from sidecar_image in [local.<n>], else the setting, else the default', () => {
    const override = (kind: string) => `mirror.example/${kind}:1`;
    assert.equal(
      planStorage(target({ storage: 'disk', sidecar_image: 'own/minio:2' }), {}, override).sidecar!.image,
      'own/minio:2',
    );
    assert.equal(planStorage(target({ storage: 'disk' }), {}, override).sidecar!.image, 'mirror.example/minio:1');
    assert.equal(
      planStorage(target({ storage: 'disk' }, 'v3.4'), {}, override).sidecar!.image,
      'mirror.example/seaweedfs:1',
    );
    assert.equal(
      planStorage(target({ storage: 'disk', sidecar_image: ' ' }), {}, () => undefined).sidecar!.image,
      'minio/minio:latest',
    );
    // helix.deploy.toml's [instances.dev] wins over a key left in helix.toml.
    const t = target({ storage: 'disk', sidecar_image: 'old/minio:1' });
    t.environment.own = { sidecar_image: 'deploy/minio:3' };
    assert.equal(planStorage(t, {}, override).sidecar!.image, 'deploy/minio:3');
    assert.equal(planStorage(t).sidecar!.table, '[instances.dev]');
  });

  it('refuses what the CLI would refuse to load, naming helix.toml', () => {
    configError(() => planStorage(target({ storage: 's3' })), /needs a \[local\.dev\.s3\] table/);
    configError(() => planStorage(target({ storage: 's3', s3: { bucket: '  ' } })), /non-blank bucket/);
    configError(
      () => planStorage(target({ storage: 's3', s3: { bucket: 'b', endpoint_url: 's3.example.com' } })),
      /must start with http:\/\/ or https:\/\//,
    );
    configError(() => planStorage(target({ storage: 'ssd' })), /"memory", "disk", "s3".*helix\.toml/);
    configError(() => planStorage(target({ s3: { bucket: 'b' } })), /storage is not "s3"/);
  });

  it("reads the mode tolerantly for stop/remove, and names every generation's resources", () => {
    assert.equal(storageMode(target({ storage: 'disk' })), 'disk');
    assert.equal(storageMode(target({ storage: 'ssd' })), 'memory');
    assert.equal(storageMode(target({ storage: 's3' }, 'v2')), 'memory');
    assert.deepEqual(storageNames(target()), {
      network: 'helix-demo-dev-net',
      sidecars: { minio: 'helix-demo-dev-minio', seaweedfs: 'helix-demo-dev-seaweedfs' },
      dataVolumes: { minio: 'helix-demo-dev-minio-data', seaweedfs: 'helix-demo-dev-seaweedfs-data' },
      cache: 'helix-demo-dev-cache',
    });
  });
});

describe('Deployments: storage sidecars are not instances', () => {
  const instance: ContainerInfo = {
    id: 'a',
    name: 'helix-demo-dev',
    state: 'running',
    health: 'none',
    image: 'ghcr.io/helixdb/helixdb:v0.0.4',
    ports: [],
    labels: { 'helix.project': 'demo', 'helix.environment': 'dev' },
    created: 0,
  };

  it('hides our sidecar (role label) and the CLI one (name and image), never an instance', () => {
    const ours: ContainerInfo = {
      ...instance,
      name: 'helix-demo-dev-minio',
      image: 'minio/minio:latest',
      labels: { ...instance.labels, 'helix.role': 'storage' },
    };
    const cli: ContainerInfo = {
      ...instance,
      name: 'helix-demo-dev-seaweedfs',
      image: 'ghcr.io/chrislusf/seaweedfs:4.47',
      labels: {},
    };
    const mirrored = { ...ours, image: 'busybox-standin:1' };
    for (const c of [ours, cli, mirrored]) {
      assert.ok(isStorageSidecar(c), c.name);
      assert.ok(!isHelixContainer(c), c.name);
    }
    // An instance that happens to be called "minio" runs a helix image.
    const named = {
      ...instance,
      name: 'helix-demo-minio',
      labels: { ...instance.labels, 'helix.environment': 'minio' },
    };
    assert.ok(isHelixContainer(named) && !isStorageSidecar(named));
    assert.deepEqual(
      [instance, ours, cli].filter(isHelixContainer).map((c) => c.labels['helix.environment'] ?? c.name),
      ['dev'],
    );
  });
});
