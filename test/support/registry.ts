import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { poll } from './poll';

// Starts a real registry (Debian's docker-registry, CNCF distribution v2.8) on 127.0.0.1 for one test
// suite: plain HTTP, htpasswd basic auth, and/or TLS with a throwaway self-signed certificate.

export interface RegistryOptions {
  /** htpasswd users: name -> password (bcrypt-hashed with `htpasswd -Bi`, the password goes through stdin). */
  users?: Record<string, string>;
  tls?: boolean;
}

export interface TestRegistry {
  /** host:port */
  host: string;
  port: number;
  dir: string;
  /** PEM of the self-signed certificate (its own CA) when tls. */
  ca?: string;
  stop(): Promise<void>;
}

export function tmpRoot(): string {
  const base = process.env.HELIX_TEST_TMP ?? os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, 'hd-reg-'));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = tmpRoot();
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log: { level: warn }',
    `storage: { filesystem: { rootdirectory: ${dir}/data }, delete: { enabled: true } }`,
  ];
  let ca: string | undefined;
  let tls = '';
  if (opts.tls) {
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${dir}/key.pem`,
        '-out',
        `${dir}/cert.pem`,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'pipe' },
    );
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    ca = fs.readFileSync(`${dir}/cert.pem`, 'utf8');
    tls = `, tls: { certificate: ${dir}/cert.pem, key: ${dir}/key.pem }`;
  }
  lines.push(`http: { addr: 127.0.0.1:${port}, secret: test-secret${tls} }`);
  if (opts.users) {
    const entries: string[] = [];
    for (const [user, pass] of Object.entries(opts.users)) {
      const r = spawnSync('htpasswd', ['-nBi', user], { input: pass, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
      entries.push(r.stdout.trim());
    }
    fs.writeFileSync(`${dir}/htpasswd`, entries.join('\n') + '\n');
    lines.push(`auth: { htpasswd: { realm: helix-test, path: ${dir}/htpasswd } }`);
  }
  fs.writeFileSync(`${dir}/config.yml`, lines.join('\n') + '\n');
  const child: ChildProcess = spawn('docker-registry', ['serve', `${dir}/config.yml`], {
    stdio: ['ignore', 'ignore', fs.openSync(`${dir}/registry.log`, 'a')],
  });
  const host = `127.0.0.1:${port}`;
  await waitReady(host, !!opts.tls, child, dir);
  return {
    host,
    port,
    dir,
    ca,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitReady(host: string, tls: boolean, child: ChildProcess, dir: string): Promise<void> {
  await poll(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`docker-registry exited: ${fs.readFileSync(`${dir}/registry.log`, 'utf8')}`);
      const status = await new Promise<number>((resolve) => {
        const mod = tls ? https : http;
        const req = mod.get(`${tls ? 'https' : 'http'}://${host}/v2/`, { rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => resolve(0));
      });
      return status === 200 || status === 401;
    },
    { what: `the registry on ${host} to answer`, timeoutMs: 10_000, intervalMs: 100 },
  );
}

/** The digest the registry serves for repo:tag (what `docker pull` would get), via the v2 API. */
export async function registryDigest(
  host: string,
  repository: string,
  tag: string,
  auth?: { user: string; pass: string },
  tls?: { ca?: string },
): Promise<string | undefined> {
  const headers: Record<string, string> = {
    accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
  };
  if (auth) headers.authorization = 'Basic ' + Buffer.from(`${auth.user}:${auth.pass}`).toString('base64');
  return new Promise((resolve, reject) => {
    const mod = tls ? https : http;
    const req = mod.request(
      `${tls ? 'https' : 'http'}://${host}/v2/${repository}/manifests/${tag}`,
      { method: 'HEAD', headers, ca: tls?.ca },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200 ? String(res.headers['docker-content-digest']) : undefined);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The engine under test: DOCKER_HOST must name a private engine (fails loudly otherwise). */
export function testDockerSocket(): string {
  const h = process.env.DOCKER_HOST;
  if (!h || !h.startsWith('unix://'))
    throw new Error('DOCKER_HOST=unix:///path/to/docker.sock must point at a private test engine');
  return h.slice('unix://'.length);
}

/**
 * Builds `FROM scratch` + static busybox (+ `extraMB` of random bytes in its own layer), since no image
 * can be pulled here. Random bytes: every build is a new image, so no test sees another's layers.
 */
export async function buildTestImage(docker: import('dockerode'), name: string, extraMB = 0): Promise<void> {
  const ctx = tmpRoot();
  try {
    fs.copyFileSync('/bin/busybox', path.join(ctx, 'busybox'));
    const lines = ['FROM scratch', 'COPY busybox /bin/busybox'];
    fs.writeFileSync(path.join(ctx, 'id.txt'), `${name} ${Date.now()} ${Math.random()}`);
    lines.push('COPY id.txt /id.txt');
    if (extraMB > 0) {
      const fd = fs.openSync(path.join(ctx, 'blob.bin'), 'w');
      for (let i = 0; i < extraMB; i++) fs.writeSync(fd, randomBytes(1024 * 1024));
      fs.closeSync(fd);
      lines.push('COPY blob.bin /blob.bin');
    }
    lines.push('ENTRYPOINT ["/bin/busybox"]');
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), lines.join('\n') + '\n');
    const stream = await docker.buildImage({ context: ctx, src: fs.readdirSync(ctx) }, { t: name });
    const out = await new Promise<any[]>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: any, res: any[]) => (err ? reject(err) : resolve(res))),
    );
    const error = out.find((m) => m.error);
    if (error) throw new Error(`build failed: ${error.error}`);
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
}

/** Removes a test image with every tag a push gave it (by id), so no test leaves images behind. */
export async function removeTestImage(docker: import('dockerode'), name: string): Promise<void> {
  try {
    const { Id } = await docker.getImage(name).inspect();
    await docker.getImage(Id).remove({ force: true });
  } catch {
    /* already gone */
  }
}
