import { envKey } from '../model/environment-ref';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunRecord, RunStore } from '../engine/journal';
import type { RunKind } from '../engine/states';
import { HealthService, type HealthResult, type HealthStatus, type HealthEndpoints } from '../health/service';
import { describeEnv, readDotenv, redactor, secretValues } from './dotenv';
import type { BuildResult, ContainerEngine, ContainerInfo } from './engine';
import { isCancelled, messageOf } from '../errors';
import { LocalError } from './errors';
import {
  buildPlan,
  containerPort,
  hostPort,
  imageRef,
  labelsOf,
  nameOf,
  ownSetting,
  type LocalInstance,
} from './naming';
import { isPortFree, nextFreePort } from './ports';
import { ensureSidecarImage, findSidecars, prepareStorage, removeStorage } from './sidecar';
import {
  cacheVolumeFor,
  forwardedAws,
  planStorage,
  storageMode,
  storageNames,
  sidecarKind,
  type HostEnv,
  type SidecarKind,
  type StoragePlan,
} from './storage';

// The local loop (`helix start|stop|restart|logs|status` done through the engine API), each operation
// one journaled run: begin -> log lines -> Succeeded | Failed | Cancelled. One run at a time per environment.

export interface LocalDeps {
  engine: ContainerEngine;
  journal: RunStore;
  health: HealthService;
  who: () => Promise<string>;
  /** Image size budget in MB (setting `helixDeploy.docker.imageSizeBudgetMB`, default 50). */
  imageSizeBudgetMB?: () => number;
  /** The process environment, for storage = "s3" (forwarded AWS_* credentials). Default: process.env. */
  env?: HostEnv;
  /** Storage sidecar image when helix.toml has no `sidecar_image` (mirrors, offline machines). */
  sidecarImage?: (kind: SidecarKind) => string | undefined;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Live output (already redacted), e.g. to an output channel. */
  onLine?: (line: string) => void;
}

export interface StartOptions extends RunOptions {
  /** Host port override (e.g. the next free port offered after a clash). */
  port?: number;
  /** Health wait deadline (default 30 s, as the CLI). */
  healthDeadlineMs?: number;
}

export interface BuildOutcome {
  run: RunRecord;
  result: BuildResult;
  /** Set when the image is above the budget. */
  overBudgetMB?: number;
}

export interface StartOutcome {
  run: RunRecord;
  container: ContainerInfo;
  port: number;
  health: HealthResult;
}

export interface RunContext {
  run: RunRecord;
  log(line: string): void;
  signal?: AbortSignal;
}

export class LocalService {
  private readonly busy = new Map<string, string>();

  constructor(readonly deps: LocalDeps) {}

  get engine(): ContainerEngine {
    return this.deps.engine;
  }

  private get hostEnv(): HostEnv {
    return this.deps.env ?? process.env;
  }

  /** The environment's storage (throws `config-invalid` for what the CLI would refuse). */
  storagePlan(t: LocalInstance): StoragePlan {
    return planStorage(t, this.hostEnv, this.deps.sidecarImage);
  }

  /** Wraps an operation in a journaled run. Secrets of the project's .env are masked in every line. */
  async runJournaled<T>(
    kind: RunKind,
    t: LocalInstance,
    opts: RunOptions,
    meta: Record<string, unknown>,
    fn: (ctx: RunContext) => Promise<T>,
  ): Promise<T & { run: RunRecord }> {
    const key = envKey(t.project.dir, t.environment.name);
    const other = this.busy.get(key);
    if (other)
      throw new LocalError(
        'busy',
        `A ${other} is already running for ${t.project.name}/${t.environment.name}; wait for it or cancel it.`,
      );
    this.busy.set(key, kind);
    try {
      // Forwarded AWS_* credentials are masked in every run, not only in s3 starts.
      const mask = redactor(secretValues({ ...safeDotenv(t.project.dir), ...forwardedAws(this.hostEnv) }));
      const run = await this.deps.journal.begin({
        kind,
        project: t.project.name,
        projectDir: t.project.dir,
        environment: t.environment.name,
        who: await this.deps.who(),
        meta: { ...meta, dir: t.project.dir },
      });
      const log = (line: string) => {
        const clean = mask(line);
        void this.deps.journal.appendLog(run.id, clean);
        opts.onLine?.(clean);
      };
      try {
        const value = await fn({ run, log, signal: opts.signal });
        await this.deps.journal.end(run.id, 'Succeeded');
        return { ...value, run };
      } catch (err) {
        const cancelled = opts.signal?.aborted || isCancelled(err);
        const message = mask(messageOf(err));
        log(cancelled ? 'Cancelled.' : `Error: ${message}`);
        await this.deps.journal.end(
          run.id,
          cancelled ? 'Cancelled' : 'Failed',
          cancelled ? undefined : message,
          errMeta(err),
        );
        if (cancelled && !(err instanceof LocalError)) throw new LocalError('cancelled', 'Cancelled.');
        throw err;
      }
    } finally {
      this.busy.delete(key);
    }
  }

