import * as fs from 'node:fs';
import * as path from 'node:path';
import { readProject } from '../../core/config/project';
import { HeadlessDeployEngine } from '../../core/engine/headless';
import { EngineError } from '../../core/engine/errors';
import { projectLocks, projectStateDir, RunHistory } from '../../core/engine/history';
import { formatWarning } from '../../core/engine/journal';
import { deployTargetFor, TargetError, type DeployTarget } from '../../core/engine/target';
import { whoAmI } from '../../core/engine/who';
import { Redactor } from '../../core/process/redact';
import { PulumiProvider } from '../../providers/pulumi/pulumi';
import { TerraformProvider } from '../../providers/terraform/terraform';
import { KubernetesProvider } from '../../providers/kubernetes/provider';

// Shared by `helix-deploy plan` and `apply`: the project in --project (default: the current folder), the
// same engine, run history (.helix/runs.jsonl), locks (.helix/locks) and plan folder (.helix/plans) as the
// extension uses, so CLI and editor see each other's runs and never run the same environment twice at once.

export interface CliEngine {
  engine: HeadlessDeployEngine;
  target: DeployTarget;
  close(): Promise<void>;
}

export class CliUsageError extends Error {}

export async function openCliEngine(envName: string, projectDir: string | undefined): Promise<CliEngine> {
  const dir = path.resolve(projectDir ?? '.');
  const configFile = path.join(dir, 'helix.toml');
  if (!fs.existsSync(configFile)) throw new CliUsageError(`no helix.toml in ${dir} (use --project DIR)`);
  const deployFile = path.join(dir, 'helix.deploy.toml');
  const project = readProject(configFile, fs.readFileSync(configFile, 'utf8'), fs.existsSync(deployFile) ? fs.readFileSync(deployFile, 'utf8') : undefined);
  if (!project) throw new CliUsageError(`${configFile} is not a HelixDB project file (no [project] table)`);
  let target: DeployTarget;
  try {
    target = deployTargetFor(project, envName);
  } catch (err) {
    if (err instanceof TargetError) throw new CliUsageError(err.message);
    throw err;
  }
  const redactor = new Redactor();
  const journal = new RunHistory({ redact: (s) => redactor.redact(s) });
  // A damaged history line is skipped and said, never a reason to stop a plan or an apply.
  journal.onWarning((w) => process.stderr.write(`helix-deploy: warning: run history ${formatWarning(w)}\n`));
  await journal.openProject(dir);
  const engine = new HeadlessDeployEngine({
    journal,
    redactor,
    locks: projectLocks(dir),
    stateDir: projectStateDir(dir),
    providers: {
      terraform: new TerraformProvider({ executable: () => process.env.HELIX_DEPLOY_TERRAFORM_PATH || 'terraform' }),
      pulumi: new PulumiProvider({ executable: () => process.env.HELIX_DEPLOY_PULUMI_PATH || 'pulumi' }),
      // kubeconfig as kubectl finds it (KUBECONFIG, ~/.kube/config) unless the environment names one.
      kubernetes: new KubernetesProvider({ kubectl: () => process.env.HELIX_DEPLOY_KUBECTL_PATH || undefined }),
    },
    who: () => whoAmI(dir),
    expiryMinutes: () => Number(process.env.HELIX_DEPLOY_PLAN_EXPIRY_MINUTES) || 30,
  });
  return {
    engine,
    target,
    async close() {
      await engine.dispose();
      await journal.close();
    },
  };
}

/** Streams the run's log lines to stderr (stdout is kept for the summary / JSON). */
export function streamLogs(engine: HeadlessDeployEngine, quiet: boolean): { dispose(): void } {
  if (quiet) return { dispose() {} };
  return engine.onRunEvent((e) => {
    if (e.type === 'log') for (const l of e.lines) process.stderr.write(`${l}\n`);
  });
}

/** Ctrl-C cancels the environment's active run (terraform gets its interrupt, the run ends Cancelled). */
export function cancelOnSigint(engine: HeadlessDeployEngine, environment: string): { dispose(): void } {
  const onSigint = () => {
    // Only this process's runs: the history also holds the editor's and other CLIs' runs.
    for (const r of engine.list({ active: true, environment })) if (r.pid === process.pid) void engine.cancel(r.id, 'Ctrl-C');
  };
  process.on('SIGINT', onSigint);
  return { dispose: () => void process.off('SIGINT', onSigint) };
}

/** Prints an engine error with its actions as hints; returns the exit code. */
export function reportError(cmd: string, err: unknown): number {
  if (err instanceof CliUsageError) {
    process.stderr.write(`helix-deploy ${cmd}: ${err.message}\n`);
    return 2;
  }
  if (err instanceof EngineError) {
    const hint =
      err.code === 'tool-missing' ? ' (set HELIX_DEPLOY_TERRAFORM_PATH / HELIX_DEPLOY_PULUMI_PATH, or put the tool on PATH)'
      : err.actions.includes('Re-plan') ? ' (run `helix-deploy plan` again)'
      : '';
    process.stderr.write(`helix-deploy ${cmd}: ${err.message}${hint}\n`);
    return 1;
  }
  process.stderr.write(`helix-deploy ${cmd}: ${(err as Error)?.message ?? String(err)}\n`);
  return 1;
}
