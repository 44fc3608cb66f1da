import * as vscode from 'vscode';
import type { Container } from '../../container';
import type { Journal } from '../../core/engine/journal';
import { PushActions } from './actions';
import { PushSecrets } from './secrets';
import { PushStatus } from './status';

declare module '../../container' {
  interface Container {
    /** Last pushed tag and digest per registry environment, for the trees. */
    pushStatus?: PushStatus;
  }
}

/**
 * Registry pushes and cloud deploys: Push Image, Sign In/Out, Deploy to Helix Cloud / Fly.io.
 * Returns the PushStatus the trees read "last pushed tag @ digest" from. Pass the workspace's shared
 * run journal so push and deploy runs appear in the run history beside builds and plans.
 */
export function registerPush(c: Container, journal?: () => Promise<Journal>): PushStatus {
  const status = (c.pushStatus = c.own(new PushStatus()));
  const secrets = new PushSecrets(c.context);
  const a = new PushActions(c, secrets, status, journal);
  const commands: Record<string, (...args: any[]) => unknown> = {
    'helixDeploy.push.pushImage': (n) => a.push(n),
    'helixDeploy.push.signIn': () => a.signIn(),
    'helixDeploy.push.signOut': () => a.signOut(),
    'helixDeploy.push.deployHelixCloud': (n) => a.deploy('helix-cloud', n),
    'helixDeploy.push.deployFly': (n) => a.deploy('fly', n),
  };
  for (const [id, fn] of Object.entries(commands)) c.own(vscode.commands.registerCommand(id, fn));
  return status;
}
