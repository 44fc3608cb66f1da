import { PushError, RegistryAuthError, type LayerProgress, type PushEvent } from './types';

// The engine's push stream is JSON lines (docker's jsonmessage format). This turns each line into
// a PushEvent, keeps per-layer state for the progress bar, and classifies the final error.

export interface EngineMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: { Tag?: string; Digest?: string; Size?: number };
  error?: string;
  errorDetail?: { message?: string; code?: number };
}

const layerStatus: [RegExp, LayerProgress['status']][] = [
  [/^Preparing$/, 'preparing'],
  [/^Waiting$/, 'waiting'],
  [/^Pushing$/, 'pushing'],
  [/^Pushed$/, 'pushed'],
  [/^(Layer already exists|Mounted from)/, 'exists'],
  [/^Retrying in/, 'retrying'],
];

/** Accumulates the state of one push attempt. */
export class PushProgress {
  readonly layers = new Map<string, LayerProgress>();
  digest?: string;
  error?: string;

  /** Handles one engine message; returns the event to report, if any. */
  accept(msg: EngineMessage): PushEvent | undefined {
    if (msg.error || msg.errorDetail?.message) {
      this.error = msg.errorDetail?.message ?? msg.error;
      return undefined;
    }
    if (msg.aux?.Digest) {
      this.digest = msg.aux.Digest;
      return undefined;
    }
    const status = msg.status ?? '';
    if (msg.id && status) {
      const match = layerStatus.find(([re]) => re.test(status));
      if (match) {
        const layer: LayerProgress = {
          id: msg.id,
          status: match[1],
          current: msg.progressDetail?.current,
          total: msg.progressDetail?.total,
        };
        const prev = this.layers.get(msg.id);
        if (layer.status === 'pushing' && layer.total === undefined && prev?.total) layer.total = prev.total;
        this.layers.set(msg.id, layer);
        return { type: 'layer', layer };
      }
    }
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(status)?.[1];
    if (digest) this.digest = digest;
    return status ? { type: 'status', message: status } : undefined;
  }

  count(status: LayerProgress['status']): number {
    return [...this.layers.values()].filter((l) => l.status === status).length;
  }

  /** Bytes done / total over all layers, for a single progress figure. */
  fraction(): number {
    let done = 0;
    let total = 0;
    for (const l of this.layers.values()) {
      if (l.status === 'pushed' || l.status === 'exists') {
        done += 1;
        total += 1;
      } else {
        total += 1;
        if (l.total) done += Math.min(1, (l.current ?? 0) / l.total);
      }
    }
    return total ? done / total : 0;
  }
}

const authPattern = /unauthorized|authentication required|no basic auth credentials|denied|\b40[13]\b|forbidden/i;
const transientPattern =
  /\b50[0234]\b|service unavailable|bad gateway|gateway time-?out|internal server error|connection reset|reset by peer|broken pipe|\bEOF\b|i\/o timeout|timeout|timed out|connection refused|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|server closed|unexpected EOF|TLS handshake/i;

/** Turns an engine/transport error message into the PushError the retry loop and the UI understand. */
export function classifyPushError(message: string, registry: string): PushError {
  if (/does not exist locally|no such image|An image does not exist/i.test(message)) {
    return new PushError(`The image to push does not exist locally (${message}). Build it first.`, 'notFound');
  }
  if (authPattern.test(message)) return new RegistryAuthError(registry, message);
  if (transientPattern.test(message))
    return new PushError(`Transient failure talking to ${registry}: ${message}`, 'transient');
  return new PushError(`Push to ${registry} failed: ${message}`, 'failed');
}