  /** Build Image: the environment's Dockerfile/context, .dockerignore honoured, output streamed. */
  build(t: LocalInstance, opts: RunOptions = {}): Promise<BuildOutcome> {
    const plan = buildPlan(t);
    if (!plan) {
      return Promise.reject(
        new LocalError(
          'build-failed',
          `Nothing to build for ${t.environment.name}: no Dockerfile in ${t.project.dir} (set build = "<dir>" in [local.${t.environment.name}]).`,
        ),
      );
    }
    return this.runJournaled(
      'build',
      t,
      opts,
      { image: plan.tag, context: plan.context },
      async ({ log, signal, run }) => {
        log(`Building ${plan.tag} from ${plan.context} (${plan.dockerfile}) via ${this.engine.endpoint}`);
        const t0 = Date.now();
        const result = await this.engine.build({
          context: plan.context,
          dockerfile: plan.dockerfile,
          tag: plan.tag,
          buildArgs: plan.buildArgs,
          signal,
          onLine: log,
        });
        const mb = result.size / 1e6;
        const budget = this.deps.imageSizeBudgetMB?.() ?? 50;
        log(
          `Built ${plan.tag} (${result.imageId.slice(7, 19)}) in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${mb.toFixed(1)} MB`,
        );
        if (mb > budget)
          log(
            `Warning: image is ${mb.toFixed(1)} MB, above the ${budget} MB budget (helixDeploy.docker.imageSizeBudgetMB).`,
          );
        await this.deps.journal.patch(run.id, { imageId: result.imageId, sizeBytes: result.size });
        return { result, overBudgetMB: mb > budget ? Math.round(mb * 10) / 10 : undefined };
      },
    );
  }

  /** Start: create/run `helix-<project>-<env>` with the CLI's port mapping and storage, then wait until healthy. */
  start(t: LocalInstance, opts: StartOptions = {}): Promise<StartOutcome> {
    return this.runJournaled('start', t, opts, { container: nameOf(t), image: imageRef(t) }, (ctx) =>
      this.startIn(t, opts, ctx),
    );
  }

