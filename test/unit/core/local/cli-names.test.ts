import { strict as assert } from 'node:assert';
import type { LocalInstance } from '../../../../src/core/local/naming';
import { nameOf } from '../../../../src/core/local/naming';
import { storageNames } from '../../../../src/core/local/storage';
import { cliNameHash, containerName } from '../../../../src/core/model/types';

// Names exactly as the helix CLI computes them (local_runtime.rs: sanitize_docker_name + fnv1a32 of the joined
// name). The vectors were computed outside this code base from the CLI's algorithm; the first three are the
// CLI's own test cases.

const VECTORS: [project: string, instance: string, name: string][] = [
  ['My Project', 'dev', 'helix-My-Project-dev-7a878e3f'],
  ['hélix (wörld)!', 'dev', 'helix-h-lix--w-rld---dev-abe3c485'],
  ['a b', 'dev', 'helix-a-b-dev-e5e7279d'],
  // A name Docker accepts is used as is, so "a-b" and "a b" never share a container.
  ['a-b', 'dev', 'helix-a-b-dev'],
  ['my.app', 'v1.2', 'helix-my.app-v1.2'],
  ['demo', 'my dev', 'helix-demo-my-dev-d1aebbf9'],
  // One `-` per character, also for characters outside the BMP (two UTF-16 units).
  ['café', 'dev', 'helix-caf--dev-b9ca88d2'],
  ['rocket 🚀', 'dev', 'helix-rocket---dev-8b013ef3'],
  // 32 characters, the CLI's longest instance name: never truncated.
  ['demo', 'a'.repeat(32), `helix-demo-${'a'.repeat(32)}`],
  ['My Project', 'x'.repeat(32), `helix-My-Project-${'x'.repeat(32)}-1ad786e8`],
  ['!!!', 'dev', 'helix-----dev-8eb4966d'],
];

function target(project: string, instance: string): LocalInstance {
  const environment = { name: instance, kind: 'local' as const, source: 'helix.toml' as const, settings: {} };
  return {
    project: {
      name: project,
      dir: '/w',
      configFile: '/w/helix.toml',
      generation: 'v3.4',
      containerRuntime: 'docker',
      environments: [environment],
      errorCount: 0,
    },
    environment,
  };
}

describe('names as the helix CLI computes them', () => {
  for (const [p, i, want] of VECTORS) {
    it(`${JSON.stringify(p)} / ${JSON.stringify(i)} -> ${want}`, () => {
      assert.equal(containerName(p, i), want);
      assert.equal(nameOf(target(p, i)), want);
    });
  }

  it('hashes the UTF-8 bytes of the whole unreplaced name with 64-bit FNV-1a cut to 32 bits', () => {
    // FNV-1a 64 of the empty string is the offset basis cbf29ce484222325; its low half:
    assert.equal(cliNameHash(''), '84222325');
    assert.equal(cliNameHash('helix-My Project-dev'), '7a878e3f');
  });

  it('derives network, volumes, cache and sidecars from the sanitized base', () => {
    const base = 'helix-My-Project-dev-7a878e3f';
    assert.deepEqual(storageNames(target('My Project', 'dev')), {
      network: `${base}-net`,
      sidecars: { minio: `${base}-minio`, seaweedfs: `${base}-seaweedfs` },
      dataVolumes: { minio: `${base}-minio-data`, seaweedfs: `${base}-seaweedfs-data` },
      cache: `${base}-cache`,
    });
  });
});
