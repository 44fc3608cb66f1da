import { HelixError, type HelixErrorOptions } from '../errors';

// Errors of the local loop that a person can act on. Each carries a code the UI maps to buttons
// ("Start Docker", "Use Podman", "Use port 6970", "Build Image", "Show Output") and plain words.

export type LocalErrorCode =
  | 'no-engine' // nothing installed / no socket
  | 'daemon-stopped' // installed, socket refuses
  | 'permission-denied' // socket not accessible to this user
  | 'port-in-use'
  | 'image-missing'
  | 'build-failed'
  | 'not-healthy'
  | 'config-invalid' // helix.toml says something the CLI would refuse (e.g. storage = "s3" without a bucket)
  | 'sidecar-unavailable' // the storage sidecar image is neither local nor pullable
  | 'busy' // another run is active for this environment
  | 'cancelled'
  | 'engine-error';

export interface LocalErrorDetail {
  port?: number;
  /** Next free port, offered as a fix (the CLI falls forward the same way). */
  suggestedPort?: number;
  image?: string;
  /** Build: the Dockerfile step that failed, e.g. "Step 3/5 : RUN make". */
  failedStep?: string;
  endpoint?: string;
}

export class LocalError extends HelixError {
  declare readonly code: LocalErrorCode;

  constructor(
    code: LocalErrorCode,
    message: string,
    readonly detail: LocalErrorDetail = {},
    options: Omit<HelixErrorOptions, 'cancelled'> = {},
  ) {
    super(code, message, { ...options, cancelled: code === 'cancelled' });
  }
}

export function isLocalError(e: unknown, code?: LocalErrorCode): e is LocalError {
  return e instanceof LocalError && (code === undefined || e.code === code);
}

/** True when the error means "the engine is not reachable" (a state, not a failure of the run). */
export function isEngineDown(e: unknown): boolean {
  return isLocalError(e) && (e.code === 'no-engine' || e.code === 'daemon-stopped' || e.code === 'permission-denied');
}
