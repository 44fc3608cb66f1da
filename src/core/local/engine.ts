// The small interface the local loop needs from a container engine (Docker or Podman's Docker-compatible API).
// Implemented by src/providers/docker; core never talks to dockerode directly.

import type { Disposable } from '../engine/emitter';

/** Health as the engine reports it (HEALTHCHECK), or `none` when the image has no healthcheck. */
export type EngineHealth = 'healthy' | 'starting' | 'unhealthy' | 'none';

export interface PortBinding {
  hostIp?: string;
  host: number;
  container: number;
}

export interface ContainerInfo {
  id: string;
  name: string;
  /** created | running | paused | restarting | removing | exited | dead */
  state: string;
  health: EngineHealth;
  /** The engine's own words, e.g. "Up 5 minutes (healthy)" (list only). */
  status?: string;
  image: string;
  ports: PortBinding[];
  labels: Record<string, string>;
  /** Epoch ms when the container was created. */
  created: number;
  /** Epoch ms of the last start, when known (inspect only). */
  startedAt?: number;
}

export interface BuildRequest {
  /** Absolute path of the build context. */
  context: string;
  /** Dockerfile path relative to the context (default `Dockerfile`). */
  dockerfile?: string;
  tag: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  /** Ignore the layer cache (benchmarks, "Rebuild"). */
  noCache?: boolean;
  signal?: AbortSignal;
  /** Each line of build output as it streams. */
  onLine?: (line: string) => void;
}

export interface BuildResult {
  imageId: string;
  tag: string;
  /** Bytes. */
  size: number;
}

export interface ImageInfo {
  id: string;
  size: number;
  hasHealthcheck: boolean;
}

export interface RunSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  /** KEY=VALUE strings. */
  env: string[];
  ports: PortBinding[];
  /** Host folders or named volumes. */
  volumes?: { source: string; target: string }[];
  /** A user-defined network to join: its members reach each other by container name. */
  network?: string;
  /** Arguments after the image (its CMD), e.g. `server /data`. */
  cmd?: string[];
}

export interface PullOptions {
  signal?: AbortSignal;
  /** Progress, one line per layer state change. */
  onLine?: (line: string) => void;
}

export interface LogOptions {
  follow?: boolean;
  /** Epoch seconds (may be fractional). */
  since?: number;
  tail?: number;
  signal?: AbortSignal;
}

export interface LogLine {
  /** Epoch ms from the engine's timestamp. */
  at: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface EngineEvent {
  type: string;
  action: string;
  id: string;
  name?: string;
  labels: Record<string, string>;
}

export interface EngineInfo {
  /** e.g. "Docker Engine 20.10.24" or "Podman Engine 4.9". */
  name: string;
  version: string;
  endpoint: string;
}

export interface ContainerEngine {
  /** Where it connects (socket path or URL), for messages. */
  readonly endpoint: string;
  ping(): Promise<EngineInfo>;
  build(req: BuildRequest): Promise<BuildResult>;
  inspectImage(ref: string): Promise<ImageInfo | undefined>;
  /** Pulls `ref` (`:latest` when untagged) from its registry. */
  pull(ref: string, opts?: PullOptions): Promise<void>;
  /** Containers carrying all the given labels (`key` or `key=value`), including stopped ones. */
  list(labels: string[]): Promise<ContainerInfo[]>;
  inspect(nameOrId: string): Promise<ContainerInfo | undefined>;
  create(spec: RunSpec): Promise<string>;
  start(id: string): Promise<void>;
  stop(id: string, timeoutSec?: number): Promise<void>;
  restart(id: string, timeoutSec?: number): Promise<void>;
  remove(id: string): Promise<void>;
  /** Streams log lines; resolves when the stream ends (container stopped, or signal aborted). */
  logs(id: string, opts: LogOptions, onLine: (l: LogLine) => void): Promise<void>;
  /**
   * Subscribes to the engine's event stream. `onEnd` is called once when the stream breaks
   * (daemon stopped or restarted); the caller decides when to reconnect.
   */
  events(onEvent: (e: EngineEvent) => void, onEnd: (err?: Error) => void): Disposable;
  /** Runs a command inside a running container (argument array, no shell; `env` as KEY=VALUE). */
  exec(id: string, cmd: string[], opts?: { env?: string[] }): Promise<{ code: number; output: string }>;
  /** Creates a bridge network unless one of that name exists; true when this call created it. */
  ensureNetwork(name: string, labels: Record<string, string>): Promise<boolean>;
  /** Removes a network (its containers must be gone); false when there was none. */
  removeNetwork(name: string): Promise<boolean>;
  /** Creates a named volume unless it exists; true when this call created it. */
  ensureVolume(name: string, labels: Record<string, string>): Promise<boolean>;
  /** Removes a named volume; false when there was none. */
  removeVolume(name: string): Promise<boolean>;
}
