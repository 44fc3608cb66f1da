import { strict as assert } from 'node:assert';
import Docker from 'dockerode';
import { pushImage } from '../../../src/core/push/pushImage';
import { parseReference } from '../../../src/core/push/reference';
import type { PushEvent } from '../../../src/core/push/types';
import { EnginePusher } from '../../../src/providers/registry/enginePusher';
import { resentConfirmedBlobs, startFaultProxy, type FaultProxy } from '../../support/faultProxy';
import {
  buildTestImage,
  removeTestImage,
  registryDigest,
  startRegistry,
  testDockerSocket,
  type TestRegistry,
} from '../../support/registry';

const none = { name: 'none', get: async () => undefined };
const fastPolicy = { attempts: 40, baseDelayMs: 50, maxDelayMs: 500 };

describe('push survives a bad network (fault-injecting proxy)', function () {
  this.timeout(180_000);
  const docker = new Docker({ socketPath: testDockerSocket() });
  const image = `hd-faults-src-${process.pid}:1`;
  let reg: TestRegistry;
  let proxy: FaultProxy | undefined;

  before(async () => {
    await buildTestImage(docker, image, 4);
    reg = await startRegistry();
  });
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });
  after(async () => {
    await reg.stop();
    await removeTestImage(docker, image);
  });

  for (const kinds of [['drop', '503', 'slow'], ['drop']] as const) {
    it(`completes under 30% injected failures (${kinds.join(', ')}) with the right digest, confirmed layers never re-sent needlessly`, async () => {
      const seed = Number(process.env.HELIX_FAULT_SEED) || Math.floor(Math.random() * 1e9);
      proxy = await startFaultProxy({
        upstream: reg.host,
        rate: 0.3,
        kinds: [...kinds],
        maxFaults: 15,
        minFaults: 3,
        seed,
      });
      const repo = `acme/faulty-${kinds.join('-')}`;
      const events: PushEvent[] = [];
      const result = await pushImage(new EnginePusher(docker), {
        source: image,
        ref: parseReference(`${proxy.host}/${repo}:1`),
        credentials: none,
        policy: fastPolicy,
        onEvent: (e) => events.push(e),
      });
      const ctx = `seed ${seed}, faults ${proxy.faults}, attempts ${result.attempts}`;
      assert.ok(proxy.faults >= 3, `too few faults injected to prove anything (${ctx})`);
      // The registry itself (not through the proxy) holds what we reported.
      assert.equal(await registryDigest(reg.host, repo, '1'), result.digest, ctx);
      // Once the registry confirmed a blob, no retry - ours or the engine's - sends it again.
      assert.deepEqual(resentConfirmedBlobs(proxy.records), [], ctx);
      if (result.attempts > 1)
        assert.ok(
          events.some((e) => e.type === 'attempt'),
          'retries are reported',
        );
    });
  }

  it('gives up with a clear transient error when failures persist', async () => {
    // Only the manifest fails: the engine does not retry that itself, so this measures our policy alone.
    proxy = await startFaultProxy({
      upstream: reg.host,
      rate: 1,
      kinds: ['503'],
      maxFaults: 1000,
      seed: 1,
      match: (r) => r.method === 'PUT' && /\/manifests\//.test(r.url ?? ''),
    });
    const err = await pushImage(new EnginePusher(docker), {
      source: image,
      ref: parseReference(`${proxy.host}/acme/always-503:1`),
      credentials: none,
      policy: { attempts: 3, baseDelayMs: 20, maxDelayMs: 50 },
    }).catch((e) => e);
    assert.equal(err?.kind, 'transient', String(err));
    assert.equal(
      proxy.records.filter((r) => r.method === 'PUT' && r.url.includes('/manifests/')).length,
      3,
      'one manifest PUT per attempt',
    );
    assert.match(err.message, /Transient failure talking to 127\.0\.0\.1:\d+/);
  });
});
