import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CredentialChain, StoredCredentials } from '../../../../src/core/credentials/stored';
import { MemorySecretStore } from '../../../support/memorySecretStore';
import { CredentialRedactor } from '../../../../src/core/credentials/redact';
import { secretKeys } from '../../../../src/core/credentials/types';
import { DockerConfigCredentials, credentialHelperGet } from '../../../../src/providers/registry/dockerConfig';

describe('credentials', () => {
  let dir: string;
  let savedPath: string | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hd-cred-'));
    savedPath = process.env.PATH;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A real credential helper program speaking the docker-credential-helpers protocol. */
  function installHelper(name: string, secret: string) {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    const file = path.join(bin, `docker-credential-${name}`);
    // Reads the server URL on stdin; records the argv it got so the test can check no secret was passed there.
    fs.writeFileSync(
      file,
      `#!/bin/sh\necho "$@" >> "${dir}/argv.log"\nread server\nif [ "$1" = get ] && [ "$server" = "registry.example.com" ]; then printf '{"ServerURL":"%s","Username":"helper-user","Secret":"${secret}"}' "$server"; else echo "credentials not found in native keychain"; exit 1; fi\n`,
      { mode: 0o755 },
    );
    process.env.PATH = `${bin}:${savedPath}`;
  }

  it('reads a credential helper (stdin protocol, argument array)', async () => {
    installHelper('hdtest', 's3cr3t-from-helper');
    const c = await credentialHelperGet('hdtest', 'registry.example.com');
    assert.deepEqual(c, { username: 'helper-user', secret: 's3cr3t-from-helper', source: 'credential helper hdtest' });
    assert.equal(await credentialHelperGet('hdtest', 'other.example.com'), undefined);
    assert.equal(fs.readFileSync(path.join(dir, 'argv.log'), 'utf8').trim(), 'get\nget');
  });

  it('a missing helper program means no credential, a bad helper name is refused', async () => {
    assert.equal(await credentialHelperGet('surely-not-installed-hd', 'x'), undefined);
    await assert.rejects(credentialHelperGet('../../bin/sh', 'x'), /Invalid credential helper name/);
  });

  it('docker config: credHelpers, then auths', async () => {
    installHelper('hdtest', 'helper-secret');
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        credHelpers: { 'registry.example.com': 'hdtest' },
        auths: {
          'plain.example.com': { auth: Buffer.from('bob:pa:ss').toString('base64') },
          'https://index.docker.io/v1/': { identitytoken: 'idtok' },
        },
      }),
    );
    const src = new DockerConfigCredentials(dir);
    assert.equal((await src.get('registry.example.com'))?.secret, 'helper-secret');
    assert.deepEqual(await src.get('plain.example.com'), { username: 'bob', secret: 'pa:ss', source: 'docker config' });
    assert.deepEqual(await src.get('docker.io'), { username: '<token>', secret: 'idtok', source: 'docker config' });
    assert.equal(await src.get('nothing.example.com'), undefined);
    assert.equal(await new DockerConfigCredentials(path.join(dir, 'missing')).get('x'), undefined);
  });

  it('stored credentials: asked once, kept in the secret store, deleted on invalidate', async () => {
    const store = new MemorySecretStore();
    let asked = 0;
    const src = new StoredCredentials(store, async () => (asked++, { username: 'u', secret: 'p' }));
    assert.equal((await src.get('r.example.com'))?.secret, 'p');
    assert.equal((await src.get('r.example.com'))?.secret, 'p');
    assert.equal(asked, 1);
    assert.ok(store.values.has(secretKeys.registry('r.example.com')));
    await src.invalidate('r.example.com');
    assert.equal(store.values.size, 0);
  });

  it('chain: first source with a credential wins, invalidate reaches only that source', async () => {
    const store = new MemorySecretStore();
    await new StoredCredentials(store).save('r', 'u', 'stored');
    const calls: string[] = [];
    const first = { name: 'a', get: async () => undefined, invalidate: async () => void calls.push('a') };
    const chain = new CredentialChain([first, new StoredCredentials(store)]);
    assert.equal((await chain.get('r'))?.secret, 'stored');
    await chain.invalidate('r');
    assert.deepEqual(calls, []);
    assert.equal(store.values.size, 0);
  });

  it('redactor removes known secrets, their base64 and auth-looking values', () => {
    const r = new CredentialRedactor();
    r.add('hunter2-canary');
    assert.equal(r.redact('pw hunter2-canary!'), 'pw ***!');
    assert.equal(r.redact(Buffer.from('hunter2-canary').toString('base64')), '***');
    assert.equal(r.redact('Authorization: Bearer abc.def'), 'Authorization: Bearer ***');
    assert.equal(r.redact('{"password":"zzz"}'), '{"password":"***"}');
  });
});