  private async startIn(
    t: LocalInstance,
    opts: StartOptions,
    { log, signal }: RunContext,
  ): Promise<Omit<StartOutcome, 'run'>> {
    const name = nameOf(t);
    const image = imageRef(t);
    await this.engine.ping();
    const storage = this.storagePlan(t);
    const existing = await this.engine.inspect(name);
    if (existing?.state === 'running') {
      log(`${name} is already running.`);
      const port = existing.ports.find((p) => p.container === containerPort(t, p.host))?.host ?? hostPort(t);
      const health = await this.waitHealth(t, existing, port, opts, log);
      return { container: existing, port, health };
    }
    const img = await this.engine.inspectImage(image);
    if (!img) {
      const hint = buildPlan(t) ? 'Build the image first (Build Image).' : 'Pull it or set image/tag in helix.toml.';
      throw new LocalError('image-missing', `Image ${image} not found in ${this.engine.endpoint}. ${hint}`, { image });
    }
    const port = opts.port ?? hostPort(t);
    if (!(await isPortFree(port))) {
      throw new LocalError('port-in-use', `Port ${port} is already in use on this machine.`, {
        port,
        suggestedPort: await nextFreePort(port + 1),
      });
    }
    // Before anything is created: a sidecar image that cannot be had fails the run with nothing left behind.
    if (storage.sidecar) await ensureSidecarImage(this.engine, storage.sidecar, log, signal);
    // As `helix start`: a stopped container of the same name is replaced, and so is a leftover sidecar.
    if (existing) {
      log(`Removing the stopped ${name}.`);
      await this.engine.remove(existing.id);
    }
    if (!storage.sidecar && t.project.generation !== 'v2') {
      for (const gone of await removeStorage(this.engine, t))
        log(`Removed ${gone} (left from an earlier storage = "disk" start).`);
    }
    const dotenv = readDotenv(t.project.dir);
    const inner = containerPort(t, port);
    const v2 = t.project.generation === 'v2';
    // Storage wins over .env (the sidecar's credentials; the host's AWS_*, as the CLI's own environment wins).
    const env = {
      ...dotenv,
      ...storage.env,
      HELIX_PROJECT: t.project.name,
      HELIX_INSTANCE: t.environment.name,
      ...(v2 ? { HELIX_PORT: String(inner), HELIX_DATA_DIR: '/data' } : {}),
    };
    // v2's compose file mounts `.helix/.volumes/<instance>` at /data; v3 mounts only named storage volumes.
    const volumes = v2
      ? [{ source: path.join(t.project.dir, '.helix', '.volumes', t.environment.name), target: '/data' }]
      : storage.volumes.map((v) => ({ source: v.name, target: v.target }));
    if (v2) for (const v of volumes) fs.mkdirSync(v.source, { recursive: true });
    log(`Starting ${name} from ${image}, 127.0.0.1:${port} -> ${inner}`);
    if (Object.keys(dotenv).length) log(`Environment from .env: ${describeEnv(dotenv).join(' ')}`);
    if (!v2) log(`Storage: ${storage.summary}`);
    if (Object.keys(storage.env).length) log(`Storage environment: ${describeEnv(storage.env).join(' ')}`);
    if (signal?.aborted) throw new LocalError('cancelled', 'Cancelled.');
    const undoStorage = await prepareStorage(this.engine, t, storage, log, signal);
    let id: string | undefined;
    try {
      id = await this.engine.create({
        name,
        image,
        labels: labelsOf(t),
        env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        ports: [{ host: port, container: inner, hostIp: '127.0.0.1' }],
        volumes,
        network: storage.network,
      });
      await this.engine.start(id);
    } catch (err) {
      if (id) await this.engine.remove(id).catch(() => undefined);
      await undoStorage();
      if (err instanceof LocalError && err.code === 'port-in-use') {
        throw new LocalError('port-in-use', `Port ${port} is already in use.`, {
          port,
          suggestedPort: await nextFreePort(port + 1),
        });
      }
      throw err;
    }
    const info = (await this.engine.inspect(id))!;
    const health = await this.waitHealth(t, info, port, opts, log);
    return { container: info, port, health };
  }

  stop(t: LocalInstance, opts: RunOptions = {}): Promise<{ run: RunRecord }> {
    const name = nameOf(t);
    return this.runJournaled('stop', t, opts, { container: name }, async ({ log }) => {
      const c = await this.engine.inspect(name);
      const sidecars = await findSidecars(this.engine, t);
      if (!c && !sidecars.length)
        throw new LocalError('engine-error', `No container ${name}: start the environment first.`);
      this.deps.health.set(envKey(t.project.dir, t.environment.name), undefined);
      if (!sidecars.length && storageMode(t) !== 'disk') {
        await this.engine.stop(c!.id);
        log(`Stopped ${name}.`);
        return {};
      }
      // Disk storage, as `helix stop`: the instance and its sidecar are removed; the volumes keep the data.
      if (c) await this.engine.remove(c.id);
      const gone = await removeStorage(this.engine, t);
      log(`Stopped and removed ${[...(c ? [name] : []), ...gone].join(', ')}. ${this.keptData(t)}`);
      return {};
    });
  }

  restart(t: LocalInstance, opts: StartOptions = {}): Promise<StartOutcome> {
    const name = nameOf(t);
    return this.runJournaled('restart', t, opts, { container: name }, async (ctx) => {
      const { log } = ctx;
      const mode = storageMode(t);
      if (mode !== 'memory') {
        // As `helix restart`: disk and s3 instances are re-created (fresh sidecar, current credentials).
        this.storagePlan(t); // a broken storage config fails before the running instance is removed
        const old = await this.engine.inspect(name);
        log(`Re-creating ${name} (storage = "${mode}").`);
        if (old) await this.engine.remove(old.id);
        return this.startIn(t, { ...opts, port: opts.port ?? old?.ports[0]?.host }, ctx);
      }
      const c = await this.requireContainer(name);
      await this.engine.restart(c.id);
      log(`Restarted ${name}.`);
      const info = (await this.engine.inspect(c.id))!;
      const port = info.ports[0]?.host ?? hostPort(t);
      const health = await this.waitHealth(t, info, port, opts, log);
      return { container: info, port, health };
    });
  }

