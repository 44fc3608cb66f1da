import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// package.json's menus, keybindings and the commands the code runs by id refer only to declared commands
// (the extension-host suite checks that the registered ids equal the declared ones).

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const declared = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));
const ours = (id: string) => id.startsWith('helixDeploy.');
const views: string[] = Object.values(manifest.contributes.views as Record<string, { id: string }[]>)
  .flat()
  .map((v) => v.id);
// `<view>.focus` and the like exist for every contributed view.
const viewCommand = (id: string) =>
  views.some((v) => id.startsWith(`${v}.`) && /\.(focus|resetViewLocation|toggleVisibility|removeView|open)$/.test(id));

describe('command manifest', () => {
  it('every menu entry names a declared command', () => {
    const used = Object.entries(manifest.contributes.menus as Record<string, { command?: string }[]>).flatMap(
      ([menu, entries]) => entries.filter((e) => e.command).map((e) => ({ menu, command: e.command! })),
    );
    assert.ok(used.length > 0);
    assert.deepEqual(
      used.filter((u) => !declared.has(u.command)),
      [],
    );
  });

  it('every keybinding names a declared command', () => {
    const bindings: { command: string }[] = manifest.contributes.keybindings ?? [];
    assert.deepEqual(
      bindings.filter((b) => ours(b.command.replace(/^-/, '')) && !declared.has(b.command.replace(/^-/, ''))),
      [],
    );
  });

  it('every helixDeploy.* command the source runs or links by id is declared', () => {
    const files = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && d.name.endsWith('.ts'))
      .map((d) => join(d.parentPath ?? (d as { path?: string }).path!, d.name));
    const missing: string[] = [];
    let seen = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(?:executeCommand\(\s*|command:\s*)'(helixDeploy\.[\w.]+)'/g)) {
        seen++;
        if (!declared.has(m[1]!) && !viewCommand(m[1]!)) missing.push(`${relative(root, f)}: ${m[1]}`);
      }
    }
    assert.ok(seen > 5, 'the source runs commands by id');
    assert.deepEqual(missing, []);
  });
});
