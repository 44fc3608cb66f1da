import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DeployImage } from '../../src/core/engine/image';

// A successful push of an environment recorded in a project's run history, as `helix-deploy push` or
// Helix: Push Image records it: for tests whose subject is not the push, since `${image}` of an environment
// with a `registry` is the image last pushed for it (by digest).

export function recordedPush(
  dir: string,
  environment: string,
  repository = 'ghcr.io/acme/helixdb',
  project = 'demo',
  digest = `sha256:${'ab'.repeat(32)}`,
): DeployImage {
  const image: DeployImage = {
    ref: `${repository}@${digest}`,
    digest,
    repository,
    tag: `${project}-${environment}-abc1234`,
    pushedAt: new Date().toISOString(),
    commit: 'abc1234',
  };
  const id = `20200101000000-${Math.random().toString(16).slice(2, 10)}`;
  const at = new Date().toISOString();
  const run = {
    id,
    kind: 'push',
    project,
    projectDir: path.resolve(dir),
    environment,
    who: 'Test User',
    startedAt: at,
    updatedAt: at,
    state: 'Running',
    meta: { reference: `${repository}:${image.tag}` },
  };
  fs.mkdirSync(path.join(dir, '.helix'), { recursive: true });
  fs.appendFileSync(
    path.join(dir, '.helix', 'runs.jsonl'),
    `${JSON.stringify({ t: 'begin', run })}\n${JSON.stringify({ t: 'state', id, state: 'Succeeded', at, meta: { image, digest, tag: image.tag } })}\n`,
  );
  return image;
}
