import type { Container } from '../../container';
import type { Views } from '../../views';
import { LocalActions } from './actions';
import { startDocker, usePodman } from './engineActions';
import { LogSessions } from './logs';

/** The local Docker loop's commands; the engine, watch and service are the container's (c.local). */
export function registerLocal(c: Container, views: Views): void {
  const rt = c.local;
  const logs = c.own(new LogSessions(c, rt));
  const a = new LocalActions(c, rt, logs);
  c.registerCommand('helixDeploy.local.build', (n) => a.build(n));
  c.registerCommand('helixDeploy.local.start', (n) => a.start(n));
  c.registerCommand('helixDeploy.local.stop', (n) => a.simple('stop', n));
  c.registerCommand('helixDeploy.local.restart', (n) => a.simple('restart', n));
  c.registerCommand('helixDeploy.local.remove', (n) => a.simple('remove', n));
  c.registerCommand('helixDeploy.local.showLogs', (n) => a.showLogs(n));
  c.registerCommand('helixDeploy.local.openInBrowser', (n) => a.openInBrowser(n));
  c.registerCommand('helixDeploy.local.checkHealth', (n) => a.checkHealth(n));
  c.registerCommand('helixDeploy.local.showRunLog', (n) => a.showRunLog(n));
  c.registerCommand('helixDeploy.local.showFailingStep', (n) => a.showFailingStep(n));
  c.registerCommand('helixDeploy.local.refresh', () => (views.environments.refresh(), rt.watch.refresh()));
  c.registerCommand('helixDeploy.local.showMoreHistory', () => views.deployments.showMoreHistory());
  c.registerCommand('helixDeploy.local.startDocker', (run) => startDocker(c, rt, run.signal), {
    progress: { title: 'Starting the container engine…' },
  });
  c.registerCommand('helixDeploy.local.usePodman', () => usePodman(c));
}
