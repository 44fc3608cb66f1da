import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = join(__dirname, '..', '..');
const src = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.(ts|tsx|js|mjs|cjs)$/.test(d.name))
    .map((d) => join(d.parentPath ?? (d as { path?: string }).path!, d.name));
}

/** A folder of src, or a file directly in it without its extension (container, extension). */
function layerOf(file: string): string {
  const parts = relative(src, file).split(sep);
  return parts.length === 1 ? parts[0]!.replace(/\.[cm]?[jt]sx?$/, '') : parts[0]!;
}

/** Every import between two layers of src: `from` -> `to`, with the importing file. */
function imports(): { from: string; to: string; file: string }[] {
  const out: { from: string; to: string; file: string }[] = [];
  for (const f of files('src')) {
    for (const m of readFileSync(f, 'utf8').matchAll(
      /(?:from\s+|import\(\s*|require\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g,
    )) {
      const target = resolve(dirname(f), m[1]!);
      if (!target.startsWith(src + sep)) continue;
      const [from, to] = [layerOf(f), layerOf(target)];
      if (from !== to) out.push({ from, to, file: relative(root, f) });
    }
  }
  return out;
}

/** The "Who may import whom" table of docs/architecture.md: layer -> the layers it may import. */
function allowedEdges(): Map<string, Set<string>> {
  const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Who may import whom'));
  assert.ok(section, 'docs/architecture.md has a "Who may import whom" section');
  const rows = [...section.matchAll(/^\|\s*([a-z][a-z-]*)\s*\|([^|\n]*)\|\s*$/gm)].filter((m) => m[1] !== 'layer');
  return new Map(
    rows.map((m) => [
      m[1]!,
      new Set(
        m[2]!
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ]),
  );
}

describe('architecture', () => {
  it('src/core never imports vscode (it is reused by the headless CLI)', () => {
    const offenders = files('src/core').filter((f) =>
      /(?:from\s+|require\(\s*|import\(\s*)['"]vscode['"]/.test(readFileSync(f, 'utf8')),
    );
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  it('src/core does not reach into the VS Code layer either', () => {
    const layer =
      /(?:from\s+|require\(\s*|import\(\s*)['"](?:\.\.\/)+(?:views|commands|language|webview|services|ui|container|extension)(?:\/|['"])/;
    const offenders = files('src/core').filter((f) => layer.test(readFileSync(f, 'utf8')));
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  it('src/core does not import a provider (providers implement core interfaces, not the reverse)', () => {
    assert.deepEqual(
      imports().filter((e) => e.from === 'core' && e.to === 'providers'),
      [],
    );
  });

  it('views and the webview never import commands (a command is reached by its id)', () => {
    assert.deepEqual(
      imports().filter((e) => (e.from === 'views' || e.from === 'webview') && e.to === 'commands'),
      [],
    );
  });

  it('every import between layers is one docs/architecture.md allows, and the table names every layer', () => {
    const allowed = allowedEdges();
    const layers = new Set(files('src').map(layerOf));
    assert.deepEqual([...layers].filter((l) => !allowed.has(l)).sort(), [], 'layers of src missing from the table');
    assert.deepEqual(
      [...allowed.keys()].filter((l) => !layers.has(l)).sort(),
      [],
      'layers in the table that src does not have',
    );
    const bad = imports().filter((e) => !allowed.get(e.from)?.has(e.to));
    assert.deepEqual(
      bad.map((e) => `${e.file}: ${e.from} -> ${e.to}`),
      [],
    );
  });

  it('the table forbids what the rules above forbid', () => {
    const allowed = allowedEdges();
    assert.equal(allowed.get('core')!.size, 0);
    assert.ok(!allowed.get('views')!.has('commands') && !allowed.get('webview')!.has('commands'));
  });

  it('no source spawns a process through a shell string', () => {
    const shelly = /\b(?:exec|execSync)\(\s*[`'"]|shell:\s*true/;
    const offenders = files('src').filter((f) => shelly.test(readFileSync(f, 'utf8')));
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });
});
