import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.(ts|tsx|js|mjs|cjs)$/.test(d.name))
    .map((d) => join(d.parentPath ?? (d as any).path, d.name));
}

describe('architecture', () => {
  it('src/core never imports vscode (it is reused by the headless CLI)', () => {
    const offenders = files('src/core').filter((f) => /(?:from\s+|require\(\s*|import\(\s*)['"]vscode['"]/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders.map((f) => relative(root, f)), []);
  });

  it('src/core does not reach into the VS Code layer either', () => {
    const layer = /(?:from\s+|require\(\s*|import\(\s*)['"](?:\.\.\/)+(?:views|commands|language|webview|services|container|extension)(?:\/|['"])/;
    const offenders = files('src/core').filter((f) => layer.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders.map((f) => relative(root, f)), []);
  });

  it('no source spawns a process through a shell string', () => {
    const shelly = /\b(?:exec|execSync)\(\s*[`'"]|shell:\s*true/;
    const offenders = files('src').filter((f) => shelly.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders.map((f) => relative(root, f)), []);
  });
});
