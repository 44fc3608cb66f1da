import * as vscode from 'vscode';
import type { ConfigDiagnostics } from './diagnostics';
import { CONFIG_SELECTOR, configKind } from './documents';
import { SELECT_GENERATION } from './commands';
import { generationLabel } from '../core/config/generation';

// Language status item: which helix CLI generation the open file is validated for, and why; click to switch.

export function createGenerationStatus(diags: ConfigDiagnostics): vscode.Disposable {
  const item = vscode.languages.createLanguageStatusItem('helixDeploy.generation', CONFIG_SELECTOR);
  item.name = 'helix.toml CLI generation';
  item.command = {
    title: 'Switch',
    command: SELECT_GENERATION,
    tooltip: 'Choose the helix CLI generation used to validate helix.toml',
  };
  const update = () => {
    const doc = vscode.window.activeTextEditor?.document;
    const state = doc && configKind(doc) ? diags.state(doc) : undefined;
    if (!state) {
      item.text = '$(sync~spin) helix.toml';
      item.detail = 'validating';
      item.severity = vscode.LanguageStatusSeverity.Information;
      return;
    }
    const r = state.result;
    if (!r.applies) {
      item.text = '$(circle-slash) Not a HelixDB project file';
      item.detail = 'no [project] table: Helix Deploy does not check this file';
      item.severity = vscode.LanguageStatusSeverity.Information;
      return;
    }
    item.text = `$(versions) helix ${generationLabel(r.generation.generation)}`;
    // A version that is not a known release (or an old setting value) is said, not hidden.
    item.detail = r.generation.note ? `${r.generation.reason}. ${r.generation.note}` : r.generation.reason;
    const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
    item.severity = errors ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
  };
  update();
  return vscode.Disposable.from(item, vscode.window.onDidChangeActiveTextEditor(update), diags.onDidValidate(update));
}
