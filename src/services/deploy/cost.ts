import * as vscode from 'vscode';
import type { CostDeps } from '../../core/cost/estimator';
import { InfracostProvider } from '../../providers/infracost/infracost';
import type { TerraformProvider } from '../../providers/terraform/terraform';

// Cost estimates in the editor: Infracost at `helixDeploy.infracost.path` (default: on PATH) with its API key
// from VS Code's SecretStorage, handed to the infracost process as INFRACOST_API_KEY only. The engine asks for
// these sources on every plan (src/core/cost/estimator.ts).

/** The SecretStorage key of the Infracost API key. */
export const INFRACOST_API_KEY = 'helixDeploy.infracost.apiKey';

/** The cost sources the engine uses for plans (Infracost and the raw plan JSON it reads). */
export function editorCostDeps(secrets: vscode.SecretStorage, terraform: TerraformProvider): CostDeps {
  const infracost = new InfracostProvider({
    executable: () => vscode.workspace.getConfiguration('helixDeploy').get<string>('infracost.path') || 'infracost',
    apiKey: async () => secrets.get(INFRACOST_API_KEY),
  });
  return { infracost, terraformShowJson: (req) => terraform.showJson(req) };
}
