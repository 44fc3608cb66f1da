import * as vscode from 'vscode';
import type { Container } from '../../container';
import type { LocalTarget } from '../../core/local/naming';
import type { Environment, Project } from '../../core/model/types';
import type { DepNode } from '../../views/deployments';
import type { EnvNode } from '../../views/environments';
import { LABEL_DIR, LABEL_ENVIRONMENT } from '../../core/local/naming';

// Which local environment a command is about: the tree node it was invoked on, or quick picks
// (project, then environment) that remember the last choice per workspace.

const LAST = 'helixDeploy.local.lastPick';

export async function resolveTarget(c: Container, arg: unknown): Promise<LocalTarget | undefined> {
  const fromNode = targetFromNode(c, arg);
  if (fromNode) return fromNode;
  const projects = c.projects.projects.filter((p) => p.environments.some((e) => e.kind === 'local'));
  if (!projects.length) {
    void vscode.window.showWarningMessage('No HelixDB project with a [local.<name>] environment in this workspace.');
    return undefined;
  }
  const last = c.context.workspaceState.get<{ dir: string; env: string }>(LAST);
  let project: Project | undefined = projects.length === 1 ? projects[0] : undefined;
  if (!project) {
    const items = projects.map((p) => ({ label: p.name, description: vscode.workspace.asRelativePath(p.dir, true), picked: p.dir === last?.dir, p }));
    items.sort((a, b) => Number(b.picked) - Number(a.picked));
    project = (await vscode.window.showQuickPick(items, { title: 'Helix: Project', placeHolder: 'Which project?' }))?.p;
  }
  if (!project) return undefined;
  const envs = project.environments.filter((e) => e.kind === 'local');
  let environment: Environment | undefined = envs.length === 1 ? envs[0] : undefined;
  if (!environment) {
    const items = envs.map((e) => ({ label: e.name, description: `local · :${e.port ?? 6969}`, picked: project!.dir === last?.dir && e.name === last?.env, e }));
    items.sort((a, b) => Number(b.picked) - Number(a.picked));
    environment = (await vscode.window.showQuickPick(items, { title: `Helix: Environment of ${project.name}`, placeHolder: 'Which environment?' }))?.e;
  }
  if (!environment) return undefined;
  await c.context.workspaceState.update(LAST, { dir: project.dir, env: environment.name });
  return { project, environment };
}

function targetFromNode(c: Container, arg: unknown): LocalTarget | undefined {
  const node = arg as EnvNode | DepNode | undefined;
  if (!node || typeof node !== 'object' || !('type' in node)) return undefined;
  if (node.type === 'environment' && node.environment.kind === 'local') return { project: node.project, environment: node.environment };
  if (node.type === 'container') {
    const l = node.container.labels;
    const project = c.projects.projects.find((p) => p.dir === l[LABEL_DIR]) ?? c.projects.projects.find((p) => p.environments.some((e) => `helix-${p.name}-${e.name}` === node.container.name));
    const environment = project?.environments.find((e) => e.name === l[LABEL_ENVIRONMENT] || `helix-${project.name}-${e.name}` === node.container.name);
    if (project && environment) return { project, environment };
  }
  return undefined;
}
