import Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import type {
  BuildRequest,
  BuildResult,
  ContainerEngine,
  ContainerInfo,
  EngineEvent,
  EngineHealth,
  EngineInfo,
  ImageInfo,
  LogLine,
  LogOptions,
  PullOptions,
  RunSpec,
} from '../../core/local/engine';
import { LocalError } from '../../core/local/errors';
import type { Disposable } from '../../core/engine/emitter';
import { resolveEndpoint, type Endpoint, type ResolveOptions } from './connect';
import { packContext } from './context';
import { apiBuildsBuildKitDockerfiles, buildKitNeeds, buildWithBuildKit } from './buildkit';
import { mapError } from './errors';
import { dockerClient } from './client';

/** The local loop's engine, through dockerode (Docker, or Podman's Docker-compatible API). */
export class DockerEngine implements ContainerEngine {
  readonly endpoint: string;
  private client?: Docker;

  /**
   * `dockerClis`: docker executables that may serve as BuildKit clients (default: every `docker` on PATH).
   */
  constructor(
    readonly ep: Endpoint,
    private readonly opts: { dockerClis?: string[] } = {},
  ) {
    this.endpoint = ep.url;
  }

  /** The Docker API client, made on first use: loading it costs time that activation should not pay. */
  get docker(): Docker {
    return (this.client ??= dockerClient(this.ep));
  }

  static resolve(opts: ResolveOptions = {}): DockerEngine {
    return new DockerEngine(resolveEndpoint(opts));
  }

  private fail(err: unknown, context: string): never {
    throw mapError(err, this.ep, context);
  }

  async ping(): Promise<EngineInfo> {
    try {
      const v = await this.docker.version();
      const name = (v.Components?.[0]?.Name as string | undefined) ?? 'Engine';
      return { name, version: v.Version, endpoint: this.endpoint };
    } catch (err) {
      this.fail(err, 'connect');
    }
  }

