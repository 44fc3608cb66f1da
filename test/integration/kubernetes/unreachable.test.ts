import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { harness, readFixture } from './harness';
import { renderManifests } from '../../../src/core/kubernetes/render';
import { planObjects } from '../../../src/core/kubernetes/deploy';
import { KubeError } from '../../../src/core/kubernetes/cluster';
import { loadKubeconfig, forContext } from '../../../src/providers/kubernetes/kubeconfig';
import { ClientNodeCluster } from '../../../src/providers/kubernetes/client';

function kubeconfigFor(server: string, dir: string, token?: string): string {
  const file = path.join(dir, 'kubeconfig');
  fs.writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: token ? { token } : {} }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    }),
  );
  return file;
}

function clusterFrom(file: string, timeoutMs: number): ClientNodeCluster {
  const access = loadKubeconfig({ file });
  if (access.state !== 'ok') throw new Error(access.message);
  return new ClientNodeCluster(forContext(access, undefined), { timeoutMs });
}

const desired = () =>
  renderManifests({
    files: readFixture('app'),
    namespace: 'default',
    environment: 'staging',
    image: 'helixdb/helix:1.0',
  });
const planOpts = () => ({
  context: 'c',
  namespace: 'default',
  environment: 'staging',
  signal: new AbortController().signal,
  log: () => {},
});

describe('kubernetes: unreachable cluster, silent cluster, expired credential, missing kubeconfig', function () {
  this.timeout(15000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helix-k8s-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a refused connection is an "unreachable" error naming the context and server', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r)); // nothing listens there any more
    const cluster = clusterFrom(kubeconfigFor(`http://127.0.0.1:${port}`, dir), 2000);
    await assert.rejects(planObjects(cluster, desired(), planOpts()), (e: unknown) => {
      assert.ok(e instanceof KubeError);
      assert.equal(e.kind, 'unreachable', e.message);
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}|ECONNREFUSED`));
      return true;
    });
  });

  it('a cluster that accepts connections but never answers times out instead of hanging', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const cluster = clusterFrom(kubeconfigFor(`http://127.0.0.1:${port}`, dir), 500);
      const t0 = Date.now();
      await assert.rejects(
        planObjects(cluster, desired(), planOpts()),
        (e: unknown) => e instanceof KubeError && e.kind === 'timeout' && /did not answer within/.test(e.message),
      );
      assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => silent.close(r));
    }
  });

  it('an expired token is an "unauthorized" error telling to log in again', async () => {
    const h = await harness({ token: 'expired-token' });
    try {
      const cluster = clusterFrom(kubeconfigFor(h.server.url, dir, 'old-token'), 2000);
      await assert.rejects(
        planObjects(cluster, desired(), planOpts()),
        (e: unknown) => e instanceof KubeError && e.kind === 'unauthorized' && /credentials .* expired/.test(e.message),
      );
    } finally {
      await h.close();
    }
  });

  it('exec credential plugins work through the client library (token from an ExecCredential)', async () => {
    const h = await harness({ token: 'exec-token' });
    try {
      const file = path.join(dir, 'exec-kubeconfig');
      const credential = JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        kind: 'ExecCredential',
        status: { token: 'exec-token' },
      });
      fs.writeFileSync(
        file,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          'current-context': 'c',
          clusters: [{ name: 'c', cluster: { server: h.server.url, 'insecure-skip-tls-verify': true } }],
          users: [
            {
              name: 'u',
              user: {
                exec: {
                  apiVersion: 'client.authentication.k8s.io/v1beta1',
                  command: process.execPath,
                  args: ['-e', `process.stdout.write(${JSON.stringify(credential)})`],
                  interactiveMode: 'Never',
                },
              },
            },
          ],
          contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
        }),
      );
      const cluster = clusterFrom(file, 5000);
      const r = await cluster.list('v1', 'Namespace', undefined);
      assert.ok(r.items.some((n) => n.metadata.name === 'default'));
    } finally {
      await h.close();
    }
  });

  it('a missing kubeconfig is a state with a message, not an exception', () => {
    const access = loadKubeconfig({ env: { KUBECONFIG: path.join(dir, 'nope') } });
    assert.equal(access.state, 'missing');
    assert.match((access as any).message, /No kubeconfig found/);
    fs.writeFileSync(path.join(dir, 'bad'), 'this: [is not a kubeconfig');
    const bad = loadKubeconfig({ file: path.join(dir, 'bad') });
    assert.equal(bad.state, 'invalid');
  });
});
