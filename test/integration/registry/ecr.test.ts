import { strict as assert } from 'node:assert';
import Docker from 'dockerode';
import { pushImage } from '../../../src/core/push/pushImage';
import { parseReference } from '../../../src/core/push/reference';
import { EcrCredentials } from '../../../src/providers/registry/ecr';
import { EnginePusher } from '../../../src/providers/registry/enginePusher';
import { startEcrStandIn, type EcrStandIn } from '../../support/ecrServer';
import { resentConfirmedBlobs, startFaultProxy, type FaultProxy } from '../../support/faultProxy';
import {
  buildTestImage,
  removeTestImage,
  registryDigest,
  startRegistry,
  testDockerSocket,
  type TestRegistry,
} from '../../support/registry';

// ECR cannot be reached from here: the ECR API is a local stand-in speaking its JSON 1.1 protocol (the
// real AWS SDK client talks to it), and the registry is the real distribution server behind a gate
// that accepts only live tokens issued by the stand-in.

const testKeys = { accessKeyId: 'AKIAHELIXTEST', secretAccessKey: 'helix-test-secret-key' };

describe('ECR: token from the AWS SDK, refreshed, and a token that expires mid-push', function () {
  this.timeout(120_000);
  const docker = new Docker({ socketPath: testDockerSocket() });
  const image = `hd-ecr-src-${process.pid}:1`;
  let reg: TestRegistry;
  let ecr: EcrStandIn;
  let gate: FaultProxy;

  before(async () => {
    await buildTestImage(docker, image, 3);
    reg = await startRegistry();
  });
  beforeEach(async () => {
    ecr = await startEcrStandIn({ proxyEndpoint: 'https://123456789012.dkr.ecr.us-west-2.amazonaws.com' });
  });
  afterEach(async () => {
    await gate?.stop();
    await ecr.stop();
  });
  after(async () => {
    await reg.stop();
    await removeTestImage(docker, image);
  });

  it('gets a signed token and reuses it until shortly before it expires', async () => {
    let now = Date.now();
    const src = new EcrCredentials({
      region: 'us-west-2',
      endpoint: ecr.endpoint,
      credentials: testKeys,
      now: () => now,
    });
    const a = await src.get('x');
    assert.equal(a?.username, 'AWS');
    assert.equal(a?.secret, ecr.issued[0].password);
    assert.match(
      ecr.calls[0].authorization,
      /^AWS4-HMAC-SHA256 Credential=AKIAHELIXTEST\/\d+\/us-west-2\/ecr\/aws4_request/,
    );
    assert.equal(await src.registryHost(), '123456789012.dkr.ecr.us-west-2.amazonaws.com');
    await src.get('x');
    assert.equal(ecr.issued.length, 1, 'cached while valid');
    now += 12 * 3600_000 - 4 * 60_000; // inside the 5-minute refresh margin
    assert.notEqual((await src.get('x'))?.secret, a?.secret);
    assert.equal(ecr.issued.length, 2);
    src.dispose();
  });

  it('bad AWS credentials: a clear error naming the fix', async () => {
    await ecr.stop();
    const src = new EcrCredentials({ region: 'us-west-2', endpoint: 'http://127.0.0.1:1', credentials: testKeys });
    await assert.rejects(src.get('x'), /Could not get an ECR login token in us-west-2: .*Check your AWS credentials/);
    ecr = await startEcrStandIn({ proxyEndpoint: 'https://x' });
  });

  it('pushes with the token; when it expires mid-push, refreshes it and finishes without re-sending confirmed layers', async () => {
    let expired = false;
    gate = await startFaultProxy({
      upstream: reg.host,
      rate: 0,
      authorize: (h) => ecr.authorize(h),
      onRequest: (req) => {
        // The first blob upload that completes ends the first token's life.
        if (!expired && req.method === 'PUT' && /blobs\/uploads/.test(req.url ?? '') && ecr.issued.length === 1) {
          req.on('end', () => setTimeout(() => (ecr.issued[0].revoked = expired = true), 0));
        }
      },
    });
    const src = new EcrCredentials({ region: 'us-west-2', endpoint: ecr.endpoint, credentials: testKeys });
    const t0 = Date.now();
    const result = await pushImage(new EnginePusher(docker), {
      source: image,
      ref: parseReference(`${gate.host}/helix-demo-staging:demo-staging-abc1234`),
      credentials: src,
      policy: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 },
    });
    assert.ok(expired, 'the token expired during the push');
    assert.ok(
      Date.now() - t0 < 15_000,
      `the expiry was noticed quickly (not after the engine's minute of retries): ${Date.now() - t0} ms`,
    );
    assert.equal(ecr.issued.length, 2, 'one refresh');
    assert.ok(result.attempts >= 2);
    assert.ok(
      gate.records.some((r) => r.status === 401),
      'the registry refused the expired token',
    );
    assert.equal(await registryDigest(reg.host, 'helix-demo-staging', 'demo-staging-abc1234'), result.digest);
    assert.deepEqual(resentConfirmedBlobs(gate.records), []);
    src.dispose();
  });
});
