// The commands the extension registers at activation are exactly those package.json declares: a command
// missing from contributes.commands has no title in the palette, and a declared one that is never
// registered fails with "command not found" when a menu or the palette runs it.
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './helpers';

// VS Code adds these for every contributed view.
const VIEW_COMMANDS = ['focus', 'resetViewLocation', 'toggleVisibility', 'removeView', 'open'];

describe('command manifest (extension host)', () => {
  it('registers at activation exactly the command ids package.json declares', async () => {
    await api();
    const contributes = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes;
    const declared = (contributes.commands as { command: string }[]).map((c) => c.command).sort();
    const views = Object.values(contributes.views as Record<string, { id: string }[]>)
      .flat()
      .map((v) => v.id);
    const generated = new Set(views.flatMap((v) => VIEW_COMMANDS.map((s) => `${v}.${s}`)));
    const registered = (await vscode.commands.getCommands(true))
      .filter((id) => id.startsWith('helixDeploy.') && !generated.has(id))
      .sort();
    assert.deepEqual(
      {
        registeredButNotDeclared: registered.filter((id) => !declared.includes(id)),
        declaredButNotRegistered: declared.filter((id) => !registered.includes(id)),
      },
      { registeredButNotDeclared: [], declaredButNotRegistered: [] },
    );
  });
});
