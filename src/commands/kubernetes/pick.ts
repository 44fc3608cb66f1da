import * as vscode from 'vscode';
import type { Container } from '../../container';
import type { Environment, Project } from '../../core/model/types';
import { pickEnvironment } from '../../ui/pickEnvironment';

// Which project / kubernetes environment a command acts on: from the tree node it was invoked on, else a pick.

export interface EnvArg {
  project?: Project;
  environment?: Environment;
}

export async function pickProject(c: Container, arg?: EnvArg): Promise<Project | undefined> {
  if (arg?.project) return arg.project;
  const projects = c.projects.projects;
  if (projects.length <= 1) return projects[0];
  const p = await vscode.window.showQuickPick(
    projects.map((p) => ({ label: p.name, description: p.dir, p })),
    { placeHolder: 'Which HelixDB project?' },
  );
  return p?.p;
}

export async function pickKubernetesEnvironment(
  c: Container,
  arg?: EnvArg,
): Promise<{ project: Project; environment: Environment } | undefined> {
  if (arg?.project && arg.environment?.kind === 'kubernetes')
    return { project: arg.project, environment: arg.environment };
  return pickEnvironment(c, (e) => e.kind === 'kubernetes', {
    title: 'Helix: Kubernetes Environment',
    none: 'No kubernetes environment in helix.deploy.toml. Add one, e.g. [environments.prod-k8s] kubernetes = { context = "prod", namespace = "helix", manifests = "deploy/k8s" }.',
    describe: (x) => `kubernetes · ${x.environment.target ?? ''}`,
  });
}
