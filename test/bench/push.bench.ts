import Docker from 'dockerode';
import { run as spawnRun } from '../../src/core/process/spawn';
import { pushImage } from '../../src/core/push/pushImage';
import { parseReference } from '../../src/core/push/reference';
import { EnginePusher } from '../../src/providers/registry/enginePusher';
import { buildTestImage, registryDigest, removeTestImage, startRegistry, testDockerSocket } from '../support/registry';
import type { BenchResult } from './types';

// Push of a ~50 MB image through our path (dockerode + progress parsing + retry wrapper) vs `docker push`,
// to the same kind of registry. Each push goes to a registry started empty for it, so neither side
// benefits from blobs (or the engine's cross-repository mounts) left by the other.

const ROUNDS = 3;
const none = { name: 'none', get: async () => undefined };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<BenchResult[]> {
  const socket = testDockerSocket();
  const docker = new Docker({ socketPath: socket });
  const image = `hd-bench-push:${process.pid}`;
  await buildTestImage(docker, image, 50);
  const ours: number[] = [];
  const cli: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate who goes first so caches warm up for both equally.
      const order = i % 2 === 0 ? (['ours', 'cli'] as const) : (['cli', 'ours'] as const);
      for (const who of order) {
        const reg = await startRegistry();
        try {
          const ref = parseReference(`${reg.host}/bench/${who}:r${i}`);
          let ms: number;
          if (who === 'ours') {
            const t = performance.now();
            const r = await pushImage(new EnginePusher(docker), { source: image, ref, credentials: none });
            ms = performance.now() - t;
            if ((await registryDigest(reg.host, `bench/${who}`, `r${i}`)) !== r.digest)
              throw new Error('our push: registry digest mismatch');
            ours.push(ms);
          } else {
            await docker.getImage(image).tag({ repo: `${reg.host}/bench/${who}`, tag: `r${i}` });
            const t = performance.now();
            const r = await spawnRun('docker', ['push', `${reg.host}/bench/${who}:r${i}`], {
              env: { ...process.env, DOCKER_HOST: `unix://${socket}` },
            });
            ms = performance.now() - t;
            if (r.code !== 0) throw new Error(`docker push failed: ${r.stderr}`);
            cli.push(ms);
          }
        } finally {
          await reg.stop();
        }
      }
    }
  } finally {
    await removeTestImage(docker, image);
  }
  const o = median(ours);
  const c = median(cli);
  return [
    {
      name: 'push 50 MB image (engine via dockerode, progress + retry wrapper)',
      value: Math.round(o),
      unit: 'ms',
      anchor: { name: 'docker push (CLI, same engine, fresh registry)', value: Math.round(c), unit: 'ms' },
      ratio: Number((o / c).toFixed(3)),
      goal: 'ratio <= 1.1',
      note: `median of ${ROUNDS}; ours ${ours.map(Math.round).join('/')} ms, docker ${cli.map(Math.round).join('/')} ms`,
    },
  ];
}
