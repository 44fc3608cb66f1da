import { checkOnce, sleep } from '../health/check';
import type { HealthResult, HealthEndpoints } from '../health/types';
import type { Environment } from '../model/types';

// Health verification as a step of every apply and rollback (the engine runs it, so the panel, the
// palette, the tree and the CLI all get it): the environment's `health` table of helix.deploy.toml, with
// `${outputs.NAME}` taken from what the apply output, probed until healthy or the deadline.

/** One request's timeout when `health.timeout` is not set. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 5_000;
/** How long a fresh deployment gets to become healthy when `health.deadline` is not set. */
export const DEFAULT_HEALTH_DEADLINE_MS = 60_000;

/** What a run records (run meta `health`, `healthReason`, `healthChecks`); the same strings as cloud deploy runs. */
export type RunHealth = 'healthy' | 'unhealthy' | 'unknown';

export interface HealthCheckRecord {
  name: 'liveness' | 'readiness';
  url: string;
  ok: boolean;
  status?: number;
  ms: number;
  error?: string;
}

export interface HealthVerdict {
  health: RunHealth;
  healthReason: string;
  healthChecks: HealthCheckRecord[];
}

/** "5s", "500ms", "1m" -> ms; undefined when absent or not a duration (validation reports it). */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^([0-9]+)(ms|s|m)$/.exec(v.trim());
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
}

export interface ResolvedHealth {
  target?: HealthEndpoints;
  timeoutMs: number;
  deadlineMs: number;
  /** Why there is nothing to probe (no `health` table, an output missing): health is then 'unknown'. */
  missing?: string;
}

/**
 * The `health` table of a helix.deploy.toml environment with `${outputs.NAME}` taken from the applied run's
 * outputs. Undefined when the environment has no health checks or an output is missing.
 */
export function healthEndpointsFor(
  env: Environment,
  outputs: Record<string, unknown> | undefined,
): HealthEndpoints | undefined {
  return resolveHealth(env, outputs).target;
}

export function resolveHealth(
  env: Pick<Environment, 'name' | 'settings'>,
  outputs: Record<string, unknown> | undefined,
): ResolvedHealth {
  const h = env.settings?.health as Record<string, unknown> | undefined;
  const timeoutMs = parseDuration(h?.timeout) ?? DEFAULT_HEALTH_TIMEOUT_MS;
  const deadlineMs = parseDuration(h?.deadline) ?? DEFAULT_HEALTH_DEADLINE_MS;
  if (!h || typeof h !== 'object')
    return { timeoutMs, deadlineMs, missing: `environment "${env.name}" has no health table in helix.deploy.toml` };
  const missing: string[] = [];
  const sub = (v: unknown): string | undefined => {
    if (typeof v !== 'string' || !v) return undefined;
    return v.replace(/\$\{outputs\.([\w-]+)\}/g, (_m, name: string) => {
      const o = outputs?.[name];
      if (typeof o !== 'string' && typeof o !== 'number') {
        missing.push(name);
        return '';
      }
      return String(o);
    });
  };
  const t: HealthEndpoints = { liveness: sub(h.liveness), readiness: sub(h.readiness) };
  if (missing.length)
    return {
      timeoutMs,
      deadlineMs,
      missing: `the apply has no output ${[...new Set(missing)].map((n) => `"${n}"`).join(', ')} used by health`,
    };
  if (!t.liveness && !t.readiness)
    return {
      timeoutMs,
      deadlineMs,
      missing: `environment "${env.name}" sets neither health.liveness nor health.readiness`,
    };
  return { target: t, timeoutMs, deadlineMs };
}

/**
 * Probes liveness and readiness (each request at most `timeoutMs`) until both pass or the deadline; every
 * attempt goes to `log`. A refused connection before the deadline means "not up yet", not "unhealthy".
 */
