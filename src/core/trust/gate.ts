// Workspace trust, enforced at one boundary. In Restricted Mode nothing may start a process, call the container
// engine or contact a cluster: terraform `local-exec`, kubeconfig exec plugins and `docker build` all run code the
// workspace controls. The editor installs one gate (src/container.ts); the process spawner, the Docker client and
// the Kubernetes client factories ask it before acting, so a command or panel message that forgot to check still
// runs nothing. The headless CLI installs no gate: whoever runs it in a terminal or CI trusts the folder.

import { HelixError } from '../errors';

export const RESTRICTED_MESSAGE =
  'Restricted Mode: Helix Deploy runs nothing in an untrusted workspace — Manage Workspace Trust';
/** The action offered with RESTRICTED_MESSAGE. */
export const MANAGE_TRUST = 'Manage Workspace Trust';

/** The one error every refused path throws; the command registrar and the panel show it as a message with its action. */
export class RestrictedModeError extends HelixError {
  /** What was refused ("spawn terraform", "Docker", "command helixDeploy.deploy.plan"), for the log only. */
  constructor(readonly what: string) {
    super('restricted', RESTRICTED_MESSAGE, { actions: [MANAGE_TRUST] });
  }
}

/**
 * Commands that start no process and call neither Docker nor a cluster (they read the history, open views, write
 * files the user asked for, or change settings): usable in Restricted Mode. Every other command crosses the gate.
 */
export const RESTRICTED_MODE_COMMANDS: ReadonlySet<string> = new Set([
  'helixDeploy.createStarter',
  'helixDeploy.refresh',
  'helixDeploy.showLog',
  'helixDeploy.deploy.showPlan',
  'helixDeploy.deploy.showRun',
  'helixDeploy.deploy.setTerraformPath',
  'helixDeploy.deploy.setPulumiPath',
  'helixDeploy.copyRunSummary',
  'helixDeploy.kubernetes.writeStarterManifests',
  'helixDeploy.selectCliGeneration',
  'helixDeploy.local.showRunLog',
  'helixDeploy.local.showMoreHistory',
  'helixDeploy.local.refresh',
  'helixDeploy.panel.open',
  'helixDeploy.cloud.openControlPlane',
]);

export class TrustGate {
  /** Every refusal, oldest first (bounded): what tests and the log read to see that nothing ran. */
  readonly refused: string[] = [];

  constructor(private readonly isTrusted: () => boolean) {}

  get trusted(): boolean {
    return this.isTrusted();
  }

  /** Throws RestrictedModeError unless the workspace is trusted. */
  assert(what: string): void {
    if (this.isTrusted()) return;
    if (this.refused.push(what) > 1000) this.refused.shift();
    throw new RestrictedModeError(what);
  }
}

let installed: TrustGate | undefined;

/** Makes `gate` the process-wide boundary (the editor's container does this once); returns the uninstaller. */
export function installTrustGate(gate: TrustGate): () => void {
  installed = gate;
  return () => {
    if (installed === gate) installed = undefined;
  };
}

/** Called by the process spawner and the Docker/Kubernetes client factories before anything leaves this process. */
export function assertTrusted(what: string): void {
  installed?.assert(what);
}

export function isRestrictedModeError(err: unknown): err is RestrictedModeError {
  return (
    err instanceof RestrictedModeError || (err instanceof Error && (err as { code?: unknown }).code === 'restricted')
  );
}
