import { HelixError } from '../errors';
import type { Project, Environment } from '../model/types';

// The interface every cloud target implements (Helix Cloud, Helix Enterprise, Fly.io): one deploy,
// its progress as log lines, and where the result lives. The VS Code layer and the CLI drive them alike.

export interface DeployContext {
  project: Project;
  environment: Environment;
  signal: AbortSignal;
  /** Progress lines for the run log (already safe: providers never put secrets in them). */
  log: (line: string) => void;
  /** 0..1 when the target reports it. */
  progress?: (fraction: number, message?: string) => void;
}

export interface DeployResult {
  /** Where the deployment answers (shown, and used for the health check). */
  url?: string;
  /** A secret the target handed back (Helix Cloud's auth key): kept in SecretStorage, never logged. */
  secret?: { name: string; value: string };
  /** Extra facts for the run record (image, machine ids...). */
  meta?: Record<string, unknown>;
}

export interface CloudDeployer {
  /** Which environment kinds this deployer handles. */
  readonly kinds: readonly Environment['kind'][];
  deploy(ctx: DeployContext): Promise<DeployResult>;
}

/** A target refused the API key / token: the UI asks for a new one. */
export class CloudAuthError extends HelixError {
  constructor(
    readonly target: string,
    detail: string,
  ) {
    super('auth', `${target} refused the API key (${detail}). Sign in again.`);
  }
}
