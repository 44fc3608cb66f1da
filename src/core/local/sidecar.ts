import { messageOf } from '../errors';
import type { ContainerEngine, ContainerInfo } from './engine';
import { LocalError, isLocalError } from './errors';
import {
  LABEL_DIR,
  LABEL_ENVIRONMENT,
  LABEL_PROJECT,
  LABEL_ROLE,
  STORAGE_ROLE,
  labelsOf,
  type LocalInstance,
} from './naming';
import { LOCAL_BUCKET, storageNames, type ExecStep, type SidecarPlan, type StoragePlan } from './storage';

// Runs what a storage plan needs besides the instance: network, volumes, the S3 sidecar and its bucket.
// Creating is all or nothing: a failure removes what this run created. Stop and remove take the sidecar
// and network away and keep the volumes (the data), as `helix stop` does.

type Log = (line: string) => void;

const BUCKET_DEADLINE_MS = 30_000; // as the CLI's bucket wait

/** Makes sure the sidecar image is there, pulling it if needed. Creates nothing, so it runs first. */
export async function ensureSidecarImage(
  engine: ContainerEngine,
  s: SidecarPlan,
  log: Log,
  signal?: AbortSignal,
): Promise<void> {
  if (await engine.inspectImage(s.image)) return;
  log(`Pulling the storage sidecar image ${s.image}...`);
  try {
    await engine.pull(s.image, { signal, onLine: (l) => log(`  ${l}`) });
  } catch (err) {
    if (signal?.aborted || isLocalError(err, 'cancelled')) throw new LocalError('cancelled', 'Cancelled.');
    const why = messageOf(err).replace(/\.$/, '');
    throw new LocalError(
      'sidecar-unavailable',
      `The storage sidecar image ${s.image} is not in ${engine.endpoint} and could not be pulled (${why}). ` +
        `Pull or load it there (docker pull / docker load), or set sidecar_image = "<your mirror>/<image>" in ${s.table} of helix.deploy.toml.`,
      { image: s.image },
    );
  }
}

/** Network, volumes, sidecar and bucket for a plan. Returns an undo that removes what this call created. */
export async function prepareStorage(
  engine: ContainerEngine,
  t: LocalInstance,
  plan: StoragePlan,
  log: Log,
  signal?: AbortSignal,
): Promise<() => Promise<void>> {
  const undos: (() => Promise<unknown>)[] = [];
  const undo = async () => {
    for (const u of undos.splice(0).reverse()) await u().catch(() => undefined);
  };
  const s = plan.sidecar;
  try {
    if (plan.network && (await engine.ensureNetwork(plan.network, labelsOf(t)))) {
      log(`Created network ${plan.network}.`);
      undos.push(() => engine.removeNetwork(plan.network!));
    }
    for (const v of [...(s ? [s.volume] : []), ...plan.volumes]) {
      if (await engine.ensureVolume(v.name, labelsOf(t))) {
        log(`Created volume ${v.name}.`);
        undos.push(() => engine.removeVolume(v.name));
      }
    }
    if (!s) return undo;
    // As `helix start` from 3.4: a MinIO sidecar left by an older release goes; its data volume stays untouched
    // (SeaweedFS cannot read MinIO's format, so the instance starts on a new, empty volume).
    for (const other of await findSidecars(engine, t)) {
      if (other.name === s.name) continue;
      await engine.remove(other.id);
      log(
        `Removed ${other.name}, the storage sidecar of another helix CLI release. Its data stays in volume ${other.name}-data, which ${s.kind === 'seaweedfs' ? 'SeaweedFS' : 'MinIO'} cannot read: ${s.name} starts on ${s.volume.name}. HelixDB's docs ("Migrate MinIO disk data") show how to copy it over.`,
      );
    }
    // A leftover sidecar (crash, or the CLI's) is replaced, as `helix start` does.
    const old = await engine.inspect(s.name);
    if (old && !isSidecarOf(old, t))
      throw new LocalError(
        'engine-error',
        `${s.name} exists and is not the storage sidecar of ${t.environment.name}; rename or remove it.`,
      );
    if (old) await engine.remove(old.id);
    if (signal?.aborted) throw new LocalError('cancelled', 'Cancelled.');
    undos.push(() => engine.remove(s.name));
    const id = await engine.create({
      name: s.name,
      image: s.image,
      labels: s.labels,
      env: Object.entries(s.env).map(([k, v]) => `${k}=${v}`),
      ports: [],
      volumes: [{ source: s.volume.name, target: s.volume.target }],
      network: plan.network,
      cmd: s.cmd,
    });
    await engine.start(id);
    log(`Started ${s.name} from ${s.image} on ${plan.network} (S3 at http://${s.name}:${s.port}, not published).`);
    if (s.bucket) await ensureBucket(engine, s, log, signal);
    return undo;
  } catch (err) {
    await undo();
    throw err;
  }
}

