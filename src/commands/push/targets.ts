import type { Container } from '../../container';
import type { Environment, Project } from '../../core/model/types';
import { isPushTarget } from '../../core/push/target';
import { managedByControlPlane } from '../../core/push/cloudOffer';
import { pickEnvironment, type EnvChoice } from '../../ui/pickEnvironment';

export type Target = EnvChoice;

/** The environment a command acts on: the tree node it was invoked on, else a pick among matching ones. */
export async function pickTarget(
  c: Container,
  node: unknown,
  accept: (e: Environment, p: Project) => boolean,
  what: string,
): Promise<Target | undefined> {
  const n = node as { project?: Project; environment?: Environment } | undefined;
  if (n?.project && n.environment && accept(n.environment, n.project))
    return { project: n.project, environment: n.environment };
  return pickEnvironment(c, accept, {
    title: `Helix: Choose the ${what} environment`,
    none: `No ${what} environment found. Add one to helix.toml or helix.deploy.toml.`,
    describe: (x) => x.environment.target ?? x.environment.kind,
  });
}

export const pushable = (e: Environment) => isPushTarget(e);
/** Environments the CLI of their generation deploys; a `database = ...` one is the control plane's. */
export const helixCloud = (e: Environment, p: Project) =>
  e.kind === 'helix-cloud' || (e.kind === 'enterprise' && !managedByControlPlane(p, e));
export const fly = (e: Environment) => e.kind === 'fly';
