import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { Container } from '../../container';
import { startEngine } from '../../core/local/startEngine';
import { run } from '../../core/process/spawn';
import { SETTINGS, type LocalRuntime } from '../../services/local/runtime';

// The ways out of "Docker is not running": start it (the attempts in core/local/startEngine.ts, as
// `helix start` does), or switch to Podman. Everything spawned with argument arrays.

/** Runs under the registrar's progress notification (its Cancel aborts `signal`). */
export async function startDocker(c: Container, rt: LocalRuntime, signal: AbortSignal): Promise<void> {
  const r = await startEngine(
    {
      platform: process.platform,
      run: (cmd, args) => run(cmd, args, { killAfterMs: 5000 }),
      ping: () =>
        rt.engine.ping().then(
          () => true,
          () => false,
        ),
      hasSystemService: () => fs.existsSync('/usr/bin/systemctl'),
    },
    { signal },
  );
  if (r.state === 'started' || r.state === 'starting') {
    c.log.info(`Started the engine with ${r.by}${r.state === 'starting' ? '; it does not answer yet' : ''}.`);
    void rt.watch.refresh();
    if (r.state === 'starting')
      void vscode.window.showInformationMessage(
        `Started with "${r.by}"; the engine does not answer yet. The views reconnect as soon as it does.`,
      );
    return;
  }
  if (r.state === 'needs-root') {
    // System docker on Linux needs root: let the user run it in a terminal they see.
    // Not awaited: the progress notification ends now; the button acts whenever it is clicked.
    const ask = vscode.window.showWarningMessage(
      `Docker runs as a system service here. Start it with "${r.command.join(' ')}" in a terminal?`,
      'Open Terminal',
    );
    void ask.then(
      (a) =>
        a &&
        vscode.window
          .createTerminal({ name: 'Start Docker', shellPath: r.command[0], shellArgs: r.command.slice(1) })
          .show(),
    );
    return;
  }
  c.log.warn(`Could not start a container engine (tried: ${r.tried.join('; ')}).`);
  void vscode.window
    .showErrorMessage(
      'Could not start a container engine. Start Docker Desktop (or Podman) yourself; the views reconnect automatically.',
      'Use Podman',
    )
    .then((a) => a && usePodman(c));
}

export async function usePodman(c: Container): Promise<void> {
  await vscode.workspace.getConfiguration(SETTINGS).update('runtime', 'podman', vscode.ConfigurationTarget.Workspace);
  c.log.info('Switched the container engine to Podman (helixDeploy.docker.runtime = podman).');
}
