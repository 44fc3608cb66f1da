import type { CommandHandler, Container } from '../../container';
import type { RunStore } from '../../core/engine/journal';
import { PushActions } from './actions';
import { Notices } from './notices';
import { PushSecrets } from './secrets';
import { PushStatus } from './status';

declare module '../../container' {
  interface Container {
    /** Last pushed tag and digest, last deploy URL and health, per environment, for the trees. */
    pushStatus?: PushStatus;
    /** The push layer's notifications as events (the extension-host tests read what was shown). */
    pushNotices?: Notices;
    /** What a Helix Cloud environment offers (the Environments tree reads it). */
    pushActions?: PushActions;
  }
}

/**
 * Registry pushes and cloud deploys: Push Image, Sign In/Out, Deploy to Helix Cloud / Fly.io.
 * Returns the PushStatus the trees read "last pushed tag @ digest" from. Pass the workspace's shared
 * run journal so push and deploy runs appear in the run history beside builds and plans.
 */
export function registerPush(c: Container, journal?: () => Promise<RunStore>): PushStatus {
  const status = (c.pushStatus = c.own(new PushStatus()));
  // Deploy health lives in the window's HealthService (registerLocal may come later: looked up lazily).
  status.healthOf = (project, environment) => {
    const p = c.projects.projects.find((x) => x.name === project);
    return p ? c.local?.health.get(`${p.dir}#${environment}`)?.status : undefined;
  };
  const notices = (c.pushNotices = c.own(new Notices()));
  const secrets = new PushSecrets(c.context);
  const a = new PushActions(c, secrets, status, notices, journal);
  const host = (h: unknown) => (typeof h === 'string' && h ? h : undefined);
  const commands: Record<string, CommandHandler> = {
    'helixDeploy.push.pushImage': (n) => a.push(n),
    // An optional registry host (string) skips the pick: from a menu, or the extension-host tests.
    'helixDeploy.push.signIn': (h) => a.signIn(host(h)),
    'helixDeploy.push.signOut': (h) => a.signOut(host(h)),
    'helixDeploy.push.deployHelixCloud': (n) => a.deploy('helix-cloud', n),
    'helixDeploy.push.deployFly': (n) => a.deploy('fly', n),
    // `[enterprise.<n>] database = ...`: what exists instead of a deploy.
    'helixDeploy.cloud.openControlPlane': (n) => a.openControlPlane(n),
    'helixDeploy.cloud.checkHealth': (n) => a.checkHealth(n),
  };
  c.pushActions = a;
  for (const [id, fn] of Object.entries(commands)) c.registerCommand(id, fn);
  return status;
}
