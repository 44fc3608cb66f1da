import type { Generation } from '../model/types';
import { secretValues } from './dotenv';
import { LocalError } from './errors';
import { LABEL_ROLE, STORAGE_ROLE, labelsOf, nameOf, ownSetting, type LocalInstance } from './naming';

// Where a v3 instance keeps its data, wired as `helix start` does (docs/helix-cli-compat.md):
// - memory (default): nothing;
// - s3: the user's bucket, through S3_* / AWS_* env, with the host's AWS_* credentials forwarded;
// - disk: an S3 sidecar on a private network, its data in a named volume: MinIO before CLI 3.4.0,
//   SeaweedFS plus a disk-cache volume from 3.4 (see diskSidecarFor).
// Pure: this file plans; sidecar.ts and service.ts talk to the engine.

export type StorageMode = 'memory' | 'disk' | 's3';
export type SidecarKind = 'minio' | 'seaweedfs';

/** Bucket and region the CLI uses inside a disk-mode sidecar. */
export const LOCAL_BUCKET = 'helix-db';
const LOCAL_REGION = 'us-east-1';
const MIB = 1024 * 1024;

/** Host variables `helix start` forwards in s3 mode, when set. */
export const FORWARDED_AWS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
] as const;

export type HostEnv = Readonly<Record<string, string | undefined>>;

/** A command run inside the sidecar (argument array, no shell). */
export interface ExecStep {
  cmd: string[];
  env?: string[];
}

export interface NamedVolume {
  name: string;
  target: string;
}

export interface SidecarPlan {
  kind: SidecarKind;
  name: string;
  image: string;
  /** S3 port inside the network (never published on the host). */
  port: number;
  volume: NamedVolume;
  env: Record<string, string>;
  cmd: string[];
  labels: Record<string, string>;
  /** Creates the bucket once the server answers; `fallback` when the image lacks the client (exit 126/127). */
  bucket?: { create: ExecStep; fallback?: ExecStep };
  /** Where the image override goes, for messages: `[instances.dev]` (of helix.deploy.toml). */
  table: string;
}

export interface StoragePlan {
  mode: StorageMode;
  /** Env of the instance container (values may be secret: log them with describeEnv only). */
  env: Record<string, string>;
  /** Values that must be masked in every log line (forwarded credentials). */
  secrets: string[];
  /** Named volumes of the instance container (v3.2 disk cache); kept on stop and remove, as the data volume. */
  volumes: NamedVolume[];
  network?: string;
  sidecar?: SidecarPlan;
  /** One line for the run log, no secrets. */
  summary: string;
}

interface SidecarDef {
  image: string;
  port: number;
  accessKey: string;
  secretKey: string;
  env: Record<string, string>;
  cmd: string[];
  bucket?: SidecarPlan['bucket'];
}

/** Images the CLI releases pulled, pinned as they pinned them. */
export const SIDECAR_IMAGES = {
  /** CLI 3.0-3.1. */
  minioLatest: 'minio/minio:latest',
  /** Releases after the Helix Cloud move and before 3.4.0. */
  minioPinned: 'quay.io/minio/minio@sha256:14cea493d9a34af32f524e538b8346cf79f3321eff8e708c1e2960462bd8936e',
  /** CLI 3.4.0 and later. */
  seaweedfs: 'ghcr.io/chrislusf/seaweedfs:4.47@sha256:ce9e796f1fe6f06968f4c04bdaf8f678dad9c8acdfef3d244133d71bfa6bf882',
} as const;

const SIDECARS: Record<SidecarKind, Omit<SidecarDef, 'image'>> = {
  // `minio server /data`, root user minioadmin/minioadmin. The CLI creates the bucket with a `minio/mc`
  // container; we avoid a second image: `mc` inside the sidecar (release images ship it), and for images
  // without it a top-level folder of the data dir, which MinIO lists as a bucket.
  minio: {
    port: 9000,
    accessKey: 'minioadmin',
    secretKey: 'minioadmin',
    env: { MINIO_ROOT_USER: 'minioadmin', MINIO_ROOT_PASSWORD: 'minioadmin' },
    cmd: ['server', '/data', '--console-address', ':9001'],
    bucket: {
      create: {
        cmd: ['mc', 'mb', '--ignore-existing', `local/${LOCAL_BUCKET}`],
        env: ['MC_HOST_local=http://minioadmin:minioadmin@127.0.0.1:9000'],
      },
      fallback: { cmd: ['mkdir', '-p', `/data/${LOCAL_BUCKET}`] },
    },
  },
  // SeaweedFS all-in-one (`weed mini`) as HelixDB's docs run it: S3 on 8333, its admin credentials from
  // AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, the bucket created at start by -bucket.
  seaweedfs: {
    port: 8333,
    accessKey: 'helix',
    secretKey: 'helix-local-secret',
    env: { AWS_ACCESS_KEY_ID: 'helix', AWS_SECRET_ACCESS_KEY: 'helix-local-secret' },
    cmd: ['mini', '-dir=/data', `-bucket=${LOCAL_BUCKET}`, '-master.telemetry=false'],
  },
};

