import * as vscode from 'vscode';
import type { Container } from '../container';
import { CONFIG_SELECTOR } from './documents';
import { ConfigDiagnostics } from './diagnostics';
import { GenerationSource } from './generation';
import { ConfigCompletions, ConfigHovers, ConfigQuickFixes } from './providers';
import { createGenerationStatus } from './status';
import { SELECT_GENERATION, selectGeneration } from './commands';

export { ConfigDiagnostics } from './diagnostics';

/**
 * Schema-backed editing of helix.toml and helix.deploy.toml: diagnostics as you type, completion, hover,
 * quick fixes and the generation status item. Everything is owned by the container.
 * Returns the diagnostics controller (tests and other features read validation results from it).
 */
export function registerLanguage(c: Container): ConfigDiagnostics {
  const started = performance.now();
  const gens = c.own(new GenerationSource(c));
  const diags = c.own(new ConfigDiagnostics(c, gens));
  c.projects.useCliVersion(() => gens.cliVersion, gens.onDidChange);
  c.own(
    vscode.languages.registerCompletionItemProvider(
      CONFIG_SELECTOR,
      new ConfigCompletions(diags),
      '[',
      '.',
      '=',
      '"',
      '{',
      ',',
    ),
  );
  c.own(vscode.languages.registerHoverProvider(CONFIG_SELECTOR, new ConfigHovers(diags)));
  c.own(
    vscode.languages.registerCodeActionsProvider(CONFIG_SELECTOR, new ConfigQuickFixes(diags), {
      providedCodeActionKinds: ConfigQuickFixes.kinds,
    }),
  );
  c.own(createGenerationStatus(diags));
  c.registerCommand(SELECT_GENERATION, selectGeneration);
  // Probing `helix --version` spawns a process: not at activation, only once a config file is shown.
  gens.probeWhenShown(CONFIG_SELECTOR);
  c.log.info(`Language features registered in ${(performance.now() - started).toFixed(1)} ms`);
  return diags;
}
