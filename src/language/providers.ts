import * as vscode from 'vscode';
import { complete, type CompletionSpec } from '../core/config/assist/complete';
import { hover } from '../core/config/assist/hover';
import type { ConfigFix } from '../core/config/types';
import { configKind, readSibling, siblingUri } from './documents';
import { instanceNames } from '../core/config/validate';
import { findCore, type ConfigDiagnostics } from './diagnostics';
import { moveOwnKeyEdits } from '../core/config/own-keys';
import { LineIndex } from '../core/config/text';

// Completion, hover and quick fixes: thin adapters from core/config/assist to the VS Code API.

const ITEM_KIND: Record<CompletionSpec['kind'], vscode.CompletionItemKind> = {
  property: vscode.CompletionItemKind.Property,
  table: vscode.CompletionItemKind.Module,
  value: vscode.CompletionItemKind.EnumMember,
  snippet: vscode.CompletionItemKind.Snippet,
};

export class ConfigCompletions implements vscode.CompletionItemProvider {
  constructor(private readonly diags: ConfigDiagnostics) {}

  async provideCompletionItems(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.CompletionItem[]> {
    const kind = configKind(doc);
    const state = kind ? await this.diags.current(doc) : undefined;
    if (!kind || !state || !state.result.applies) return [];
    const helixText = kind === 'deploy' ? await readSibling(siblingUri(doc.uri, 'helix.toml')) : undefined;
    const instances = helixText !== undefined ? instanceNames(helixText) : undefined;
    const specs = complete(doc.getText(), doc.offsetAt(pos), {
      kind,
      generation: state.result.generation.generation,
      tree: state.result.tree ?? state.lastGoodTree,
      instances,
    });
    return specs.map((s) => {
      const item = new vscode.CompletionItem(s.label, ITEM_KIND[s.kind]);
      item.insertText = s.snippet ? new vscode.SnippetString(s.insertText) : s.insertText;
      item.range = new vscode.Range(doc.positionAt(s.replace.start), doc.positionAt(s.replace.end));
      item.detail = s.detail;
      if (s.documentation) item.documentation = new vscode.MarkdownString(s.documentation);
      item.sortText = s.sortText;
      item.filterText = s.filterText;
      item.preselect = s.preselect;
      return item;
    });
  }
}

export class ConfigHovers implements vscode.HoverProvider {
  constructor(private readonly diags: ConfigDiagnostics) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const kind = configKind(doc);
    const state = kind ? await this.diags.current(doc) : undefined;
    if (!kind || !state || !state.result.applies) return undefined;
    const h = hover(doc.getText(), doc.offsetAt(pos), {
      kind,
      generation: state.result.generation.generation,
      note: state.result.generation.note,
    });
    if (!h) return undefined;
    return new vscode.Hover(
      new vscode.MarkdownString(h.markdown),
      new vscode.Range(doc.positionAt(h.range.start), doc.positionAt(h.range.end)),
    );
  }
}

export class ConfigQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly diags: ConfigDiagnostics) {}

  async provideCodeActions(
    doc: vscode.TextDocument,
    _range: vscode.Range,
    ctx: vscode.CodeActionContext,
  ): Promise<vscode.CodeAction[]> {
    const ours = ctx.diagnostics.filter((d) => d.source === 'helix');
    if (!ours.length) return [];
    const state = await this.diags.current(doc);
    if (!state) return [];
    const out: vscode.CodeAction[] = [];
    for (const d of ours) {
      const core = findCore(doc, state, d);
      for (const f of core?.fixes ?? []) {
        const a = f.move ? await moveAction(doc, d, f) : toAction(doc, d, f);
        if (a) out.push(a);
      }
    }
    return out;
  }
}

/**
 * Moves a Helix Deploy key from helix.toml to helix.deploy.toml in one WorkspaceEdit (one undo), creating the file
 * when missing. Both edits are computed from the texts as they are now (open documents included).
 */
async function moveAction(
  doc: vscode.TextDocument,
  d: vscode.Diagnostic,
  f: ConfigFix,
): Promise<vscode.CodeAction | undefined> {
  const deployUri = siblingUri(doc.uri, 'helix.deploy.toml');
  const deployText = await readSibling(deployUri);
  const m = moveOwnKeyEdits(doc.getText(), deployText, f.move!.instance, f.move!.key);
  if (!m) return undefined;
  const a = new vscode.CodeAction(f.title, vscode.CodeActionKind.QuickFix);
  a.diagnostics = [d];
  a.isPreferred = f.preferred;
  a.edit = new vscode.WorkspaceEdit();
  for (const e of m.helix)
    a.edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
  if (m.create) a.edit.createFile(deployUri, { ignoreIfExists: true });
  const lines = new LineIndex(deployText ?? '');
  const pos = (o: number) => {
    const p = lines.position(o);
    return new vscode.Position(p.line, p.character);
  };
  for (const e of m.deploy) a.edit.replace(deployUri, new vscode.Range(pos(e.start), pos(e.end)), e.newText);
  return a;
}

/** A fix as a WorkspaceEdit of minimal replacements: undo works, the rest of the file is untouched. */
export function toAction(doc: vscode.TextDocument, d: vscode.Diagnostic, f: ConfigFix): vscode.CodeAction {
  const a = new vscode.CodeAction(f.title, vscode.CodeActionKind.QuickFix);
  a.diagnostics = [d];
  a.isPreferred = f.preferred;
  a.edit = new vscode.WorkspaceEdit();
  for (const e of f.edits)
    a.edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
  return a;
}
