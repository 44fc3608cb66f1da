import { strict as assert } from 'node:assert';
import { generationFromVersion, resolveGeneration, probeHelixVersion } from '../../../src/core/config/generation';
import { parseConfig, validateConfig } from '../../../src/core/config/validate';
import { fixture } from './helpers';

const tree = (t: string) => parseConfig(t).tree;

describe('config: generation detection', () => {
  it('by content', () => {
    assert.equal(resolveGeneration('auto', tree(fixture('v2/helix.toml'))).generation, 'v2');
    assert.equal(resolveGeneration('auto', tree(fixture('v3.1/helix.toml'))).generation, 'v3.1');
    assert.equal(resolveGeneration('auto', tree(fixture('v3.2/helix.toml'))).generation, 'v3.2');
    const r = resolveGeneration('auto', tree('[project]\nname="a"\n[local.dev]\nbuild_mode = "dev"\n'));
    assert.deepEqual([r.generation, r.source], ['v2', 'content']);
    assert.match(r.reason, /build_mode/);
  });
  it('local-only files fall back to the installed CLI, then to the newest generation', () => {
    const t = tree('[project]\nname="a"\n[local.dev]\nport = 1\n');
    assert.deepEqual(resolveGeneration('auto', t, 'helix 3.1.2'), { generation: 'v3.1', source: 'cli', reason: 'installed helix CLI reports helix 3.1.2' });
    assert.equal(resolveGeneration('auto', t, 'helix-cli 2.3.5').generation, 'v2');
    assert.equal(resolveGeneration('auto', t).source, 'default');
    assert.equal(resolveGeneration('auto', t).generation, 'v3.2');
  });
  it('the setting wins over content', () => {
    assert.deepEqual(resolveGeneration('v3.2', tree(fixture('v2/helix.toml'))).source, 'setting');
  });
  it('warns when the content and the installed CLI disagree', () => {
    const r = validateConfig(fixture('v2/helix.toml'), { cliVersion: 'helix 3.2.1' });
    assert.equal(r.generation.generation, 'v2');
    const [d] = r.diagnostics;
    assert.equal(d.code, 'generation-mismatch');
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /written for helix CLI v2 \(has a \[cloud\] table \(CLI v2\)\), but the installed helix CLI \(helix 3\.2\.1\) is v3\.2, which rejects parts of it/);
    assert.deepEqual(validateConfig(fixture('v2/helix.toml'), { cliVersion: 'helix 2.3.5' }).diagnostics, []);
  });

  it('parses version strings', () => {
    assert.equal(generationFromVersion('helix 3.0.8'), 'v3.1');
    assert.equal(generationFromVersion('helix 3.2.0'), 'v3.2');
    assert.equal(generationFromVersion('helix 4.0.1'), 'v3.2');
    assert.equal(generationFromVersion('nonsense'), undefined);
  });
  it('a missing helix binary is a normal state, not an error', async () => {
    assert.equal(await probeHelixVersion('/nonexistent/helix-binary', 1000), undefined);
  });
  it('probes a real executable with an argument array', async () => {
    // `node --version` stands in for `helix --version`: same spawn path, prints a semver.
    const out = await probeHelixVersion(process.execPath, 5000);
    assert.match(out!, /^v\d+\.\d+\.\d+/);
  });
});
