import * as vscode from 'vscode';
import type { Container } from '../../container';
import { pickKubernetesEnvironment, type EnvArg } from './pick';

// Rollback of a kubernetes environment: a planned run of the engine (kind `rollback`), the same as
// Helix: Roll Back Deployment - a server-side dry run of each Deployment's previous ReplicaSet template is
// shown as a plan, approved, applied and watched, and the whole run is journaled. `deployment` limits it to
// one Deployment (from a tree node); else every Deployment the environment owns that has a previous revision.

export async function rollback(c: Container, arg?: EnvArg & { deployment?: string }): Promise<void> {
  const picked = await pickKubernetesEnvironment(c, arg);
  if (!picked) return;
  await vscode.commands.executeCommand('helixDeploy.deploy.rollback', { ...picked, deployment: arg?.deployment });
}
