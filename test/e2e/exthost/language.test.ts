import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { poll } from '../../support/poll';

// helix.toml editing inside the real extension host: Problems entries at the right ranges, quick fixes as
// undoable WorkspaceEdits, completion, hover, the generation setting. Workspace: test/fixtures/workspace.

const root = () => vscode.workspace.workspaceFolders![0].uri;

async function open(rel: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root(), rel));
  return vscode.window.showTextDocument(doc);
}

const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'helix');
const where = (d: vscode.Diagnostic) =>
  `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`;

describe('language: helix.toml editing (extension host)', () => {
  it("shows a broken helix.toml's problems at the right ranges", async () => {
    const ed = await open('config-broken/helix.toml');
    const diags = await poll(() => (ours(ed.document.uri).length >= 3 ? ours(ed.document.uri) : undefined), {
      what: 'diagnostics in the Problems view',
      timeoutMs: 15_000,
    });
    assert.deepEqual(
      diags.map((d) => [where(d), d.severity, d.code]),
      [
        ['4:7-4:13', vscode.DiagnosticSeverity.Error, 'type'],
        ['5:10-5:14', vscode.DiagnosticSeverity.Error, 'enum'],
        ['6:0-6:4', vscode.DiagnosticSeverity.Warning, 'unknown-key'],
      ],
    );
    assert.equal(diags[0].message, 'invalid type: string "6969", expected an integer: remove the quotes (6969)');
    assert.match(diags[1].message, /unknown variant `S3`.*use "s3"/);
    assert.deepEqual(diags[2].tags, [vscode.DiagnosticTag.Unnecessary]);
  });

  it("leaves a helix.toml that is not HelixDB's alone", async () => {
    const ed = await open('not-helix/helix.toml');
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual(ours(ed.document.uri), []);
  });

  it('updates diagnostics as you type, and the quick fix repairs it with an undoable minimal edit', async () => {
    const ed = await open('config-edit/helix.toml');
    const uri = ed.document.uri;
    const original = ed.document.getText();
    await ed.edit((b) => b.insert(new vscode.Position(6, 0), 'storage = "Disk"\n'));
    const [d] = await poll(() => (ours(uri).length ? ours(uri) : undefined), {
      what: 'the enum diagnostic',
      timeoutMs: 15_000,
    });
    assert.equal(where(d), '6:10-6:16');
    const actions = (
      await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range)
    ).filter((a) => a.title === 'Change to "disk"');
    assert.equal(actions.length, 1);
    assert.equal(actions[0].isPreferred, true);
    assert.ok(await vscode.workspace.applyEdit(actions[0].edit!));
    assert.equal(ed.document.getText(), original + 'storage = "disk"\n', 'only the value changed; the comments stay');
    await poll(() => ours(uri).length === 0, { what: 'the diagnostic to clear', timeoutMs: 15_000 });
    await vscode.commands.executeCommand('undo');
    assert.equal(ed.document.getText(), original + 'storage = "Disk"\n');
    await poll(() => ours(uri).length === 1, { what: 'the diagnostic to come back after undo', timeoutMs: 15_000 });
    await vscode.commands.executeCommand('undo');
    assert.equal(ed.document.getText(), original);
  });

  it('completes keys and enum values from the schema, and shows hover docs', async () => {
    const ed = await open('config-edit/helix.toml');
    const uri = ed.document.uri;
    await ed.edit((b) => b.insert(new vscode.Position(6, 0), 'storage = "memory"\n'));
    // Word-based suggestions (kind Text) come from VS Code itself: look at ours only.
    const ask = async (pos: vscode.Position) =>
      (
        await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, pos)
      ).items
        .filter((i) => i.kind !== vscode.CompletionItemKind.Text)
        .map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    try {
      await poll(() => ours(uri).length === 0, { what: 'a clean validation', timeoutMs: 15_000 });
      const keys = await ask(new vscode.Position(7, 0));
      for (const k of ['image', 'tag', 's3', '[local.<name>]'])
        assert.ok(keys.includes(k), `${k} in ${keys.join(', ')}`);
      assert.ok(
        !keys.includes('port') && !keys.includes('storage'),
        `keys already present are not offered: ${keys.join(', ')}`,
      );
      assert.deepEqual(await ask(new vscode.Position(6, 10)), ['"memory"', '"disk"', '"s3"']);
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        uri,
        new vscode.Position(5, 1),
      );
      const text = hovers
        .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value)))
        .join('\n');
      assert.match(text, /Host port, mapped to the container port 8080/);
      assert.match(text, /Default: `6969`/);
    } finally {
      await vscode.commands.executeCommand('undo');
    }
  });

  it('checks helix.deploy.toml against its helix.toml', async () => {
    const ed = await open('config-deploy/helix.deploy.toml');
    const [d] = await poll(() => (ours(ed.document.uri).length ? ours(ed.document.uri) : undefined), {
      what: 'the deploy diagnostic',
      timeoutMs: 15_000,
    });
    assert.equal(d.message, "instance 'prd' not found in helix.toml; did you mean 'prod'?");
    assert.equal(where(d), '1:11-1:16');
  });

  it('validates for the generation chosen in the settings when the content does not tell', async () => {
    const all = await vscode.commands.getCommands(true);
    assert.ok(all.includes('helixDeploy.selectCliGeneration'));
    const ed = await open('config-broken/helix.toml');
    const uri = ed.document.uri;
    const original = ed.document.getText();
    const config = vscode.workspace.getConfiguration('helixDeploy');
    await config.update('cliGeneration', 'v3.0', vscode.ConfigurationTarget.Workspace);
    try {
      // `database = ...` says CLI 3.x after the Helix Cloud move: the setting does not override the content.
      await new Promise((r) => setTimeout(r, 800));
      assert.ok(ours(uri).some((d) => d.message.includes('is ignored by helix CLI 3.4')));
      // Local-only, the setting decides: CLI 3.0 has no s3 storage and ignores unknown keys.
      const at = original.indexOf('\n[enterprise.prod]');
      await ed.edit((b) =>
        b.delete(new vscode.Range(ed.document.positionAt(at), ed.document.positionAt(original.length))),
      );
      const diags = await poll(
        () => (ours(uri).some((d) => d.message.includes('helix CLI 3.0')) ? ours(uri) : undefined),
        { what: 'CLI 3.0 diagnostics', timeoutMs: 15_000 },
      );
      assert.ok(diags.some((d) => d.message.startsWith('unknown variant `S3`, expected one of `memory`, `disk`')));
      assert.ok(
        diags.some((d) => d.message.startsWith('unknown key `prot` in [local.dev] is ignored by helix CLI 3.0')),
      );
    } finally {
      await config.update('cliGeneration', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('undo');
    }
    assert.equal(ed.document.getText(), original);
    await poll(() => ours(uri).length === 3 && ours(uri).some((d) => d.message.includes('helix CLI 3.4')), {
      what: 'back to the detected generation (CLI 3.4)',
      timeoutMs: 15_000,
    });
  });
});