export async function verifyHealth(
  r: ResolvedHealth,
  log: (line: string) => void,
  opts: { signal?: AbortSignal; initialDelayMs?: number; maxDelayMs?: number } = {},
): Promise<HealthVerdict> {
  if (!r.target) {
    log(`Health: unknown (${r.missing}): nothing was checked.`);
    return { health: 'unknown', healthReason: `not checked: ${r.missing}`, healthChecks: [] };
  }
  const t = r.target;
  log(
    `Checking health: ${[t.liveness && `liveness ${t.liveness}`, t.readiness && `readiness ${t.readiness}`].filter(Boolean).join(', ')} (timeout ${r.timeoutMs} ms per request, deadline ${r.deadlineMs} ms).`,
  );
  const start = Date.now();
  const deadline = start + r.deadlineMs;
  let delay = opts.initialDelayMs ?? 250;
  const maxDelay = opts.maxDelayMs ?? 2000;
  for (let attempt = 1; ; attempt++) {
    const left = Math.max(50, deadline - Date.now());
    const res = await checkOnce(t, { timeoutMs: Math.min(r.timeoutMs, left), signal: opts.signal });
    const checks: HealthCheckRecord[] = [];
    if (res.liveness) checks.push(record('liveness', res.liveness));
    if (res.readiness) checks.push(record('readiness', res.readiness));
    const ok = checks.every((c) => c.ok);
    log(
      `Health attempt ${attempt}: ${checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'failed'} (${c.status ?? c.error}, ${c.ms} ms)`).join(', ')}`,
    );
    if (ok)
      return {
        health: 'healthy',
        healthReason: `liveness and readiness passed (attempt ${attempt})`,
        healthChecks: checks,
      };
    const failing = checks
      .filter((c) => !c.ok)
      .map((c) => `${c.name} ${c.url}: ${c.error ?? `HTTP ${c.status}`}`)
      .join('; ');
    if (opts.signal?.aborted)
      return { health: 'unknown', healthReason: `health check cancelled: ${failing}`, healthChecks: checks };
    if (Date.now() + delay >= deadline) {
      return {
        health: 'unhealthy',
        healthReason: `not healthy within ${r.deadlineMs} ms (${attempt} attempts): ${failing}`,
        healthChecks: checks,
      };
    }
    await sleep(delay, opts.signal);
    delay = Math.min(maxDelay, delay * 2);
  }
}

function record(
  name: HealthCheckRecord['name'],
  p: { url: string; ok: boolean; status?: number; ms: number; error?: string },
): HealthCheckRecord {
  return {
    name,
    url: p.url,
    ok: p.ok,
    ...(p.status !== undefined ? { status: p.status } : {}),
    ms: p.ms,
    ...(p.error ? { error: p.error } : {}),
  };
}

/**
 * What an Applied/Unhealthy run recorded, as the HealthService's result for its environment (trees, panel):
 * the engine's verdict, not a second probe. Undefined when nothing was checked.
 */
export function healthResultOfRun(run: {
  state: string;
  endedAt?: string;
  updatedAt: string;
  meta?: Record<string, unknown>;
}): HealthResult | undefined {
  if (run.state !== 'Applied' && run.state !== 'Unhealthy') return undefined;
  const h = run.meta?.health;
  if (h !== 'healthy' && h !== 'unhealthy') return undefined;
  const checks = Array.isArray(run.meta?.healthChecks) ? (run.meta!.healthChecks as HealthCheckRecord[]) : [];
  const probe = (name: HealthCheckRecord['name']) => {
    const c = checks.find((x) => x.name === name);
    return c && { url: c.url, ok: c.ok, status: c.status, ms: c.ms, error: c.error };
  };
  return {
    status: h,
    liveness: probe('liveness'),
    readiness: probe('readiness'),
    checkedAt: run.endedAt ?? run.updatedAt,
    attempts: 1,
    reason: typeof run.meta?.healthReason === 'string' ? run.meta.healthReason : undefined,
  };
}
