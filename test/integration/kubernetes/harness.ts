import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startKubeServer, type KubeServer, type KubeServerOptions } from '../../support/kube-server';
import { loadKubeconfig, forContext } from '../../../src/providers/kubernetes/kubeconfig';
import { ClientNodeCluster } from '../../../src/providers/kubernetes/client';

// One stand-in API server plus a temp kubeconfig pointing at it (never ~/.kube), and a real client.

export interface Harness {
  server: KubeServer;
  dir: string;
  kubeconfig: string;
  cluster: ClientNodeCluster;
  close(): Promise<void>;
}

export async function harness(opts: KubeServerOptions & { timeoutMs?: number } = {}): Promise<Harness> {
  const server = await startKubeServer({ stepMs: 20, secondMs: 50, bookmarkMs: 200, ...opts });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helix-k8s-'));
  const kubeconfig = server.writeKubeconfig(path.join(dir, 'kubeconfig'), { token: opts.token });
  const access = loadKubeconfig({ file: kubeconfig });
  if (access.state !== 'ok') throw new Error(access.message);
  const cluster = new ClientNodeCluster(forContext(access, undefined), { timeoutMs: opts.timeoutMs ?? 5000 });
  return {
    server,
    dir,
    kubeconfig,
    cluster,
    async close() {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function readFixture(name: string): [string, string][] {
  const dir = path.join(__dirname, '../../fixtures/kubernetes', name);
  return fs
    .readdirSync(dir)
    .sort()
    .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]);
}

export function collector(): { lines: string[]; log(line: string): void } {
  const lines: string[] = [];
  return { lines, log: (l) => lines.push(l) };
}
