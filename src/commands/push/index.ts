import type { Container } from '../../container';
import { PushActions } from './actions';

/**
 * Registry pushes and cloud deploys: Push Image, Sign In/Out, Deploy to Helix Cloud / Fly.io. Runs go into the
 * container's run history beside builds and plans; the trees read the container's PushStatus.
 */
export function registerPush(c: Container): void {
  const a = new PushActions(c);
  const host = (h: unknown) => (typeof h === 'string' && h ? h : undefined);
  c.registerCommand('helixDeploy.push.pushImage', (n) => a.push(n));
  // An optional registry host (string) skips the pick: from a menu, or the extension-host tests.
  c.registerCommand('helixDeploy.push.signIn', (h) => a.signIn(host(h)));
  c.registerCommand('helixDeploy.push.signOut', (h) => a.signOut(host(h)));
  c.registerCommand('helixDeploy.push.deployHelixCloud', (n) => a.deploy('helix-cloud', n));
  c.registerCommand('helixDeploy.push.deployFly', (n) => a.deploy('fly', n));
  // `[enterprise.<n>] database = ...`: what exists instead of a deploy.
  c.registerCommand('helixDeploy.cloud.openControlPlane', (n) => a.openControlPlane(n));
  c.registerCommand('helixDeploy.cloud.checkHealth', (n) => a.checkHealth(n));
}
