import type { ProbeResult } from './probe';

/** The health of an environment, shown in the Deployments tree and the panel. */
export type HealthStatus = 'healthy' | 'starting' | 'unhealthy' | 'none';

export interface HealthEndpoints {
  /** GET that must answer 2xx while the process is alive (`/healthz`). */
  liveness?: string;
  /** GET that answers 2xx once the instance serves traffic (`/readyz`). */
  readiness?: string;
  /**
   * Liveness passes on any HTTP answer, not only 2xx: for servers without a health route (the helix
   * CLI v2 container), where "it answers at all" is the only sign of life there is.
   */
  anyStatus?: boolean;
  /** The engine's HEALTHCHECK status, when the container has one. */
  engine?: () => Promise<HealthStatus>;
}

export interface HealthResult {
  status: HealthStatus;
  liveness?: ProbeResult;
  readiness?: ProbeResult;
  engine?: HealthStatus;
  /** ISO time of the check. */
  checkedAt: string;
  /** Attempts made by a wait (1 for a single check). */
  attempts: number;
  /** Why it is not healthy, in words. */
  reason?: string;
}
