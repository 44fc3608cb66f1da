import * as vscode from 'vscode';
import { Container } from './container';
import { registerProjectCommands } from './commands/project';
import { registerLanguage } from './language/index';
import { registerLocal } from './commands/local';
import { registerDeploy } from './commands/deploy';
import { registerCost } from './commands/cost';
import { registerPush } from './commands/push';
import { registerKubernetes } from './commands/kubernetes';
import { registerPanel } from './webview';
import { registerCopyRunSummary } from './commands/copyRunSummary';
import { registerViews, type Views } from './views';
import { registerDrift } from './commands/drift';

let container: Container | undefined;

/**
 * Wires views and commands to the container's services; nothing else. The container builds every service
 * (lazily), so the order below only decides which disposables go first at deactivation.
 */
export async function activate(context: vscode.ExtensionContext): Promise<{ container: Container; views: Views }> {
  const started = Date.now();
  const c = (container = new Container(context));
  context.subscriptions.push(c);
  const views = registerViews(c);
  registerProjectCommands(c);
  registerLanguage(c);
  registerDeploy(c);
  registerCost(c);
  registerKubernetes(c);
  registerPush(c);
  registerLocal(c, views);
  registerPanel(c);
  registerCopyRunSummary(c);
  registerDrift(c);
  // Discovery runs after registration so views show a loading state instead of nothing.
  void c.projects.refresh();
  c.log.info(`Helix Deploy activated in ${Date.now() - started} ms`);
  return { container: c, views };
}

export function deactivate(): void {
  container?.dispose();
  container = undefined;
}