  async build(req: BuildRequest): Promise<BuildResult> {
    const needs = buildKitNeeds(req);
    if (needs.length && !apiBuildsBuildKitDockerfiles(this.ep, await this.ping()))
      return buildWithBuildKit(this, req, needs, this.opts.dockerClis);
    const ctx = packContext(req.context, req.dockerfile);
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(ctx, {
        t: req.tag,
        dockerfile: req.dockerfile ?? 'Dockerfile',
        buildargs: req.buildArgs,
        labels: req.labels,
        rm: true,
        forcerm: true,
        nocache: req.noCache,
        abortSignal: req.signal,
      } as Docker.ImageBuildOptions);
    } catch (err) {
      if (req.signal?.aborted) throw new LocalError('cancelled', 'Build cancelled.');
      this.fail(err, `build ${req.tag}`);
    }
    let lastStep: string | undefined;
    let imageId: string | undefined;
    let error: string | undefined;
    let partial = '';
    const onLine = (line: string) => {
      if (/^Step \d+\/\d+ :/.test(line)) lastStep = line;
      req.onLine?.(line);
    };
    await new Promise<void>((resolve, reject) => {
      const abort = () => {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        reject(new LocalError('cancelled', 'Build cancelled.'));
      };
      if (req.signal?.aborted) return abort();
      req.signal?.addEventListener('abort', abort, { once: true });
      this.docker.modem.followProgress(
        stream,
        (err) => {
          req.signal?.removeEventListener('abort', abort);
          if (partial) onLine(partial);
          if (err) reject(mapError(err, this.ep, `build ${req.tag}`));
          else resolve();
        },
        (ev: { stream?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } }) => {
          if (ev.stream) {
            const text = partial + ev.stream;
            const lines = text.split('\n');
            partial = lines.pop() ?? '';
            for (const l of lines) onLine(l.replace(/\r$/, ''));
          }
          if (ev.aux?.ID) imageId = ev.aux.ID;
          if (ev.error) {
            error = ev.errorDetail?.message ?? ev.error;
            onLine(`ERROR: ${error}`);
          }
        },
      );
    });
    if (error) {
      throw new LocalError('build-failed', `Build failed${lastStep ? ` at ${lastStep}` : ''}: ${error}`, {
        failedStep: lastStep,
        image: req.tag,
      });
    }
    const img = await this.inspectImage(req.tag);
    if (!img)
      throw new LocalError('build-failed', `Build finished but image ${req.tag} is missing.`, { image: req.tag });
    return { imageId: imageId ?? img.id, tag: req.tag, size: img.size };
  }

  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    try {
      const i = await this.docker.getImage(ref).inspect();
      const hc = i.Config?.Healthcheck as { Test?: string[] } | undefined;
      return { id: i.Id, size: i.Size, hasHealthcheck: !!hc?.Test?.length && hc.Test[0] !== 'NONE' };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      this.fail(err, `inspect image ${ref}`);
    }
  }

  async pull(ref: string, opts: PullOptions = {}): Promise<void> {
    // An untagged name would pull every tag.
    const tagged = ref.includes('@') || /:[^/]+$/.test(ref) ? ref : `${ref}:latest`;
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.pull(tagged, { abortSignal: opts.signal });
    } catch (err) {
      if (opts.signal?.aborted) throw new LocalError('cancelled', 'Pull cancelled.');
      const e = err as { statusCode?: number; json?: { message?: string } };
      if (e.statusCode === 404)
        throw new LocalError(
          'image-missing',
          `${tagged} was not found in its registry${e.json?.message ? ` (${e.json.message.trim()})` : ''}`,
          { image: tagged },
        );
      this.fail(err, `pull ${tagged}`);
    }
    const last = new Map<string, string>();
    let error: string | undefined;
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err) =>
          err
            ? reject(
                opts.signal?.aborted
                  ? new LocalError('cancelled', 'Pull cancelled.')
                  : mapError(err, this.ep, `pull ${tagged}`),
              )
            : resolve(),
        (ev: { id?: string; status?: string; error?: string; errorDetail?: { message?: string } }) => {
          if (ev.error) error = ev.errorDetail?.message ?? ev.error;
          // Byte counters would print hundreds of lines: one line per layer and state.
          const key = ev.id ?? '';
          if (!ev.status || last.get(key) === ev.status) return;
          last.set(key, ev.status);
          opts.onLine?.(ev.id ? `${ev.id}: ${ev.status}` : ev.status);
        },
      );
    });
    if (error) throw new LocalError('engine-error', `pull ${tagged}: ${error}`, { image: tagged });
  }

  async list(labels: string[]): Promise<ContainerInfo[]> {
    try {
      const cs = await this.docker.listContainers({
        all: true,
        filters: JSON.stringify({ label: labels }),
      } as Docker.ContainerListOptions);
      return cs.map(fromSummary);
    } catch (err) {
      this.fail(err, 'list containers');
    }
  }

  async inspect(nameOrId: string): Promise<ContainerInfo | undefined> {
    try {
      return fromInspect(await this.docker.getContainer(nameOrId).inspect());
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      this.fail(err, `inspect ${nameOrId}`);
    }
  }

  async create(spec: RunSpec): Promise<string> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of spec.ports) {
      exposed[`${p.container}/tcp`] = {};
      (bindings[`${p.container}/tcp`] ??= []).push({ HostIp: p.hostIp ?? '127.0.0.1', HostPort: String(p.host) });
    }
    try {
      const c = await this.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Labels: spec.labels,
        Env: spec.env,
        ExposedPorts: exposed,
        Cmd: spec.cmd,
        HostConfig: {
          NetworkMode: spec.network,
          PortBindings: bindings,
          // As `helix start`: the instance comes back after a reboot or a daemon restart.
          RestartPolicy: { Name: 'unless-stopped' },
          Binds: spec.volumes?.map((v) => `${v.source}:${v.target}`),
        },
      });
      return c.id;
    } catch (err) {
      this.fail(err, `create ${spec.name}`);
    }
  }

  async start(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 304) return; // already running
      this.fail(err, `start ${id}`);
    }
  }

  async stop(id: string, timeoutSec = 10): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: timeoutSec });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 304) return; // already stopped
      this.fail(err, `stop ${id}`);
    }
  }

  async restart(id: string, timeoutSec = 10): Promise<void> {
    try {
      await this.docker.getContainer(id).restart({ t: timeoutSec });
    } catch (err) {
      this.fail(err, `restart ${id}`);
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
      this.fail(err, `remove ${id}`);
    }
  }

  async logs(id: string, opts: LogOptions, onLine: (l: LogLine) => void): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker.getContainer(id).logs({
        follow: (opts.follow ?? false) as true,
        stdout: true,
        stderr: true,
        timestamps: true,
        since: opts.since,
        tail: opts.tail,
        abortSignal: opts.signal,
      } as Docker.ContainerLogsOptions & { follow: true })) as NodeJS.ReadableStream;
    } catch (err) {
      if (opts.signal?.aborted) return;
      this.fail(err, `logs ${id}`);
    }
    await new Promise<void>((resolve) => {
      const split = (kind: 'stdout' | 'stderr') => {
        const pt = new PassThrough();
        let rest = '';
        pt.setEncoding('utf8');
        pt.on('data', (d: string) => {
          const parts = (rest + d).split('\n');
          rest = parts.pop() ?? '';
          for (const p of parts) onLine(parseLine(p, kind));
        });
        pt.on('end', () => rest && onLine(parseLine(rest, kind)));
        return pt;
      };
      const out = split('stdout');
      const errs = split('stderr');
      this.docker.modem.demuxStream(stream, out, errs);
      const finish = () => {
        out.end();
        errs.end();
        resolve();
      };
      stream.on('end', finish);
      stream.on('close', finish);
      stream.on('error', finish);
      opts.signal?.addEventListener('abort', () => ((stream as unknown as { destroy(): void }).destroy(), finish()), {
        once: true,
      });
    });
  }

  events(onEvent: (e: EngineEvent) => void, onEnd: (err?: Error) => void): Disposable {
    const ac = new AbortController();
    let ended = false;
    const end = (err?: Error) => {
      if (ended) return;
      ended = true;
      if (!ac.signal.aborted) onEnd(err);
    };
    this.docker
      .getEvents({ filters: { type: ['container'] }, abortSignal: ac.signal } as Docker.GetEventsOptions)
      .then((stream) => {
        let rest = '';
        stream.setEncoding?.('utf8');
        stream.on('data', (d: string | Buffer) => {
          const parts = (rest + d.toString()).split('\n');
          rest = parts.pop() ?? '';
          for (const p of parts) {
            if (!p.trim()) continue;
            try {
              const e = JSON.parse(p);
              const attrs = (e.Actor?.Attributes ?? {}) as Record<string, string>;
              onEvent({
                type: e.Type,
                action: String(e.Action ?? e.status ?? ''),
                id: e.Actor?.ID ?? e.id,
                name: attrs.name,
                labels: attrs,
              });
            } catch {
              /* partial or foreign line */
            }
          }
        });
        stream.on('end', () => end());
        stream.on('close', () => end());
        stream.on('error', (err: Error) => end(err));
      })
      .catch((err) => end(mapError(err, this.ep, 'events')));
    return {
      dispose: () => {
        ended = true;
        ac.abort();
      },
    };
  }

  async exec(id: string, cmd: string[], opts: { env?: string[] } = {}): Promise<{ code: number; output: string }> {
    try {
      const ex = await this.docker
        .getContainer(id)
        .exec({ Cmd: cmd, Env: opts.env, AttachStdout: true, AttachStderr: true });
      const stream = await ex.start({ hijack: true, stdin: false });
      let output = '';
      const sink = new PassThrough();
      sink.on('data', (d: Buffer) => (output += d.toString()));
      this.docker.modem.demuxStream(stream, sink, sink);
      await new Promise<void>((r) => (stream.on('end', r), stream.on('close', r)));
      const info = await ex.inspect();
      return { code: info.ExitCode ?? -1, output };
    } catch (err) {
      this.fail(err, `exec in ${id}`);
    }
  }

  async ensureNetwork(name: string, labels: Record<string, string>): Promise<boolean> {
    try {
      if (await this.exists(() => this.docker.getNetwork(name).inspect())) return false;
      await this.docker.createNetwork({ Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 409) return false; // created meanwhile
      this.fail(err, `create network ${name}`);
    }
  }

  async removeNetwork(name: string): Promise<boolean> {
    try {
      await this.docker.getNetwork(name).remove();
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      this.fail(err, `remove network ${name}`);
    }
  }

  async ensureVolume(name: string, labels: Record<string, string>): Promise<boolean> {
    try {
      if (await this.exists(() => this.docker.getVolume(name).inspect())) return false;
      await this.docker.createVolume({ Name: name, Labels: labels });
      return true;
    } catch (err) {
      this.fail(err, `create volume ${name}`);
    }
  }

  async removeVolume(name: string): Promise<boolean> {
    try {
      await this.docker.getVolume(name).remove();
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      this.fail(err, `remove volume ${name}`);
    }
  }

  /** true when the inspect call finds the object, false on 404; other errors propagate. */
  private async exists(inspect: () => Promise<unknown>): Promise<boolean> {
    try {
      await inspect();
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      throw err;
    }
  }
}

