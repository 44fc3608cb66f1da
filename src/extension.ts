import * as vscode from 'vscode';
import { Container } from './container';
import { registerProjectCommands } from './commands/project';
import { registerProjectsView } from './views/projects';
import { registerLanguage } from './language/index';
import { registerLocal } from './commands/local';
import { registerDeploy } from './commands/deploy';
import { registerPush } from './commands/push';
import { registerKubernetes } from './commands/kubernetes';
import { registerPanel } from './webview';
import { registerCopyRunSummary } from './commands/copyRunSummary';
import { registerDrift } from './commands/drift';

let container: Container | undefined;

/** Wires services, views and commands; nothing else. Each feature registers its disposables with the container. */
export async function activate(context: vscode.ExtensionContext): Promise<{ container: Container }> {
  const started = Date.now();
  const c = (container = new Container(context));
  context.subscriptions.push(c);
  registerProjectsView(c);
  registerProjectCommands(c);
  registerLanguage(c);
  registerDeploy(c);
  registerKubernetes(c);
  registerPush(c, () => c.journal);
  registerLocal(c);
  registerPanel(c);
  registerCopyRunSummary(c);
  registerDrift(c);
  // Discovery runs after registration so views show a loading state instead of nothing.
  void c.projects.refresh();
  c.log.info(`Helix Deploy activated in ${Date.now() - started} ms`);
  return { container: c };
}

export function deactivate(): void {
  container?.dispose();
  container = undefined;
}
