import * as net from 'node:net';

// Port clash handling like the CLI: check the host port, and on a clash fall forward (at most 100 ports).

/** True when nothing listens on the port (checked by binding it on all interfaces, as docker would). */
export function isPortFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export async function nextFreePort(from: number, max = 100, isFree: (p: number) => Promise<boolean> = isPortFree): Promise<number | undefined> {
  for (let p = from; p < from + max && p < 65536; p++) if (await isFree(p)) return p;
  return undefined;
}
