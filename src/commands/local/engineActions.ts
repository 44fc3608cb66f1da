import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { Container } from '../../container';
import { run } from '../../core/process/spawn';
import { SETTINGS, type LocalRuntime } from './runtime';

// The ways out of "Docker is not running": start it (as `helix start` tries: Docker Desktop, colima,
// podman machine, systemd), or switch to Podman. Everything spawned with argument arrays.

export async function startDocker(c: Container, rt: LocalRuntime): Promise<void> {
  if (!c.trusted) return;
  const attempts: [string, string[]][] =
    process.platform === 'darwin'
      ? [['open', ['-a', 'Docker']], ['colima', ['start']], ['podman', ['machine', 'start']]]
      : process.platform === 'win32'
        ? [['cmd.exe', ['/c', 'start', '', 'Docker Desktop']], ['podman', ['machine', 'start']]]
        : [['systemctl', ['--user', 'start', 'docker-desktop']], ['systemctl', ['--user', 'start', 'docker']], ['systemctl', ['--user', 'start', 'podman.socket']]];
  for (const [cmd, args] of attempts) {
    try {
      const r = await run(cmd, args, { killAfterMs: 5000 });
      if (r.code === 0) {
        c.log.info(`Started the engine with ${cmd} ${args.join(' ')}; reconnecting.`);
        void vscode.window.showInformationMessage('Starting Docker… the views reconnect as soon as it answers.');
        void rt.watch.refresh();
        return;
      }
    } catch {
      /* not installed: try the next */
    }
  }
  // System docker on Linux needs root: let the user run it in a terminal they see.
  if (process.platform === 'linux' && fs.existsSync('/usr/bin/systemctl')) {
    const a = await vscode.window.showWarningMessage('Docker runs as a system service here. Start it with "sudo systemctl start docker" in a terminal?', 'Open Terminal');
    if (a) {
      const term = vscode.window.createTerminal({ name: 'Start Docker', shellPath: 'sudo', shellArgs: ['systemctl', 'start', 'docker'] });
      term.show();
    }
    return;
  }
  void vscode.window.showErrorMessage('Could not start a container engine. Start Docker Desktop (or Podman) yourself; the views reconnect automatically.');
}

export async function usePodman(c: Container): Promise<void> {
  await vscode.workspace.getConfiguration(SETTINGS).update('runtime', 'podman', vscode.ConfigurationTarget.Workspace);
  c.log.info('Switched the container engine to Podman (helixDeploy.docker.runtime = podman).');
}
