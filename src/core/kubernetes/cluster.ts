import { HelixError } from '../errors';
import type { KubeObject, ObjectRef } from './objects';

// The small interface core needs from a cluster. src/providers/kubernetes implements it with
// @kubernetes/client-node; every call has a timeout and fails with a KubeError, never hangs.

export type KubeErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'gone'
  | 'invalid'
  | 'cancelled'
  | 'other';

/** A failed cluster call; `kind` is its code, `status` the HTTP status when the API server answered. */
export class KubeError extends HelixError {
  declare readonly code: KubeErrorKind;

  constructor(
    kind: KubeErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(kind, message, { cancelled: kind === 'cancelled' });
  }

  get kind(): KubeErrorKind {
    return this.code;
  }
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  /** Server closes the watch after this many seconds (the client then resumes from the last version). */
  timeoutSeconds?: number;
}

export interface WatchHandle {
  stop(): void;
}

export interface LogOptions {
  container: string;
  follow?: boolean;
  tailLines?: number;
  sinceTime?: string;
  previous?: boolean;
}

export interface KubeCluster {
  /** Context name, for messages and the plan record. */
  readonly context: string;
  /** Server-side apply (fieldManager helix-deploy). */
  apply(obj: KubeObject, opts: { dryRun?: boolean; force?: boolean }): Promise<KubeObject>;
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  list(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    opts?: { labelSelector?: string; fieldSelector?: string },
  ): Promise<ListResult>;
  delete(ref: ObjectRef): Promise<void>;
  /** Starts a watch; `onEvent` gets each event, `onDone` once when it ends (err undefined = closed normally). */
  watch(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    opts: WatchOptions,
    onEvent: (type: WatchEventType, obj: KubeObject) => void,
    onDone: (err?: unknown) => void,
  ): Promise<WatchHandle>;
  /** Streams a container's log lines until the stream ends (or `signal` aborts). */
  logs(
    namespace: string,
    pod: string,
    opts: LogOptions,
    onLine: (line: string) => void,
    signal: AbortSignal,
  ): Promise<void>;
}
