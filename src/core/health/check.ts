import { probe, PROBE_TIMEOUT_MS } from './probe';
import type { HealthResult, HealthStatus, HealthEndpoints } from './types';

// A single health check combines the probes and the engine's own HEALTHCHECK:
// - an unhealthy engine status or a failing liveness probe = unhealthy
// - live but not ready, or the engine still "starting" = starting
// - everything that exists answers = healthy; nothing to check = none.

export async function checkOnce(
  t: HealthEndpoints,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<HealthResult> {
  const timeout = opts.timeoutMs ?? PROBE_TIMEOUT_MS;
  const [live, readiness, engine] = await Promise.all([
    t.liveness ? probe(t.liveness, timeout, opts.signal) : undefined,
    t.readiness ? probe(t.readiness, timeout, opts.signal) : undefined,
    t.engine ? t.engine().catch((): HealthStatus => 'none') : undefined,
  ]);
  const liveness = live && t.anyStatus && live.status ? { ...live, ok: true, error: undefined } : live;
  let status: HealthStatus;
  let reason: string | undefined;
  if (!liveness && !readiness && (!engine || engine === 'none')) status = 'none';
  else if (engine === 'unhealthy') {
    status = 'unhealthy';
    reason = 'the container HEALTHCHECK reports unhealthy';
  } else if (liveness && !liveness.ok) {
    status = 'unhealthy';
    reason = `liveness ${t.liveness}: ${liveness.error}`;
  } else if (readiness && !readiness.ok) {
    status = 'starting';
    reason = `readiness ${t.readiness}: ${readiness.error}`;
  } else if (engine === 'starting') {
    status = 'starting';
    reason = 'the container HEALTHCHECK has not passed yet';
  } else status = 'healthy';
  return { status, liveness, readiness, engine, checkedAt: new Date().toISOString(), attempts: 1, reason };
}

export interface WaitOptions {
  /** Give up after this long (default 30 s, as `helix start`). */
  deadlineMs?: number;
  timeoutMs?: number;
  /** First retry delay; doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  onAttempt?: (r: HealthResult) => void;
}

/**
 * Retries with backoff until healthy or the deadline. While the server is not up yet, a refused
 * connection means "starting", not "unhealthy": the result before the deadline is reported as starting.
 */
export async function waitHealthy(t: HealthEndpoints, opts: WaitOptions = {}): Promise<HealthResult> {
  const deadline = Date.now() + (opts.deadlineMs ?? 30_000);
  let delay = opts.initialDelayMs ?? 25;
  const maxDelay = opts.maxDelayMs ?? 1000;
  let attempts = 0;
  for (;;) {
    attempts++;
    const left = deadline - Date.now();
    const r = await checkOnce(t, {
      timeoutMs: Math.max(50, Math.min(opts.timeoutMs ?? PROBE_TIMEOUT_MS, left)),
      signal: opts.signal,
    });
    r.attempts = attempts;
    if (r.status === 'healthy' || r.status === 'none') return r;
    if (opts.signal?.aborted) return { ...r, reason: 'cancelled' };
    if (Date.now() + delay >= deadline)
      return { ...r, status: 'unhealthy', reason: `not healthy within ${opts.deadlineMs ?? 30_000} ms: ${r.reason}` };
    opts.onAttempt?.({ ...r, status: 'starting' });
    await sleep(delay, opts.signal);
    delay = Math.min(maxDelay, delay * 2);
  }
}

/** Waits `ms`, or less when `signal` aborts (never rejects: the caller looks at the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
