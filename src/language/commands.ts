import * as vscode from 'vscode';
import { GENERATIONS, generationLabel, type GenerationSetting } from '../core/config/generation';
import { configKind, siblingUri } from './documents';

export const SELECT_GENERATION = 'helixDeploy.selectCliGeneration';

const DESCRIPTIONS: Record<Exclude<GenerationSetting, 'v3.2'>, string> = {
  auto: '`helix --version`, else the file content, else the newest',
  v2: '[cloud.<name>.helix|fly|ecr], build_mode, vector_config',
  'v3.0': '3.0.0-3.0.8: prebuilt image, port 8080 until 3.0.7, no s3 storage',
  'v3.1': '3.1.0-3.1.2: [enterprise.<name>] with cluster_id, s3 storage',
  'v3-1025': 'before 3.4.0: [enterprise.<name>] database, unknown keys rejected, pull',
  'v3.4': '3.4.0-3.4.4: SeaweedFS disk storage, tag v0.0.11, names up to 32 characters',
};

/** Quick pick for helixDeploy.cliGeneration, written to the folder of the active helix.toml. */
export async function selectGeneration(): Promise<void> {
  const doc = vscode.window.activeTextEditor?.document;
  const kind = doc ? configKind(doc) : undefined;
  const scope = doc && kind ? (kind === 'deploy' ? siblingUri(doc.uri, 'helix.toml') : doc.uri) : undefined;
  const config = vscode.workspace.getConfiguration('helixDeploy', scope);
  const current = config.get<GenerationSetting>('cliGeneration', 'auto');
  // The setting decides only when no helix CLI is installed and the content does not tell.
  const items = (['auto', ...GENERATIONS] as const).map((g) => ({
    label: g === 'auto' ? 'Auto' : generationLabel(g),
    id: g,
    description: DESCRIPTIONS[g],
    picked: g === current || (g === 'v3.4' && current === 'v3.2'),
  }));
  const pick = await vscode.window.showQuickPick(items, {
    title: 'helix CLI generation for helix.toml (when no helix CLI is found and the content does not tell)',
    placeHolder: `Current: ${current}`,
  });
  if (!pick) return;
  const folder = scope && vscode.workspace.getWorkspaceFolder(scope);
  const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  const target =
    folder && multiRoot ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace;
  await config.update('cliGeneration', pick.id === 'auto' ? undefined : pick.id, target);
}
