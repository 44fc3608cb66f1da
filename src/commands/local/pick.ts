import type { Container } from '../../container';
import type { LocalInstance } from '../../core/local/naming';
import type { DepNode } from '../../views/deployments';
import type { EnvNode } from '../../views/environments';
import { LABEL_DIR, LABEL_ENVIRONMENT } from '../../core/local/naming';
import { pickEnvironment } from '../../ui/pickEnvironment';
import { containerName } from '../../core/model/types';

// Which local environment a command is about: the tree node it was invoked on, else the shared pick.

export async function resolveTarget(
  c: Container,
  arg: unknown,
  title = 'Helix: Local Environment',
): Promise<LocalInstance | undefined> {
  return (
    targetFromNode(c, arg) ??
    pickEnvironment(c, (e) => e.kind === 'local', {
      title,
      none: 'No HelixDB project with a [local.<name>] environment in this workspace.',
      describe: (x) => `local · :${x.environment.port ?? 6969}`,
    })
  );
}

function targetFromNode(c: Container, arg: unknown): LocalInstance | undefined {
  const node = arg as EnvNode | DepNode | undefined;
  if (!node || typeof node !== 'object' || !('type' in node)) return undefined;
  if (node.type === 'environment' && node.environment.kind === 'local')
    return { project: node.project, environment: node.environment };
  if (node.type === 'container') {
    const l = node.container.labels;
    const project =
      c.projects.projects.find((p) => p.dir === l[LABEL_DIR]) ??
      c.projects.projects.find((p) =>
        p.environments.some((e) => containerName(p.name, e.name) === node.container.name),
      );
    const environment = project?.environments.find(
      (e) => e.name === l[LABEL_ENVIRONMENT] || containerName(project.name, e.name) === node.container.name,
    );
    if (project && environment) return { project, environment };
  }
  return undefined;
}
