import * as vscode from 'vscode';
import type { Container } from '../container';
import { INFRACOST_API_KEY as API_KEY } from '../services/deploy/cost';

// The Infracost API key commands: the key lives in VS Code's SecretStorage only.

export function registerCost(c: Container): void {
  c.registerCommand('helixDeploy.cost.setInfracostApiKey', async () => {
    const key = await vscode.window.showInputBox({
      title: 'Infracost API key',
      prompt:
        "Stored in VS Code's secret storage and given to the infracost program only. Get one with `infracost auth login`.",
      password: true,
      ignoreFocusOut: true,
    });
    if (!key) return;
    await c.context.secrets.store(API_KEY, key.trim());
    void vscode.window.showInformationMessage('Infracost API key saved: the next plan is priced with it.');
  });
  c.registerCommand('helixDeploy.cost.clearInfracostApiKey', async () => {
    await c.context.secrets.delete(API_KEY);
    void vscode.window.showInformationMessage('Infracost API key removed from secret storage.');
  });
}
