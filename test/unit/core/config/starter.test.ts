import { strict as assert } from 'node:assert';
import { parseTOML, getStaticTOMLValue } from 'toml-eslint-parser';
import { starterHelixToml, starterProjectName } from '../../../../src/core/config/starter';
import { readProject } from '../../../../src/core/config/project';

describe('starter helix.toml', () => {
  it('derives a name the CLI accepts from any folder name', () => {
    assert.equal(starterProjectName('My App (v2)'), 'my-app-v2');
    assert.equal(starterProjectName('___'), '___');
    assert.equal(starterProjectName('***'), 'helix-app');
  });

  it('is valid TOML with a project and a local instance', () => {
    const value = getStaticTOMLValue(parseTOML(starterHelixToml('demo'))) as any;
    assert.equal(value.project.name, 'demo');
    assert.equal(value.local.dev.port, 6969);
  });

  it('is recognised as a HelixDB project', () => {
    const p = readProject('/w/demo/helix.toml', starterHelixToml('demo'));
    assert.ok(p);
    assert.equal(p.name, 'demo');
    assert.deepEqual(
      p.environments.map((e) => e.name),
      ['dev'],
    );
  });
});
