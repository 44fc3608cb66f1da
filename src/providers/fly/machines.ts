import { networkReason } from '../../core/push/network';
import { CloudAuthError } from '../../core/push/cloud';
import { FLY_VM_SIZES } from '../../core/cost/fly';

// The few Fly Machines API calls a deploy needs (https://fly.io/docs/machines/api/), Bearer-token auth.

export const DEFAULT_MACHINES_URL = 'https://api.machines.dev';

export interface Machine {
  id: string;
  state: string;
  region?: string;
  config: Record<string, unknown>;
}

export interface Volume {
  id: string;
  name: string;
  region?: string;
}

export class MachinesApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly signal?: AbortSignal,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/v1${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: this.signal,
      });
    } catch (err) {
      if (this.signal?.aborted) throw err;
      throw new Error(`Could not reach the Fly Machines API at ${new URL(url).origin}: ${networkReason(err)}`);
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) throw new CloudAuthError('Fly.io', `HTTP ${res.status}`);
    if (!res.ok) {
      let msg = text;
      try {
        msg = JSON.parse(text).error ?? text;
      } catch {
        /* plain text error */
      }
      throw new Error(`Fly Machines API ${method} ${path} failed (${res.status}): ${String(msg).slice(0, 300)}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  getApp(app: string): Promise<{ name: string; status?: string } | undefined> {
    return this.call<{ name: string }>('GET', `/apps/${app}`).catch((e: Error) => {
      if (/failed \(404\)/.test(e.message)) return undefined;
      throw e;
    });
  }
  createApp(app: string, org: string) {
    return this.call('POST', '/apps', { app_name: app, org_slug: org });
  }
  listMachines(app: string) {
    return this.call<Machine[]>('GET', `/apps/${app}/machines`);
  }
  createMachine(app: string, body: { config: Record<string, unknown>; region?: string }) {
    return this.call<Machine>('POST', `/apps/${app}/machines`, body);
  }
  updateMachine(app: string, id: string, body: { config: Record<string, unknown> }) {
    return this.call<Machine>('POST', `/apps/${app}/machines/${id}`, body);
  }
  waitStarted(app: string, id: string, timeoutSeconds = 60) {
    return this.call('GET', `/apps/${app}/machines/${id}/wait?state=started&timeout=${timeoutSeconds}`);
  }
  listVolumes(app: string) {
    return this.call<Volume[]>('GET', `/apps/${app}/volumes`);
  }
  createVolume(app: string, body: { name: string; size_gb: number; region?: string }) {
    return this.call<Volume>('POST', `/apps/${app}/volumes`, body);
  }
}

/** The helix CLI's `vm_size` values as Machines API guest configs. */
export function guestFor(vmSize: unknown): Record<string, unknown> {
  // One table of sizes for the deploy and its cost estimate (src/core/cost/fly.ts).
  const g = FLY_VM_SIZES[String(vmSize ?? 'shared-cpu-4x')];
  if (!g) throw new Error(`Unknown vm_size "${vmSize}" (expected one of ${Object.keys(FLY_VM_SIZES).join(', ')})`);
  return { cpu_kind: g.cpuKind, cpus: g.cpus, memory_mb: g.memoryMb, ...(g.gpuKind ? { gpu_kind: g.gpuKind } : {}) };
}
