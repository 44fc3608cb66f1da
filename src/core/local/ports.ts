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

export async function nextFreePort(
  from: number,
  max = 100,
  isFree: (p: number) => Promise<boolean> = isPortFree,
): Promise<number | undefined> {
  for (let p = from; p < from + max && p < 65536; p++) if (await isFree(p)) return p;
  return undefined;
}

/**
 * Free ports among a fixed set of taken ones, handed out lowest first and never twice. "Next free from p" jumps
 * over runs of taken ports through a path-compressed successor table (union-find), so suggesting ports for n
 * clashing instances costs about n steps, not n times the length of the taken run.
 */
export class PortAllocator {
  private readonly next = new Map<number, number>();

  constructor(
    taken: Iterable<number>,
    private readonly max = 65535,
  ) {
    for (const p of taken) this.take(p);
  }

  /** The lowest port >= from that is neither taken nor handed out, now handed out; undefined past `max`. */
  allocate(from: number): number | undefined {
    const p = this.find(from);
    if (p > this.max) return undefined;
    this.take(p);
    return p;
  }

  private take(p: number): void {
    this.next.set(p, p + 1);
  }

  private find(p: number): number {
    let root = p;
    for (let n = this.next.get(root); n !== undefined; n = this.next.get(root)) root = n;
    // Path compression: every port passed now points straight at the free one.
    while (p !== root) {
      const n = this.next.get(p)!;
      this.next.set(p, root);
      p = n;
    }
    return root;
  }
}