/**
 * The disk sidecar a generation's CLI runs (none for v2, which has no storage key); the only place that maps
 * generations to sidecars. Releases: 3.0-3.1 `minio/minio:latest`; after the Cloud move until 3.4.0 the pinned quay.io
 * MinIO; 3.4.0+ SeaweedFS.
 */
export function diskSidecarFor(gen: Generation): { kind: SidecarKind; image: string } | undefined {
  switch (gen) {
    case 'v2':
      return undefined;
    case 'v3.0':
    case 'v3.1':
      return { kind: 'minio', image: SIDECAR_IMAGES.minioLatest };
    case 'v3-1025':
      return { kind: 'minio', image: SIDECAR_IMAGES.minioPinned };
    case 'v3.4':
      return { kind: 'seaweedfs', image: SIDECAR_IMAGES.seaweedfs };
  }
}

/** Whether the generation's CLI gives disk and s3 instances a disk-cache volume (3.4.1+; per-release id 'v3.4'). */
export function cacheVolumeFor(gen: Generation): boolean {
  return gen === 'v3.4';
}

/** The sidecar kind a generation's CLI runs for disk storage. */
export function sidecarKind(gen: Generation): SidecarKind | undefined {
  return diskSidecarFor(gen)?.kind;
}

/** The image the generation's CLI pulls for its disk sidecar. */
export function defaultSidecarImage(gen: Generation): string | undefined {
  return diskSidecarFor(gen)?.image;
}

/** Names of everything storage adds around `helix-<p>-<i>`, for every generation (stop cleans up either kind). */
export function storageNames(t: LocalInstance) {
  const base = nameOf(t);
  return {
    network: `${base}-net`,
    sidecars: { minio: `${base}-minio`, seaweedfs: `${base}-seaweedfs` } as Record<SidecarKind, string>,
    dataVolumes: { minio: `${base}-minio-data`, seaweedfs: `${base}-seaweedfs-data` } as Record<SidecarKind, string>,
    cache: `${base}-cache`,
  };
}

/** The configured mode, without validation (stop/remove must work on a broken helix.toml). */
export function storageMode(t: LocalInstance): StorageMode {
  const s = t.environment.settings.storage;
  return t.project.generation !== 'v2' && (s === 'disk' || s === 's3') ? s : 'memory';
}

/** The host's AWS_* variables that s3 mode forwards (only those set). */
export function forwardedAws(hostEnv: HostEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of FORWARDED_AWS) {
    const v = hostEnv[k];
    if (v !== undefined && v !== '') out[k] = v;
  }
  return out;
}

/**
 * What a start needs for the environment's storage. `imageOverride` (a setting) applies when helix.toml has no
 * `sidecar_image`. Throws `config-invalid` for what the CLI would refuse to load.
 */
