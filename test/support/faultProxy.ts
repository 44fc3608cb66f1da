import * as http from 'node:http';
import type * as net from 'node:net';

// A reverse proxy of ours in front of a test registry that injects the failures a bad network and a
// struggling registry produce: dropped connections, 503 answers and slow (trickled) bodies.
// Faults are random at `rate` but bounded by `maxFaults`, so every test terminates, and at least `minFaults`.

export type Fault = 'drop' | '503' | 'slow';

export interface FaultProxyOptions {
  /** host:port of the registry behind the proxy. */
  upstream: string;
  /** Probability (0..1) that a request gets a fault. */
  rate: number;
  kinds?: Fault[];
  maxFaults?: number;
  /** Until this many faults were injected, every other matching request gets one, whatever the dice say. */
  minFaults?: number;
  /** Only requests matching this get faults (default: all of /v2/ except the ping). */
  match?: (req: http.IncomingMessage) => boolean;
  /** Seeded randomness keeps a failing run reproducible. */
  seed?: number;
  /** Registry auth gate (e.g. the ECR stand-in's token check): false answers 401 with a Basic challenge. */
  authorize?: (authorization: string | undefined) => boolean;
  /** Sees every request before anything else (tests use it to expire a token mid-push). */
  onRequest?: (req: http.IncomingMessage) => void;
}

export interface ProxyRecord {
  method: string;
  url: string;
  status: number;
  fault?: Fault;
}

export interface FaultProxy {
  host: string;
  records: ProxyRecord[];
  faults: number;
  stop(): Promise<void>;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const random = rng(opts.seed ?? Date.now());
  const kinds = opts.kinds ?? ['drop', '503', 'slow'];
  const maxFaults = opts.maxFaults ?? 50;
  const match = opts.match ?? ((req) => req.url !== '/v2/' && (req.url ?? '').startsWith('/v2/'));
  const [upHost, upPort] = opts.upstream.split(':');
  const sockets = new Set<net.Socket>();
  const state: FaultProxy = { host: '', records: [], faults: 0, stop: async () => {} };
  let matched = 0;

  const server = http.createServer((req, res) => {
    opts.onRequest?.(req);
    if (opts.authorize && !opts.authorize(req.headers.authorization)) {
      state.records.push({ method: req.method ?? '', url: req.url ?? '', status: 401 });
      req.resume();
      res.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': 'Basic realm="helix-test"',
        'docker-distribution-api-version': 'registry/2.0',
      });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    let fault: Fault | undefined;
    if (state.faults < maxFaults && match(req)) {
      matched++;
      // A seed that rolls few faults must not make a run that proves nothing.
      const forced = state.faults < (opts.minFaults ?? 0) && matched % 2 === 0;
      if (forced || random() < opts.rate) {
        fault = kinds[Math.floor(random() * kinds.length)];
        state.faults++;
      }
    }
    const record: ProxyRecord = { method: req.method ?? '', url: req.url ?? '', status: 0, fault };
    state.records.push(record);
    if (fault === 'drop') {
      // Read part of the body first, as a reset in the middle of an upload looks.
      req.once('data', () => req.socket.destroy());
      req.once('end', () => req.socket.destroy());
      setTimeout(() => req.socket.destroy(), 50);
      return;
    }
    if (fault === '503') {
      record.status = 503;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json', connection: 'close' });
      res.end('{"errors":[{"code":"UNAVAILABLE","message":"service unavailable (injected)"}]}');
      return;
    }
    const up = http.request(
      { host: upHost, port: Number(upPort), method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        record.status = upRes.statusCode ?? 0;
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        if (fault === 'slow') trickle(upRes, res);
        else upRes.pipe(res);
      },
    );
    up.on('error', () => req.socket.destroy());
    if (fault === 'slow') trickle(req, up);
    else req.pipe(up);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  state.stop = () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}

/** Forwards a body with pauses between chunks: a slow link, not a broken one. */
function trickle(from: NodeJS.ReadableStream, to: NodeJS.WritableStream): void {
  from.on('data', (chunk: Buffer) => {
    from.pause();
    to.write(chunk);
    setTimeout(() => from.resume(), 5);
  });
  from.on('end', () => to.end());
}

/**
 * Blobs sent again needlessly: after the registry confirmed them (PUT ...?digest= answered 201 and the
 * client's verifying HEAD answered 200) and with every later existence check (HEAD) for that blob
 * answered. A blob whose check we broke may be re-sent: the client cannot know it is there.
 */
export function resentConfirmedBlobs(records: ProxyRecord[]): string[] {
  const confirmed = new Set<string>();
  const pending = new Set<string>();
  const unverifiable = new Set<string>();
  const resent: string[] = [];
  for (const r of records) {
    const put = /[?&]digest=([^&]+)/.exec(r.url)?.[1];
    if (r.method === 'PUT' && put && r.status === 201) {
      const d = decodeURIComponent(put);
      if (confirmed.has(d) && !unverifiable.has(d)) resent.push(d);
      unverifiable.delete(d);
      pending.add(d);
    }
    const head = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(r.url)?.[1];
    if (r.method === 'HEAD' && head) {
      if (r.fault) unverifiable.add(head);
      else if (r.status === 200 && pending.delete(head)) confirmed.add(head);
    }
  }
  return resent;
}
