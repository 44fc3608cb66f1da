import * as http from 'node:http';
import * as https from 'node:https';

// One HTTP probe: GET with a hard timeout (default 5 s). 2xx = up. Never throws: the result says why not.

export interface ProbeResult {
  url: string;
  ok: boolean;
  status?: number;
  /** Round trip in ms. */
  ms: number;
  error?: string;
}

export const PROBE_TIMEOUT_MS = 5000;

export function probe(url: string, timeoutMs = PROBE_TIMEOUT_MS, signal?: AbortSignal): Promise<ProbeResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Omit<ProbeResult, 'url' | 'ms'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve({ url, ms: Math.round((performance.now() - t0) * 10) / 10, ...r });
    };
    const lib = url.startsWith('https:') ? https : http;
    // A fresh connection each time: a keep-alive socket to a restarted container would lie.
    const req = lib.get(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      finish({
        ok: status >= 200 && status < 300,
        status,
        error: status >= 200 && status < 300 ? undefined : `HTTP ${status}`,
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ ok: false, error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    const onAbort = () => {
      req.destroy();
      finish({ ok: false, error: 'cancelled' });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, error: e.code ?? e.message }));
  });
}
