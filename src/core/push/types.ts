import { HelixError, type HelixErrorOptions } from '../errors';

// Vocabulary of one push: what goes where, what the engine reports, how it ends.

/** Which registry family a host belongs to; decides how credentials are obtained. */
export type RegistryKind = 'dockerhub' | 'ghcr' | 'ecr' | 'gar' | 'acr' | 'fly' | 'oci';

/** A parsed image reference `host[:port]/repo[:tag]`. */
export interface ImageRef {
  /** Registry host as written (with port), `docker.io` for Docker Hub. */
  registry: string;
  /** Repository path inside the registry, e.g. `acme/helixdb`. */
  repository: string;
  tag: string;
}

/** Username and secret for a registry, kept only in memory and SecretStorage. */
export interface RegistryCredential {
  username: string;
  secret: string;
  /** Where it came from, for messages ("docker config", "credential helper desktop", "secret storage", "ecr"). */
  source: string;
  /** Tokens that expire (ECR) say when, so the caller refreshes before using a stale one. */
  expiresAt?: Date;
}

/** One layer's state as reported by the engine. */
export interface LayerProgress {
  id: string;
  status: 'waiting' | 'preparing' | 'pushing' | 'pushed' | 'exists' | 'retrying';
  current?: number;
  total?: number;
}

/** What a push reports while it runs (one event per engine message we understood). */
export type PushEvent =
  | { type: 'layer'; layer: LayerProgress }
  | { type: 'status'; message: string }
  | { type: 'attempt'; attempt: number; delayMs: number; reason: string };

export interface PushResult {
  ref: ImageRef;
  digest: string;
  attempts: number;
  /** Layers the registry already held (not uploaded by the final attempt). */
  layersExisting: number;
  layersPushed: number;
}

export type PushErrorKind = 'auth' | 'transient' | 'cancelled' | 'notFound' | 'failed';

/** Base class so callers can tell our expected failures from bugs; `kind` is its code. */
export class PushError extends HelixError {
  declare readonly code: PushErrorKind;

  constructor(message: string, kind: PushErrorKind, options: Omit<HelixErrorOptions, 'cancelled'> = {}) {
    super(kind, message, { ...options, cancelled: kind === 'cancelled' });
  }

  get kind(): PushErrorKind {
    return this.code;
  }
}

/** 401/403: the UI answers with a re-login prompt. */
export class RegistryAuthError extends PushError {
  constructor(
    readonly registry: string,
    detail: string,
  ) {
    super(`Registry ${registry} refused the credentials (${detail}). Sign in again.`, 'auth');
  }
}

export class PushCancelledError extends PushError {
  constructor() {
    super('Push cancelled', 'cancelled');
  }
}