  remove(t: LocalInstance, opts: RunOptions = {}): Promise<{ run: RunRecord }> {
    const name = nameOf(t);
    return this.runJournaled('remove', t, opts, { container: name }, async ({ log }) => {
      await this.engine.remove(name);
      const gone = await removeStorage(this.engine, t);
      this.deps.health.set(envKey(t.project.dir, t.environment.name), undefined);
      log(`Removed ${[name, ...gone].join(', ')}.${gone.length ? ` ${this.keptData(t)}` : ''}`);
      return {};
    });
  }

  /** Where disk data stays after stop/remove (volumes are never removed here; `helix prune` does that). */
  private keptData(t: LocalInstance): string {
    const n = storageNames(t);
    const kind = sidecarKind(t.project.generation) ?? 'minio';
    const vols = [n.dataVolumes[kind], ...(cacheVolumeFor(t.project.generation) ? [n.cache] : [])];
    return `Data stays in volume ${vols.join(' and ')} (docker volume rm deletes it).`;
  }

  /** The container of an environment, if any. */
  status(t: LocalInstance): Promise<ContainerInfo | undefined> {
    return this.engine.inspect(nameOf(t));
  }

  /** Check Health once (not a run: it changes nothing). */
  async checkHealth(t: LocalInstance, signal?: AbortSignal): Promise<HealthResult> {
    const c = await this.engine.inspect(nameOf(t));
    if (!c || c.state !== 'running') {
      const r: HealthResult = {
        status: 'unhealthy',
        checkedAt: new Date().toISOString(),
        attempts: 1,
        reason: c ? `container is ${c.state}` : 'no container',
      };
      this.deps.health.set(envKey(t.project.dir, t.environment.name), r);
      return r;
    }
    const port = c.ports[0]?.host ?? hostPort(t);
    return this.deps.health.check(envKey(t.project.dir, t.environment.name), this.healthTarget(t, c, port), signal);
  }

  /** v3: GET /healthz and /readyz on the host port; v2 has no health route, so only the engine's HEALTHCHECK. */
  healthTarget(t: LocalInstance, c: ContainerInfo, port: number): HealthEndpoints {
    const base = `http://127.0.0.1:${port}`;
    const engine = async (): Promise<HealthStatus> => (await this.engine.inspect(c.id))?.health ?? 'none';
    const custom = ownSetting(t.environment, 'health') as { liveness?: string; readiness?: string } | undefined;
    if (t.project.generation === 'v2')
      return {
        engine,
        liveness: custom?.liveness && base + custom.liveness,
        readiness: custom?.readiness && base + custom.readiness,
      };
    return {
      liveness: base + (custom?.liveness ?? '/healthz'),
      readiness: base + (custom?.readiness ?? '/readyz'),
      engine,
    };
  }

  private async waitHealth(
    t: LocalInstance,
    c: ContainerInfo,
    port: number,
    opts: StartOptions,
    log: (l: string) => void,
  ): Promise<HealthResult> {
    const target = this.healthTarget(t, c, port);
    log(
      `Waiting for ${[target.liveness, target.readiness].filter(Boolean).join(' and ') || 'the engine HEALTHCHECK'}...`,
    );
    let last: HealthStatus | undefined;
    const r = await this.deps.health.wait(envKey(t.project.dir, t.environment.name), target, {
      deadlineMs: opts.healthDeadlineMs ?? 30_000,
      signal: opts.signal,
      onAttempt: (a) => {
        if (a.reason && a.status !== last) log(`  ${a.status}: ${a.reason}`);
        last = a.status;
      },
    });
    if (opts.signal?.aborted) throw new LocalError('cancelled', 'Cancelled while waiting for health.');
    if (r.status === 'unhealthy') {
      throw new LocalError(
        'not-healthy',
        `${nameOf(t)} did not become healthy in time (${r.reason}). Check its logs (Show Logs) or verify port ${port}.`,
        { port },
      );
    }
    log(`${nameOf(t)} is ${r.status} on http://127.0.0.1:${port}`);
    return r;
  }

  private async requireContainer(name: string): Promise<ContainerInfo> {
    const c = await this.engine.inspect(name);
    if (!c) throw new LocalError('engine-error', `No container ${name}: start the environment first.`);
    return c;
  }
}

function safeDotenv(dir: string): Record<string, string> {
  try {
    return readDotenv(dir);
  } catch {
    return {};
  }
}

function errMeta(err: unknown): Record<string, unknown> | undefined {
  if (!(err instanceof LocalError)) return undefined;
  return { errorCode: err.code, ...err.detail };
}
