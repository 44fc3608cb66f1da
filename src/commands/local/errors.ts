import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Container } from '../../container';
import { LocalError } from '../../core/local/errors';
import { buildPlan, type LocalInstance } from '../../core/local/naming';

// Turns a LocalError into a notification with the buttons that fix it. Returns what the user chose,
// so the caller can retry (e.g. start again on the suggested port). Anything else is rethrown for the
// command registrar to show.

export type Fix = { kind: 'retry-port'; port: number } | { kind: 'build-then-start' } | { kind: 'retry' } | undefined;

export async function showLocalError(c: Container, err: unknown, t?: LocalInstance): Promise<Fix> {
  if (!(err instanceof LocalError)) throw err;
  c.log.warn(`${err.code}: ${err.message}`);
  switch (err.code) {
    case 'cancelled':
      return undefined;
    case 'no-engine':
    case 'daemon-stopped': {
      const a = await vscode.window.showErrorMessage(err.message, 'Start Docker', 'Use Podman', 'Retry');
      if (a === 'Start Docker') await vscode.commands.executeCommand('helixDeploy.local.startDocker');
      if (a === 'Use Podman') await vscode.commands.executeCommand('helixDeploy.local.usePodman');
      return a === 'Retry' ? { kind: 'retry' } : undefined;
    }
    case 'permission-denied': {
      const a = await vscode.window.showErrorMessage(err.message, 'Choose Socket…');
      if (a) await vscode.commands.executeCommand('workbench.action.openSettings', 'helixDeploy.docker.host');
      return undefined;
    }
    case 'port-in-use': {
      const actions = err.detail.suggestedPort ? [`Use Port ${err.detail.suggestedPort}`] : [];
      const a = await vscode.window.showErrorMessage(
        `${err.message}${err.detail.suggestedPort ? ` Port ${err.detail.suggestedPort} is free.` : ''}`,
        ...actions,
        'Edit helix.toml',
      );
      if (a === 'Edit helix.toml' && t) await vscode.window.showTextDocument(vscode.Uri.file(t.project.configFile));
      return a?.startsWith('Use Port') ? { kind: 'retry-port', port: err.detail.suggestedPort! } : undefined;
    }
    case 'image-missing': {
      const canBuild = t && buildPlan(t);
      const a = await vscode.window.showErrorMessage(err.message, ...(canBuild ? ['Build and Start'] : []));
      return a ? { kind: 'build-then-start' } : undefined;
    }
    case 'build-failed': {
      const a = await vscode.window.showErrorMessage(err.message, 'Show Failing Step', 'Show Output');
      if (a === 'Show Output') c.log.show();
      if (a === 'Show Failing Step' && t) await revealStep(t, err.detail.failedStep);
      return undefined;
    }
    case 'config-invalid':
    case 'sidecar-unavailable': {
      // Fixed in helix.toml (the storage settings) or helix.deploy.toml (sidecar_image pointing at a mirror).
      const file = err.code === 'sidecar-unavailable' ? 'helix.deploy.toml' : 'helix.toml';
      const a = await vscode.window.showErrorMessage(err.message, ...(t ? [`Edit ${file}`] : []), 'Show Output');
      if (a === `Edit ${file}` && t) {
        const uri = vscode.Uri.joinPath(vscode.Uri.file(t.project.dir), file);
        const exists = await vscode.workspace.fs.stat(uri).then(
          () => true,
          () => false,
        );
        await vscode.window.showTextDocument(exists ? uri : uri.with({ scheme: 'untitled' }));
      }
      if (a === 'Show Output') c.log.show();
      return undefined;
    }
    case 'not-healthy': {
      const a = await vscode.window.showErrorMessage(err.message, 'Show Logs');
      if (a) await vscode.commands.executeCommand('helixDeploy.local.showLogs');
      return undefined;
    }
    default:
      void vscode.window.showErrorMessage(err.message, 'Show Output').then((a) => a && c.log.show());
      return undefined;
  }
}

/** Opens the Dockerfile with the failing instruction selected ("Step 3/5 : COPY x /y"). */
export async function revealStep(t: LocalInstance, step: string | undefined): Promise<void> {
  const plan = buildPlan(t);
  if (!plan) return;
  const file = path.join(plan.context, plan.dockerfile);
  const instruction = step?.replace(/^Step \d+\/\d+ :\s*/, '').trim();
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  const idx = instruction
    ? lines.findIndex((l) => l.trim() === instruction || (l.trim().length > 0 && instruction.startsWith(l.trim())))
    : -1;
  const doc = await vscode.workspace.openTextDocument(file);
  const range = idx >= 0 ? new vscode.Range(idx, 0, idx, lines[idx].length) : new vscode.Range(0, 0, 0, 0);
  await vscode.window.showTextDocument(doc, { selection: range });
}
