import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { poll } from '../../support/poll';

// Helix Deploy's keys found in helix.toml: a warning, and the quick fix "Move to helix.deploy.toml" applied in
// the real editor: helix.deploy.toml created, then extended; comments and layout of both files kept.
// Workspace: test/fixtures/workspace/own-keys (a copy).

const root = () => vscode.workspace.workspaceFolders![0].uri;
const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'helix');

async function move(doc: vscode.TextDocument, key: string): Promise<void> {
  const d = await poll(
    () => ours(doc.uri).find((x) => x.code === 'deploy-key-in-helix' && doc.getText(x.range) === key),
    { what: `the warning on ${key}`, timeoutMs: 15_000 },
  );
  assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
  assert.match(d.message, /the CLI deletes it, and every comment in .*helix\.toml, the next time it rewrites the file/);
  const actions = (
    await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range)
  ).filter((a) => a.title === 'Move to helix.deploy.toml');
  assert.equal(actions.length, 1, 'one move action');
  assert.ok(await vscode.workspace.applyEdit(actions[0].edit!));
}

describe('language: moving Helix Deploy keys out of helix.toml (extension host)', () => {
  it('moves build into a new helix.deploy.toml, then the health section after it, keeping every comment', async () => {
    const helixUri = vscode.Uri.joinPath(root(), 'own-keys/helix.toml');
    const deployUri = vscode.Uri.joinPath(root(), 'own-keys/helix.deploy.toml');
    const doc = await vscode.workspace.openTextDocument(helixUri);
    await vscode.window.showTextDocument(doc);
    const original = doc.getText();

    await move(doc, 'build');
    const deploy = await poll(
      () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === deployUri.toString()),
      { what: 'helix.deploy.toml in the editor', timeoutMs: 15_000 },
    );
    assert.equal(
      deploy.getText(),
      '# Helix Deploy settings; the helix CLI does not read this file.\n\n[instances.dev]\n# Build context for Helix Deploy.\nbuild = "."\n',
    );
    assert.equal(doc.getText(), original.replace('# Build context for Helix Deploy.\nbuild = "."\n', ''));

    await move(doc, 'health');
    assert.equal(
      deploy.getText(),
      '# Helix Deploy settings; the helix CLI does not read this file.\n\n[instances.dev]\n# Build context for Helix Deploy.\nbuild = "."\n\n# Probes of the dev server.\n[instances.dev.health]\nliveness = "/healthz"   # always 200\nreadiness = "/readyz"\n',
    );
    assert.equal(
      doc.getText(),
      '[project]\nname = "own-keys"\n\n# The dev instance, built from ./Dockerfile.\n[local.dev]\nport = 26991 # not the default, to keep clear of other projects\nimage = "own-keys"\ntag = "dev"\n',
    );
    await poll(() => ours(doc.uri).length === 0, { what: 'helix.toml clean', timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual(
      ours(deploy.uri).map((d) => d.message),
      [],
      'helix.deploy.toml clean',
    );
    await vscode.workspace.saveAll(false);
  });
});
