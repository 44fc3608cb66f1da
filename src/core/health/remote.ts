import type { HealthEndpoints } from './types';

/**
 * The probes for a deployment answering at `url` (what a cloud deploy returns). v3 images serve
 * GET /healthz and /readyz; the helix CLI v2 container has no health route, so its root is probed and
 * any HTTP answer (a 404 included) counts as alive.
 */
export function deploymentHealthEndpoints(url: string, image: 'v2' | 'v3'): HealthEndpoints {
  const base = url.replace(/\/+$/, '');
  return image === 'v2'
    ? { liveness: `${base}/`, anyStatus: true }
    : { liveness: `${base}/healthz`, readiness: `${base}/readyz` };
}
