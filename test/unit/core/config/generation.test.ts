import { strict as assert } from 'node:assert';
import {
  defaultsFor,
  generationFromVersion,
  GENERATIONS,
  generationLabel,
  matchVersion,
  probeHelixVersion,
  resolveGeneration,
} from '../../../../src/core/config/generation';
import { parseConfig, validateConfig } from '../../../../src/core/config/validate';
import { fixture } from './helpers';
import { hover } from '../../../../src/core/config/assist/hover';

const tree = (t: string) => parseConfig(t).tree;
const LOCAL_ONLY = '[project]\nname="a"\n[local.dev]\nport = 1\n';

describe('config: generation detection', () => {
  it('uses exactly the five ids, labelled by real CLI versions', () => {
    assert.deepEqual(GENERATIONS, ['v2', 'v3.0', 'v3.1', 'v3-1025', 'v3.4']);
    assert.deepEqual(GENERATIONS.map(generationLabel), [
      'CLI 2.x',
      'CLI 3.0',
      'CLI 3.1',
      'CLI 3.x after #1025',
      'CLI 3.4',
    ]);
    for (const g of GENERATIONS) assert.doesNotMatch(generationLabel(g), /3\.2|\+/);
  });

  it('by content', () => {
    assert.equal(resolveGeneration('auto', tree(fixture('v2/helix.toml'))).generation, 'v2');
    assert.equal(resolveGeneration('auto', tree(fixture('v3.1/helix.toml'))).generation, 'v3.1');
    assert.equal(resolveGeneration('auto', tree(fixture('v3-1025/helix.toml'))).generation, 'v3.4');
    const r = resolveGeneration('auto', tree('[project]\nname="a"\n[local.dev]\nbuild_mode = "dev"\n'));
    assert.deepEqual([r.generation, r.source], ['v2', 'content']);
    assert.match(r.reason, /build_mode/);
    assert.equal(
      resolveGeneration('auto', tree('[project]\nname="a"\n[local.dev]\npull = "never"\n')).generation,
      'v3.4',
    );
  });

  it('the installed CLI first, then the content, then the setting, then the newest', () => {
    const t = tree(LOCAL_ONLY);
    assert.deepEqual(resolveGeneration('auto', t, 'helix 3.1.2'), {
      generation: 'v3.1',
      source: 'cli',
      reason: 'installed helix CLI reports helix 3.1.2',
      release: '3.1.2',
    });
    assert.equal(
      resolveGeneration('v2', tree(fixture('v3.1/helix.toml')), 'helix 3.4.4').generation,
      'v3.4',
      'the CLI wins over content and setting',
    );
    assert.equal(
      resolveGeneration('v3.4', tree(fixture('v2/helix.toml'))).source,
      'content',
      'content wins over the setting',
    );
    assert.deepEqual(
      [resolveGeneration('v3.0', t).generation, resolveGeneration('v3.0', t).source],
      ['v3.0', 'setting'],
    );
    assert.deepEqual(
      [
        resolveGeneration('auto', t).generation,
        resolveGeneration('auto', t).source,
        resolveGeneration('auto', t).release,
      ],
      ['v3.4', 'default', '3.4.4'],
    );
    assert.equal(
      resolveGeneration('v3.0', tree(fixture('v2/helix.toml')), 'helix 3.4.4', true).generation,
      'v3.0',
      'pinned (--generation) wins',
    );
  });

  it('the old setting value v3.2 keeps working: read as v3.4 with a note', () => {
    const r = resolveGeneration('v3.2', tree(LOCAL_ONLY));
    assert.equal(r.generation, 'v3.4');
    assert.equal(r.source, 'setting');
    assert.match(r.note!, /there is no helix 3\.2\): read as "v3\.4"/);
  });

  it('maps version strings to releases; 3.2/3.3 do not exist, unknown future versions fall back with a note', () => {
    assert.deepEqual(matchVersion('helix 3.4.4'), { generation: 'v3.4', release: '3.4.4' });
    assert.deepEqual(matchVersion('helix-cli 2.3.5'), { generation: 'v2', release: '2.3.5', note: undefined });
    assert.equal(generationFromVersion('helix 3.0.0'), 'v3.0');
    assert.equal(generationFromVersion('helix 3.0.8'), 'v3.0');
    assert.equal(generationFromVersion('helix 3.1.0'), 'v3.1');
    assert.equal(generationFromVersion('helix 3.1.2'), 'v3.1');
    assert.equal(generationFromVersion('helix 3.4.0'), 'v3.4');
    const nonexistent = matchVersion('helix 3.2.0')!;
    assert.equal(nonexistent.generation, 'v3-1025');
    assert.match(nonexistent.note!, /helix 3\.2\.0 is not a known release .*no 3\.2 or 3\.3 exists/);
    assert.equal(matchVersion('helix 3.3.1')!.generation, 'v3-1025');
    const future = matchVersion('helix 4.0.0')!;
    assert.equal(future.generation, 'v3.4');
    assert.match(
      future.note!,
      /helix 4\.0\.0 is newer than any known release: read as the newest known, CLI 3\.4 \(3\.4\.4\)/,
    );
    assert.equal(matchVersion('helix 3.9.0')!.generation, 'v3.4');
    assert.match(matchVersion('helix 3.9.0')!.note!, /newer than any known release/);
    assert.match(matchVersion('helix 3.4.7')!.note!, /newer than the newest known release \(3\.4\.4\)/);
    assert.equal(generationFromVersion('nonsense'), undefined);
  });

  it('the note of an unknown version reaches the result the status item and hover show', () => {
    const r = validateConfig(LOCAL_ONLY, { cliVersion: 'helix 4.0.0' });
    assert.equal(r.generation.generation, 'v3.4');
    assert.match(r.generation.note!, /newer than any known release/);
    const h = hover(LOCAL_ONLY, LOCAL_ONLY.indexOf('port') + 1, {
      kind: 'helix',
      generation: r.generation.generation,
      note: r.generation.note,
    })!;
    assert.match(h.markdown, /_Schema: helix CLI 3\.4_\n\n_Note: helix 4\.0\.0 is newer than any known release/);
  });

  it('defaults per release', () => {
    assert.deepEqual([defaultsFor('v3.0', '3.0.7').port, defaultsFor('v3.0', '3.0.8').port], [8080, 6969]);
    assert.equal(defaultsFor('v3.4', '3.4.4').tag, 'v0.0.11');
    assert.equal(defaultsFor('v3.4', '3.4.3').tag, 'v0.0.9', 'an unlisted patch: the nearest earlier known release');
    assert.equal(defaultsFor('v3.4').tag, 'v0.0.11');
    assert.equal(defaultsFor('v3.1').tag, 'v0.0.4');
  });

  it('warns when the content and the installed CLI disagree', () => {
    const r = validateConfig(fixture('v2/helix.toml'), { cliVersion: 'helix 3.4.4' });
    assert.equal(r.generation.generation, 'v3.4');
    const d = r.diagnostics.find((x) => x.code === 'generation-mismatch')!;
    assert.equal(d.severity, 'warning');
    assert.equal(
      d.message,
      'this file is written for helix CLI 2.x (has a [cloud] table (CLI 2.x)), but the installed helix CLI (helix 3.4.4) is CLI 3.4, which rejects parts of it: update the file for CLI 3.4, or install the helix CLI the file is written for',
    );
    assert.deepEqual(validateConfig(fixture('v2/helix.toml'), { cliVersion: 'helix 2.3.5' }).diagnostics, []);
    assert.ok(
      !validateConfig(fixture('v3.1/helix.toml'), { cliVersion: 'helix 3.0.8' }).diagnostics.some(
        (x) => x.code === 'generation-mismatch',
      ),
      '3.0 and 3.1 write helix.toml alike',
    );
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