/** Removes the instance's sidecars (either generation's) and its network; volumes stay. Returns what went. */
export async function removeStorage(engine: ContainerEngine, t: LocalInstance): Promise<string[]> {
  const n = storageNames(t);
  const removed: string[] = [];
  for (const c of await findSidecars(engine, t)) {
    await engine.remove(c.id);
    removed.push(c.name);
  }
  if (await engine.removeNetwork(n.network)) removed.push(n.network);
  return removed;
}

/** Sidecar containers of this instance that exist now. */
export async function findSidecars(engine: ContainerEngine, t: LocalInstance): Promise<ContainerInfo[]> {
  const found = await Promise.all(Object.values(storageNames(t).sidecars).map((name) => engine.inspect(name)));
  return found.filter((c): c is ContainerInfo => !!c && isSidecarOf(c, t));
}

/** Ours by labels; a CLI-started one has none. Never another instance that happens to be named `<i>-minio`. */
function isSidecarOf(c: ContainerInfo, t: LocalInstance): boolean {
  if (c.labels[LABEL_ROLE] === STORAGE_ROLE)
    return c.labels[LABEL_ENVIRONMENT] === t.environment.name && c.labels[LABEL_DIR] === t.project.dir;
  return !(LABEL_PROJECT in c.labels);
}

/** Creates the bucket, retrying while the server boots; the fallback step runs when the client is missing. */
async function ensureBucket(engine: ContainerEngine, s: SidecarPlan, log: Log, signal?: AbortSignal): Promise<void> {
  const { create, fallback } = s.bucket!;
  const until = Date.now() + BUCKET_DEADLINE_MS;
  for (;;) {
    if (signal?.aborted) throw new LocalError('cancelled', 'Cancelled.');
    const r = await execIn(engine, s.name, create);
    if (r.code === 0) return log(`Bucket ${LOCAL_BUCKET} is ready in ${s.name}.`);
    if (
      fallback &&
      (r.code === 126 || r.code === 127 || /executable file not found|no such file or directory/i.test(r.output))
    ) {
      const f = await execIn(engine, s.name, fallback);
      if (f.code === 0)
        return log(`Bucket ${LOCAL_BUCKET} created as a data folder in ${s.name} (the image has no ${create.cmd[0]}).`);
      throw new LocalError('engine-error', `Could not create bucket ${LOCAL_BUCKET} in ${s.name}: ${f.output.trim()}`);
    }
    const state = (await engine.inspect(s.name))?.state;
    if (state !== 'running')
      throw new LocalError(
        'engine-error',
        `The storage sidecar ${s.name} stopped (${state ?? 'removed'}) while starting. Its image ${s.image} may not be a ${s.kind} server.`,
      );
    if (Date.now() > until)
      throw new LocalError(
        'engine-error',
        `Timed out creating bucket ${LOCAL_BUCKET} in ${s.name}: ${r.output.trim()}`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function execIn(
  engine: ContainerEngine,
  name: string,
  step: ExecStep,
): Promise<{ code: number; output: string }> {
  try {
    return await engine.exec(name, step.cmd, { env: step.env });
  } catch (err) {
    // A missing binary is an error from some engines, an exit code from others.
    return { code: -1, output: messageOf(err) };
  }
}
