import * as vscode from 'vscode';
import type { Container } from '../container';
import type { CostDeps } from '../core/cost/estimator';
import { InfracostProvider } from '../providers/infracost/infracost';
import type { TerraformProvider } from '../providers/terraform/terraform';

// Cost estimates in the editor: Infracost at `helixDeploy.infracost.path` (default: on PATH) with its API key
// from VS Code's SecretStorage, handed to the infracost process as INFRACOST_API_KEY only. The engine asks for
// these sources on every plan (src/core/cost/estimator.ts).

const API_KEY = 'helixDeploy.infracost.apiKey';

/** The cost sources the engine uses for plans (Infracost and the raw plan JSON it reads). */
export function editorCostDeps(c: Container, terraform: TerraformProvider): CostDeps {
  const infracost = new InfracostProvider({
    executable: () => vscode.workspace.getConfiguration('helixDeploy').get<string>('infracost.path') || 'infracost',
    apiKey: async () => c.context.secrets.get(API_KEY),
  });
  return { infracost, terraformShowJson: (req) => terraform.showJson(req) };
}

export function registerCost(c: Container): void {
  c.registerCommand('helixDeploy.cost.setInfracostApiKey', async () => {
    const key = await vscode.window.showInputBox({
      title: 'Infracost API key',
      prompt: 'Stored in VS Code\'s secret storage and given to the infracost program only. Get one with `infracost auth login`.',
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
