import { strict as assert } from 'node:assert';
import { parseReference, formatReference, pushTag } from '../../../../src/core/push/reference';
import { registryKind, ecrRegion } from '../../../../src/core/push/registryKind';
import { backoffDelay } from '../../../../src/core/push/retry';
import { classifyPushError, PushProgress } from '../../../../src/core/push/progress';
import { RegistryAuthError } from '../../../../src/core/push/types';
import { flyAppName, pushRepository, sourceImage } from '../../../../src/core/push/target';
import type { Environment, Project } from '../../../../src/core/model/types';

describe('push: references and tags', () => {
  it('parses references like the docker CLI', () => {
    assert.deepEqual(parseReference('ghcr.io/acme/helixdb'), {
      registry: 'ghcr.io',
      repository: 'acme/helixdb',
      tag: 'latest',
    });
    assert.deepEqual(parseReference('127.0.0.1:5000/a/b:v1'), {
      registry: '127.0.0.1:5000',
      repository: 'a/b',
      tag: 'v1',
    });
    assert.deepEqual(parseReference('acme/app:2'), { registry: 'docker.io', repository: 'acme/app', tag: '2' });
    assert.deepEqual(parseReference('nginx'), { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' });
    assert.equal(formatReference(parseReference('localhost:5000/x:y')), 'localhost:5000/x:y');
  });
  it('rejects bad references with a clear message', () => {
    assert.throws(() => parseReference('https://ghcr.io/acme'), /not an image reference/);
    assert.throws(() => parseReference('ghcr.io/Acme/App'), /not a valid repository name/);
    assert.throws(() => parseReference('ghcr.io/acme/app:bad tag'), /not an image reference/);
  });
  it('tags with project, environment and commit', () => {
    assert.equal(pushTag('demo', 'staging', '0123456789abcdef'), 'demo-staging-0123456');
    assert.equal(pushTag('My App', 'prod/eu', 'abcdef0123', true), 'my-app-prod-eu-abcdef0-dirty');
    assert.equal(pushTag('demo', 'dev'), 'demo-dev');
    assert.ok(pushTag('x'.repeat(200), 'dev', 'abc').length <= 128);
  });
});

describe('push: registry kind detection', () => {
  const cases: [string, string][] = [
    ['docker.io', 'dockerhub'],
    ['index.docker.io', 'dockerhub'],
    ['ghcr.io', 'ghcr'],
    ['123456789012.dkr.ecr.us-west-2.amazonaws.com', 'ecr'],
    ['europe-west1-docker.pkg.dev', 'gar'],
    ['gcr.io', 'gar'],
    ['eu.gcr.io', 'gar'],
    ['acme.azurecr.io', 'acr'],
    ['registry.fly.io', 'fly'],
    ['127.0.0.1:5000', 'oci'],
    ['registry.example.com', 'oci'],
  ];
  for (const [host, kind] of cases) it(`${host} -> ${kind}`, () => assert.equal(registryKind(host), kind));
  it('finds the ECR region', () =>
    assert.equal(ecrRegion('123456789012.dkr.ecr.eu-west-1.amazonaws.com'), 'eu-west-1'));
});

describe('push: retry backoff', () => {
  const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  it('grows exponentially, jittered, capped, never zero', () => {
    assert.equal(
      backoffDelay(policy, 1, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(policy, 1, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(policy, 3, () => 1),
      400,
    );
    assert.equal(
      backoffDelay(policy, 10, () => 1),
      1000,
    );
    assert.equal(
      backoffDelay(policy, 10, () => 0),
      500,
    );
  });
});

describe('push: engine progress and errors', () => {
  it('tracks layers, byte progress and the digest', () => {
    const p = new PushProgress();
    p.accept({ status: 'The push refers to repository [127.0.0.1:5000/a]' });
    p.accept({ status: 'Preparing', id: 'l1', progressDetail: {} });
    p.accept({ status: 'Pushing', id: 'l1', progressDetail: { current: 50, total: 100 } });
    p.accept({ status: 'Layer already exists', id: 'l2', progressDetail: {} });
    assert.equal(p.fraction(), 0.75);
    p.accept({ status: 'Pushed', id: 'l1', progressDetail: {} });
    p.accept({ status: '1: digest: sha256:' + 'a'.repeat(64) + ' size: 527' });
    assert.equal(p.digest, 'sha256:' + 'a'.repeat(64));
    assert.equal(p.count('pushed'), 1);
    assert.equal(p.count('exists'), 1);
  });
  it('records an engine error', () => {
    const p = new PushProgress();
    p.accept({
      errorDetail: { message: 'unauthorized: authentication required' },
      error: 'unauthorized: authentication required',
    });
    assert.equal(p.error, 'unauthorized: authentication required');
  });
  it('classifies auth, transient, missing image and other failures', () => {
    assert.ok(classifyPushError('unauthorized: authentication required', 'r') instanceof RegistryAuthError);
    assert.ok(
      classifyPushError('denied: requested access to the resource is denied', 'r') instanceof RegistryAuthError,
    );
    assert.equal(classifyPushError('received unexpected HTTP status: 503 Service Unavailable', 'r').kind, 'transient');
    assert.equal(classifyPushError('Patch "http://x/v2/a/blobs/uploads/1": EOF', 'r').kind, 'transient');
    assert.equal(
      classifyPushError('read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer', 'r').kind,
      'transient',
    );
    assert.equal(classifyPushError('net/http: TLS handshake timeout', 'r').kind, 'transient');
    assert.equal(classifyPushError('An image does not exist locally with the tag: x', 'r').kind, 'notFound');
    assert.equal(classifyPushError('manifest invalid', 'r').kind, 'failed');
  });
});

describe('push: targets of environments', () => {
  const env = (e: Partial<Environment>): Environment => ({
    name: 'staging',
    kind: 'registry',
    source: 'helix.deploy.toml',
    settings: {},
    ...e,
  });
  const project: Project = {
    name: 'demo',
    dir: '/p',
    configFile: '/p/helix.toml',
    generation: 'v3.1',
    containerRuntime: 'docker',
    errorCount: 0,
    environments: [
      env({ name: 'dev', kind: 'local', source: 'helix.toml', image: 'ghcr.io/helixdb/helixdb', tag: 'v0.0.4' }),
    ],
  };
  it('helix.deploy.toml registry environment', () => {
    const e = env({ settings: { registry: 'ghcr.io/acme/helixdb', instance: 'dev' } });
    assert.deepEqual(pushRepository(project, e), { registry: 'ghcr.io', repository: 'acme/helixdb', tag: 'latest' });
    assert.equal(sourceImage(project, e), 'ghcr.io/helixdb/helixdb:v0.0.4');
  });
  it('v2 ECR environment with and without registry_url', () => {
    const e = env({
      name: 'staging',
      kind: 'ecr',
      source: 'helix.toml',
      settings: {
        repository_name: 'helix-repo',
        region: 'us-west-2',
        registry_url: '123456789012.dkr.ecr.us-west-2.amazonaws.com',
      },
    });
    assert.equal(
      formatReference(pushRepository(project, e), false),
      '123456789012.dkr.ecr.us-west-2.amazonaws.com/helix-repo',
    );
    const noUrl = env({ kind: 'ecr', settings: { region: 'us-west-2' } });
    assert.throws(() => pushRepository(project, noUrl), /no registry_url/);
    assert.equal(
      formatReference(pushRepository(project, noUrl, '1.dkr.ecr.x.amazonaws.com'), false),
      '1.dkr.ecr.x.amazonaws.com/helix-demo-staging',
    );
    assert.equal(sourceImage(project, noUrl), 'helix-demo-staging:latest');
  });
  it('v2 Fly environment uses the CLI app name', () => {
    assert.equal(flyAppName('my_proj', 'production'), 'helix-my-proj-production');
    assert.equal(flyAppName('a'.repeat(40), 'prod').length, 32);
    const e = env({ name: 'prod', kind: 'fly', source: 'helix.toml', settings: {} });
    assert.equal(formatReference(pushRepository(project, e), false), 'registry.fly.io/helix-demo-prod');
  });
});
