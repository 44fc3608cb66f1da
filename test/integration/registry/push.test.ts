import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { pushImage } from '../../../src/core/push/pushImage';
import { parseReference } from '../../../src/core/push/reference';
import { PushCancelledError, RegistryAuthError, type PushEvent } from '../../../src/core/push/types';
import { StoredCredentials } from '../../../src/core/credentials/stored';
import { MemorySecretStore } from '../../support/memorySecretStore';
import { DockerConfigCredentials } from '../../../src/providers/registry/dockerConfig';
import { EnginePusher } from '../../../src/providers/registry/enginePusher';
import {
  buildTestImage,
  removeTestImage,
  registryDigest,
  startRegistry,
  testDockerSocket,
  type TestRegistry,
} from '../../support/registry';

const none = { name: 'none', get: async () => undefined };

describe('push through the engine to a real registry', function () {
  this.timeout(120_000);
  const docker = new Docker({ socketPath: testDockerSocket() });
  const pusher = new EnginePusher(docker);
  const image = `hd-push-src-${process.pid}:1`;

  before(async () => {
    await docker.ping();
    await buildTestImage(docker, image, 2);
  });
  after(async () => {
    await removeTestImage(docker, image);
  });

  describe('plain registry', () => {
    let reg: TestRegistry;
    before(async () => (reg = await startRegistry()));
    after(() => reg.stop());

    it('pushes with per-layer progress and reports the digest the registry holds', async () => {
      const ref = parseReference(`${reg.host}/acme/helixdb:demo-dev-abc1234`);
      const events: PushEvent[] = [];
      const result = await pushImage(pusher, { source: image, ref, credentials: none, onEvent: (e) => events.push(e) });
      assert.match(result.digest, /^sha256:[a-f0-9]{64}$/);
      assert.equal(await registryDigest(reg.host, 'acme/helixdb', 'demo-dev-abc1234'), result.digest);
      const layerIds = new Set(events.flatMap((e) => (e.type === 'layer' ? [e.layer.id] : [])));
      assert.ok(layerIds.size >= 3, `expected progress for each of the 3 layers, got ${[...layerIds]}`);
      assert.ok(
        events.some((e) => e.type === 'layer' && e.layer.status === 'pushing' && e.layer.total! > 0),
        'byte progress reported',
      );
      assert.equal(result.layersPushed, 3);
      // A second push finds every layer in the registry.
      const again = await pushImage(pusher, { source: image, ref, credentials: none });
      assert.equal(again.digest, result.digest);
      assert.equal(again.layersExisting, 3);
      assert.equal(again.layersPushed, 0);
    });

    it('cancel stops the push and reports Cancelled', async () => {
      const ref = parseReference(`${reg.host}/acme/cancelled:1`);
      const ac = new AbortController();
      const p = pushImage(pusher, {
        source: image,
        ref,
        credentials: none,
        signal: ac.signal,
        onEvent: (e) => e.type === 'layer' && ac.abort(),
      });
      await assert.rejects(p, PushCancelledError);
      assert.equal(await registryDigest(reg.host, 'acme/cancelled', '1'), undefined);
    });

    it('a missing local image is a clear error', async () => {
      await assert.rejects(
        pushImage(pusher, {
          source: 'hd-does-not-exist:nope',
          ref: parseReference(`${reg.host}/x/y:1`),
          credentials: none,
        }),
        /does not exist locally|Build it first/,
      );
    });
  });

  describe('htpasswd registry', () => {
    let reg: TestRegistry;
    before(async () => (reg = await startRegistry({ users: { alice: 'right-horse-battery' } })));
    after(() => reg.stop());

    it('good credentials push', async () => {
      const store = new MemorySecretStore();
      const creds = new StoredCredentials(store, async () => ({ username: 'alice', secret: 'right-horse-battery' }));
      const result = await pushImage(pusher, {
        source: image,
        ref: parseReference(`${reg.host}/acme/auth:1`),
        credentials: creds,
      });
      assert.equal(
        await registryDigest(reg.host, 'acme/auth', '1', { user: 'alice', pass: 'right-horse-battery' }),
        result.digest,
      );
    });

    it('wrong credentials: asks again once, then a RegistryAuthError (re-login), not a stack trace', async () => {
      const reasons: string[] = [];
      const creds = new StoredCredentials(new MemorySecretStore(), async (_r, reason) => {
        reasons.push(reason);
        return { username: 'alice', secret: 'wrong' };
      });
      const err = await pushImage(pusher, {
        source: image,
        ref: parseReference(`${reg.host}/acme/auth:2`),
        credentials: creds,
      }).catch((e) => e);
      assert.ok(err instanceof RegistryAuthError, `got ${err}`);
      assert.match(err.message, /Sign in again/);
      assert.deepEqual(reasons, ['missing', 'rejected']);
    });

    it('no credentials: RegistryAuthError', async () => {
      await assert.rejects(
        pushImage(pusher, { source: image, ref: parseReference(`${reg.host}/acme/auth:3`), credentials: none }),
        RegistryAuthError,
      );
    });

    it('credentials from the Docker config: a credential helper (as gcloud, ecr-login, acr install them), then an auths entry (docker login)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hd-docker-config-'));
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      // The helper protocol: `get` with the server on stdin, JSON on stdout. It records what it was asked.
      writeFileSync(
        join(bin, 'docker-credential-hdtest'),
        `#!/bin/sh\nread server\necho "$1 $server" >> "${join(dir, 'asked')}"\necho '{"ServerURL":"'$server'","Username":"alice","Secret":"right-horse-battery"}'\n`,
        { mode: 0o755 },
      );
      const path0 = process.env.PATH;
      process.env.PATH = `${bin}:${path0}`;
      try {
        writeFileSync(join(dir, 'config.json'), JSON.stringify({ credHelpers: { [reg.host]: 'hdtest' } }));
        const viaHelper = await pushImage(pusher, {
          source: image,
          ref: parseReference(`${reg.host}/acme/helper:1`),
          credentials: new DockerConfigCredentials(dir),
        });
        assert.equal(
          await registryDigest(reg.host, 'acme/helper', '1', { user: 'alice', pass: 'right-horse-battery' }),
          viaHelper.digest,
        );
        assert.equal(readFileSync(join(dir, 'asked'), 'utf8').trim().split('\n')[0], `get ${reg.host}`);
        writeFileSync(
          join(dir, 'config.json'),
          JSON.stringify({
            auths: { [reg.host]: { auth: Buffer.from('alice:right-horse-battery').toString('base64') } },
          }),
        );
        const viaAuths = await pushImage(pusher, {
          source: image,
          ref: parseReference(`${reg.host}/acme/auths:1`),
          credentials: new DockerConfigCredentials(dir),
        });
        assert.equal(
          await registryDigest(reg.host, 'acme/auths', '1', { user: 'alice', pass: 'right-horse-battery' }),
          viaAuths.digest,
        );
      } finally {
        process.env.PATH = path0;
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('re-login after a refusal succeeds with the new answer', async () => {
      const answers = ['wrong', 'right-horse-battery'];
      const creds = new StoredCredentials(new MemorySecretStore(), async () => ({
        username: 'alice',
        secret: answers.shift()!,
      }));
      const result = await pushImage(pusher, {
        source: image,
        ref: parseReference(`${reg.host}/acme/auth:4`),
        credentials: creds,
      });
      assert.match(result.digest, /^sha256:/);
    });
  });

  describe('TLS + htpasswd registry (self-signed certificate)', () => {
    // The engine treats 127.0.0.0/8 as an insecure registry: it speaks TLS but does not verify the
    // certificate (placing our CA in the engine's certs.d would change the machine-wide /etc/docker).
    // The registry only serves HTTPS, so a push that lands proves the TLS path; the certificate itself
    // is verified at the HTTP-client level below (with the CA: accepted; without it: refused).
    let reg: TestRegistry;
    before(async () => (reg = await startRegistry({ users: { bob: 'tls-pass-123' }, tls: true })));
    after(() => reg.stop());

    it('pushes over TLS with good credentials; refuses wrong ones with a re-login error', async () => {
      const good = { name: 't', get: async () => ({ username: 'bob', secret: 'tls-pass-123', source: 'test' }) };
      const result = await pushImage(pusher, {
        source: image,
        ref: parseReference(`${reg.host}/acme/tls:1`),
        credentials: good,
      });
      assert.equal(
        await registryDigest(reg.host, 'acme/tls', '1', { user: 'bob', pass: 'tls-pass-123' }, { ca: reg.ca }),
        result.digest,
      );
      await assert.rejects(
        registryDigest(reg.host, 'acme/tls', '1', { user: 'bob', pass: 'tls-pass-123' }, {}),
        /self.signed certificate/i,
      );
      const bad = { name: 't', get: async () => ({ username: 'bob', secret: 'nope', source: 'test' }) };
      await assert.rejects(
        pushImage(pusher, { source: image, ref: parseReference(`${reg.host}/acme/tls:2`), credentials: bad }),
        RegistryAuthError,
      );
    });
  });
});