export function planStorage(
  t: LocalInstance,
  hostEnv: HostEnv = {},
  imageOverride?: (kind: SidecarKind) => string | undefined,
): StoragePlan {
  const memory: StoragePlan = {
    mode: 'memory',
    env: {},
    secrets: [],
    volumes: [],
    summary: 'memory (data is lost when the container is removed)',
  };
  if (t.project.generation === 'v2') return memory;
  const settings = t.environment.settings;
  const table = `[local.${t.environment.name}]`;
  const raw = settings.storage ?? 'memory';
  if (raw !== 'memory' && raw !== 'disk' && raw !== 's3') {
    throw configError(t, `storage = ${JSON.stringify(raw)} in ${table} is not one of "memory", "disk", "s3".`);
  }
  const s3 = settings.s3;
  if (raw !== 's3' && s3 !== undefined)
    throw configError(
      t,
      `${table} has an [local.${t.environment.name}.s3] table but storage is not "s3": set storage = "s3" or remove the table.`,
    );
  if (raw === 'memory') return memory;
  const names = storageNames(t);
  // CLI 3.4 keeps a disk cache in its own volume (64 MiB for disk, 1 GiB for s3), surviving re-creation.
  const cached = cacheVolumeFor(t.project.generation);
  const cache = (bytes: number): Record<string, string> => (cached ? { HELIX_DISK_CACHE_BYTES: String(bytes) } : {});
  const volumes = cached ? [{ name: names.cache, target: '/var/cache/helix' }] : [];

  if (raw === 's3') {
    const c = s3Config(t, s3);
    const forwarded = forwardedAws(hostEnv);
    const env: Record<string, string> = { S3_BUCKET: c.bucket, S3_REGION: c.region, DB_PATH: c.prefix };
    if (c.endpoint) env.AWS_ENDPOINT = c.endpoint;
    // As the CLI: plain HTTP when asked, or when the endpoint itself is http://.
    if (c.allowHttp || c.endpoint?.startsWith('http://')) env.AWS_ALLOW_HTTP = 'true';
    Object.assign(env, forwarded, cache(1024 * MIB));
    const creds = Object.keys(forwarded).length
      ? `, forwarding ${Object.keys(forwarded).join(', ')}`
      : ', no AWS_* credentials set on this machine';
    return {
      mode: 's3',
      env,
      secrets: secretValues(forwarded),
      volumes,
      summary: `s3 bucket ${c.bucket} (${c.region}), prefix ${c.prefix}${c.endpoint ? ` at ${c.endpoint}` : ''}${creds}`,
    };
  }

  const { kind, image: defaultImage } = diskSidecarFor(t.project.generation)!;
  const def = SIDECARS[kind];
  const image = ownSetting(t.environment, 'sidecar_image');
  const own = typeof image === 'string' && image.trim() ? image.trim() : undefined;
  const name = names.sidecars[kind];
  const sidecar: SidecarPlan = {
    kind,
    name,
    image: own ?? imageOverride?.(kind) ?? defaultImage,
    port: def.port,
    volume: { name: names.dataVolumes[kind], target: '/data' },
    env: { ...def.env },
    cmd: [...def.cmd],
    labels: { ...labelsOf(t), [LABEL_ROLE]: STORAGE_ROLE },
    bucket: def.bucket,
    table: `[instances.${t.environment.name}]`,
  };
  const env: Record<string, string> = {
    S3_BUCKET: LOCAL_BUCKET,
    S3_REGION: LOCAL_REGION,
    DB_PATH: 'db/',
    AWS_ACCESS_KEY_ID: def.accessKey,
    AWS_SECRET_ACCESS_KEY: def.secretKey,
    AWS_ENDPOINT: `http://${name}:${def.port}`,
    AWS_ALLOW_HTTP: 'true',
    ...cache(64 * MIB),
  };
  return {
    mode: 'disk',
    env,
    secrets: [],
    volumes,
    network: names.network,
    sidecar,
    summary: `disk, through ${kind === 'minio' ? 'MinIO' : 'SeaweedFS'} sidecar ${name} (${sidecar.image}), data in volume ${sidecar.volume.name}`,
  };
}

interface S3Config {
  bucket: string;
  prefix: string;
  region: string;
  endpoint?: string;
  allowHttp: boolean;
}

function s3Config(t: LocalInstance, raw: unknown): S3Config {
  const table = `[local.${t.environment.name}.s3]`;
  if (!raw || typeof raw !== 'object')
    throw configError(t, `storage = "s3" needs a ${table} table with at least bucket = "<name>".`);
  const o = raw as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string).trim() : undefined);
  const bucket = str('bucket');
  if (!bucket) throw configError(t, `${table} needs a non-blank bucket.`);
  const endpoint = str('endpoint_url') || undefined;
  if (endpoint && !/^https?:\/\//.test(endpoint))
    throw configError(t, `endpoint_url in ${table} must start with http:// or https:// (got ${endpoint}).`);
  const prefix = str('prefix') || 'db/';
  return {
    bucket,
    prefix: prefix.endsWith('/') ? prefix : `${prefix}/`,
    region: str('region') || LOCAL_REGION,
    endpoint,
    allowHttp: o.allow_http === true,
  };
}

function configError(t: LocalInstance, message: string): LocalError {
  return new LocalError('config-invalid', `${message} (${t.project.configFile})`);
}