function parseLine(raw: string, stream: 'stdout' | 'stderr'): LogLine {
  const sp = raw.indexOf(' ');
  const at = sp > 0 ? Date.parse(raw.slice(0, sp)) : NaN;
  return Number.isNaN(at) ? { at: Date.now(), stream, text: raw } : { at, stream, text: raw.slice(sp + 1) };
}

function healthOf(status: string | undefined): EngineHealth {
  if (!status) return 'none';
  if (/\(healthy\)|^healthy$/.test(status)) return 'healthy';
  if (/\(unhealthy\)|^unhealthy$/.test(status)) return 'unhealthy';
  if (/health: starting|^starting$/.test(status)) return 'starting';
  return 'none';
}

function fromSummary(c: Docker.ContainerInfo): ContainerInfo {
  return {
    id: c.Id,
    name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
    state: c.State,
    health: healthOf(c.Status),
    status: c.Status,
    image: c.Image,
    ports: (c.Ports ?? [])
      .filter((p) => p.PublicPort)
      .map((p) => ({ hostIp: p.IP, host: p.PublicPort, container: p.PrivatePort })),
    labels: c.Labels ?? {},
    created: c.Created * 1000,
  };
}

function fromInspect(i: Docker.ContainerInspectInfo): ContainerInfo {
  const ports: ContainerInfo['ports'] = [];
  for (const [k, v] of Object.entries(i.NetworkSettings?.Ports ?? {})) {
    for (const b of v ?? []) ports.push({ hostIp: b.HostIp, host: Number(b.HostPort), container: parseInt(k, 10) });
  }
  const started = Date.parse(i.State.StartedAt);
  return {
    id: i.Id,
    name: i.Name.replace(/^\//, ''),
    state: i.State.Status,
    health: healthOf(i.State.Health?.Status),
    image: i.Config.Image,
    ports,
    labels: i.Config.Labels ?? {},
    created: Date.parse(i.Created),
    startedAt: Number.isNaN(started) || started <= 0 ? undefined : started,
  };
}
