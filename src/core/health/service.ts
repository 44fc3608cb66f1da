import { Emitter, type Event } from '../engine/emitter';
import { checkOnce, waitHealthy, type WaitOptions } from './check';
import type { HealthResult, HealthEndpoints } from './types';

export type { HealthResult, HealthStatus, HealthEndpoints } from './types';

/**
 * Health results per environment (key = envKey: `<project dir>#<environment>`), with a change event.
 * The Deployments tree and the panel read from here; checks are run on demand (start, "Check Health",
 * a container health event) - never on a timer while idle.
 */
export class HealthService {
  private readonly results = new Map<string, HealthResult>();
  private readonly changed = new Emitter<{ key: string; result: HealthResult | undefined }>();
  readonly onDidChange: Event<{ key: string; result: HealthResult | undefined }> = this.changed.event;

  get(key: string): HealthResult | undefined {
    return this.results.get(key);
  }

  all(): ReadonlyMap<string, HealthResult> {
    return this.results;
  }

  set(key: string, result: HealthResult | undefined): void {
    if (result) this.results.set(key, result);
    else this.results.delete(key);
    this.changed.fire({ key, result });
  }

  async check(key: string, target: HealthEndpoints, signal?: AbortSignal): Promise<HealthResult> {
    const r = await checkOnce(target, { signal });
    this.set(key, r);
    return r;
  }

  async wait(key: string, target: HealthEndpoints, opts: WaitOptions = {}): Promise<HealthResult> {
    const r = await waitHealthy(target, { ...opts, onAttempt: (a) => (this.set(key, a), opts.onAttempt?.(a)) });
    this.set(key, r);
    return r;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
