import * as vscode from 'vscode';
import { GENERATIONS, type GenerationSetting } from '../core/config/generation';
import { configKind, siblingUri } from './documents';

export const SELECT_GENERATION = 'helixDeploy.selectCliGeneration';

const DESCRIPTIONS: Record<GenerationSetting, string> = {
  auto: 'Detect from the file content, then `helix --version`',
  v2: 'CLI 2.x: [cloud.<name>.helix|fly|ecr], build_mode, vector_config',
  'v3.1': 'CLI 3.0-3.1: [enterprise.<name>] with cluster_id',
  'v3.2': 'CLI 3.2+: [enterprise.<name>] with database; unknown keys rejected',
};

/** Quick pick for helixDeploy.cliGeneration, written to the folder of the active helix.toml. */
export async function selectGeneration(): Promise<void> {
  const doc = vscode.window.activeTextEditor?.document;
  const kind = doc ? configKind(doc) : undefined;
  const scope = doc && kind ? (kind === 'deploy' ? siblingUri(doc.uri, 'helix.toml') : doc.uri) : undefined;
  const config = vscode.workspace.getConfiguration('helixDeploy', scope);
  const current = config.get<GenerationSetting>('cliGeneration', 'auto');
  const items = (['auto', ...GENERATIONS] as GenerationSetting[]).map((g) => ({ label: g, description: DESCRIPTIONS[g], picked: g === current }));
  const pick = await vscode.window.showQuickPick(items, { title: 'helix CLI generation for helix.toml', placeHolder: `Current: ${current}` });
  if (!pick) return;
  const folder = scope && vscode.workspace.getWorkspaceFolder(scope);
  const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  const target = folder && multiRoot ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace;
  await config.update('cliGeneration', pick.label === 'auto' ? undefined : pick.label, target);
}
