import { strict as assert } from 'node:assert';
import { validateConfig } from '../../../src/core/config/validate';
import { readProject } from '../../../src/core/config/project';
import { fixture } from './helpers';

// No input may crash or hang the validator: random bytes, truncations, mutations, huge and deeply nested files.
// A seeded generator keeps failures reproducible. Budgets are generous (CI machines vary): they catch hangs
// and super-linear blow-ups, not speed (speed is in test/bench/config.bench.ts).

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

function mustNotThrow(text: string, label: string, gens: readonly ('auto' | 'v2' | 'v3.1' | 'v3.2')[] = ['auto', 'v2', 'v3.1', 'v3.2']): void {
  for (const kind of ['helix', 'deploy'] as const) {
    for (const generation of gens) {
      try {
        const r = validateConfig(text, { kind, generation, helixText: text });
        for (const d of r.diagnostics) {
          assert.ok(d.start >= 0 && d.end >= d.start && d.end <= text.length, `${label}: range ${d.start}-${d.end} outside 0-${text.length}`);
          assert.ok(d.message.length > 0, `${label}: empty message`);
        }
      } catch (e) {
        assert.fail(`${label} (${kind}, ${generation}) threw: ${(e as Error).stack}`);
      }
    }
  }
  readProject('/w/helix.toml', text, text);
}

const SEEDS = [fixture('v2/helix.toml'), fixture('v3.1/helix.toml'), fixture('v3.2/helix.toml'), fixture('deploy/helix.deploy.toml')];
const ALPHABET = ['[', ']', '[[', '=', '"', "'", '"""', '\n', '\r\n', '\r', '.', ',', '{', '}', '#', '\\', '\\u', '0x', '1e9', 'inf', 'nan', '1979-05-27T07:32:00Z', 'project', 'local', 's3', 'storage', '\u0000', '\uFEFF', '\uD800', 'é', ' '];

describe('config: fuzz (no crash, no hang)', function () {
  this.timeout(120000);

  it('random bytes decoded as UTF-8', () => {
    const r = rng(1);
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(r() * 400) }, () => Math.floor(r() * 256)));
      mustNotThrow(bytes.toString('utf8'), `random#${i}`);
    }
  });

  it('every truncation of the sample files', () => {
    for (const s of SEEDS) for (let n = 0; n <= s.length; n += 3) mustNotThrow(s.slice(0, n), `truncate@${n}`);
  });

  it('random mutations of the sample files', () => {
    const r = rng(7);
    for (let i = 0; i < 1500; i++) {
      let s = SEEDS[i % SEEDS.length];
      for (let k = 0; k < 1 + Math.floor(r() * 4); k++) {
        const at = Math.floor(r() * s.length);
        const op = r();
        if (op < 0.4) s = s.slice(0, at) + ALPHABET[Math.floor(r() * ALPHABET.length)] + s.slice(at);
        else if (op < 0.7) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 8));
        else s = s.slice(0, at) + s.slice(Math.floor(r() * s.length), Math.floor(r() * s.length)) + s.slice(at);
      }
      mustNotThrow(s, `mutation#${i}`);
    }
  });

  it('deeply nested arrays and inline tables', () => {
    for (const depth of [100, 1000, 20000]) {
      mustNotThrow(`a = ${'['.repeat(depth)}${']'.repeat(depth)}\n`, `arrays ${depth}`, ['auto']);
      mustNotThrow(`a = ${'['.repeat(depth)}\n`, `open arrays ${depth}`, ['auto']);
      mustNotThrow(`a = ${'{b='.repeat(depth)}1${'}'.repeat(depth)}\n`, `inline ${depth}`, ['auto']);
    }
    const r = validateConfig(`[project]\nname = "x"\na = ${'['.repeat(2000)}${']'.repeat(2000)}\n`);
    assert.ok(r.diagnostics.some((d) => /nested more than 64 levels/.test(d.message)));
  });

  it('1 MB files (valid and broken) finish', () => {
    const lines = ['[project]', 'name = "big"'];
    for (let i = 0, size = 0; size < 1_000_000; i++) {
      const block = [`[local.i${i}]`, `port = ${10000 + (i % 50000)}`, `image = "ghcr.io/helixdb/helixdb"`, `# comment ${i}`];
      lines.push(...block);
      size += block.join('\n').length + 1;
    }
    const big = lines.join('\n') + '\n';
    const t = Date.now();
    const r = validateConfig(big);
    assert.ok(r.applies);
    mustNotThrow(big.slice(0, big.length / 2) + '"unterminated', '1MB broken', ['auto']);
    assert.ok(Date.now() - t < 30000, 'took too long');
    mustNotThrow('x = "' + 'a'.repeat(1_000_000) + '"\n', '1MB string', ['auto']);
    mustNotThrow('#'.repeat(1_000_000), '1MB comment', ['auto']);
  });
});
