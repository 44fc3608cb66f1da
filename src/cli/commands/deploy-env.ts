import * as fs from 'node:fs';
import * as path from 'node:path';
import { readProject } from '../../core/config/project';
import { HeadlessDeployRunner } from '../../core/engine/headless';
import { DeployError } from '../../core/engine/errors';
import { projectLocks, projectStateDir, RunHistory } from '../../core/engine/history';
import { formatWarning, isTerminal } from '../../core/engine/journal';
import { recoverOrphanedRun } from '../../core/engine/orphans';
import { deployTargetFor, DeployTargetError, type DeployTarget } from '../../core/engine/target';
import { whoAmI } from '../../core/engine/who';
import { Redactor } from '../../core/process/redact';
import { PulumiProvider } from '../../providers/pulumi/pulumi';
import { TerraformProvider } from '../../providers/terraform/terraform';
import { KubernetesProvider } from '../../providers/kubernetes/provider';
import { InfracostProvider } from '../../providers/infracost/infracost';
import type { CostDeps } from '../../core/cost/estimator';
import { HelixError, type HelixErrorOptions, messageOf } from '../../core/errors';

// Shared by `helix-deploy plan` and `apply`: the project in --project (default: the current folder), the
// same engine, run history (.helix/runs.jsonl), locks (.helix/locks) and plan folder (.helix/plans) as the
// extension uses, so CLI and editor see each other's runs and never run the same environment twice at once.

export interface CliDeployRunner {
  engine: HeadlessDeployRunner;
  target: DeployTarget;
  close(): Promise<void>;
}

export class CliUsageError extends HelixError {
  constructor(message: string, options?: HelixErrorOptions) {
    super('usage', message, options);
  }
}

export async function openCliDeployRunner(envName: string, projectDir: string | undefined): Promise<CliDeployRunner> {
  const dir = path.resolve(projectDir ?? '.');
  const configFile = path.join(dir, 'helix.toml');
  if (!fs.existsSync(configFile)) throw new CliUsageError(`no helix.toml in ${dir} (use --project DIR)`);
  const deployFile = path.join(dir, 'helix.deploy.toml');
  const project = readProject(
    configFile,
    readText(configFile),
    fs.existsSync(deployFile) ? readText(deployFile) : undefined,
  );
  if (!project) throw new CliUsageError(`${configFile} is not a HelixDB project file (no [project] table)`);
  let target: DeployTarget;
  try {
    target = deployTargetFor(project, envName);
  } catch (err) {
    if (err instanceof DeployTargetError) throw new CliUsageError(err.message);
    throw err;
  }
  const redactor = new Redactor();
  // recoverRun: a run whose CLI died while its terraform ran on gets terraform's real outcome (orphans.ts).
  const journal = new RunHistory({ redact: (s) => redactor.redact(s), recoverRun: recoverOrphanedRun });
  // A damaged history line is skipped and said, never a reason to stop a plan or an apply.
  journal.onWarning((w) => process.stderr.write(`helix-deploy: warning: run history ${formatWarning(w)}\n`));
  await journal.openProject(dir);
  const terraform = cliTerraform();
  const cost = cliCostDeps(terraform);
  const engine = new HeadlessDeployRunner({
    journal,
    redactor,
    locks: projectLocks(dir),
    stateDir: projectStateDir(dir),
    cost: () => cost,
    providers: {
      terraform,
      pulumi: new PulumiProvider({ executable: () => process.env.HELIX_DEPLOY_PULUMI_PATH || 'pulumi' }),
      // kubeconfig as kubectl finds it (KUBECONFIG, ~/.kube/config) unless the environment names one.
      kubernetes: new KubernetesProvider({ kubectl: () => process.env.HELIX_DEPLOY_KUBECTL_PATH || undefined }),
    },
    who: () => whoAmI(dir),
    expiryMinutes: () => Number(process.env.HELIX_DEPLOY_PLAN_EXPIRY_MINUTES) || 30,
    conftest: () => process.env.HELIX_DEPLOY_CONFTEST_PATH || 'conftest',
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

export function cliTerraform(): TerraformProvider {
  return new TerraformProvider({ executable: () => process.env.HELIX_DEPLOY_TERRAFORM_PATH || 'terraform' });
}

/** Cost sources of the CLI: Infracost as found on PATH (or HELIX_DEPLOY_INFRACOST_PATH) with its own INFRACOST_API_KEY. */
export function cliCostDeps(terraform: TerraformProvider): CostDeps {
  return {
    infracost: new InfracostProvider({
      executable: () => process.env.HELIX_DEPLOY_INFRACOST_PATH || 'infracost',
      apiKey: () => process.env.INFRACOST_API_KEY,
      howToSetPath: 'set HELIX_DEPLOY_INFRACOST_PATH',
    }),
    terraformShowJson: (req) => terraform.showJson(req),
  };
}

/** Node's fs errors name no file for reads ("EISDIR: illegal operation on a directory, read"): add it. */
function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CliUsageError(
      `cannot read ${file}: ${e.code === 'EISDIR' ? 'it is a folder, not a file' : e.code === 'EACCES' ? 'permission denied' : e.message}`,
    );
  }
}

/** How to point the CLI at each tool (the VS Code settings the providers name have these equivalents). */
const CLI_SETTING: Record<string, string> = {
  'helixDeploy.terraform.path': 'set HELIX_DEPLOY_TERRAFORM_PATH, or put terraform on PATH',
  'helixDeploy.pulumi.path': 'set HELIX_DEPLOY_PULUMI_PATH, or put pulumi on PATH',
  'helixDeploy.kubernetes.kubectlPath': 'set HELIX_DEPLOY_KUBECTL_PATH, or put kubectl on PATH',
  // The kubeconfig message already says where it looked and what to set.
  'helixDeploy.kubernetes.kubeconfig': '',
};

/** Streams the run's log lines to stderr (stdout is kept for the summary / JSON). */
export function streamLogs(engine: HeadlessDeployRunner, quiet: boolean): { dispose(): void } {
  if (quiet) return { dispose() {} };
  return engine.onRunEvent((e) => {
    if (e.type === 'log') for (const l of e.lines) process.stderr.write(`${l}\n`);
  });
}

const INTERRUPTS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Exit status when we stop waiting (128 + the signal's number, as a shell reports a process killed by it). */
const SIGNAL_EXIT: Record<(typeof INTERRUPTS)[number], number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/**
 * Ctrl-C (SIGINT), SIGTERM (CI cancellation) and SIGHUP (closed terminal) all cancel the environment's active
 * run: the tool gets its interrupt, we wait for it and record what it really did (an apply that completed
 * anyway is Applied). A second signal says we are still waiting; a third stops waiting and exits 128+signal,
 * leaving the tool to finish on its own (it runs detached; the next helix-deploy run records its outcome).
 * A signal before any run began exits at once (nothing was started); one after the run ended changes nothing.
 */
export function cancelOnSigint(engine: HeadlessDeployRunner, environment: string): { dispose(): void } {
  let count = 0;
  const say = (text: string) => {
    try {
      process.stderr.write(`helix-deploy: ${text}\n`);
    } catch {
      /* the terminal may be gone (SIGHUP) */
    }
  };
  // After SIGHUP the terminal is gone: a failed write must not end the process while the tool is waited for.
  const ignore = () => undefined;
  process.stdout.on('error', ignore);
  process.stderr.on('error', ignore);
  const onSignal = (sig: (typeof INTERRUPTS)[number]) => {
    count++;
    const mine = engine.list({ environment }).filter((r) => r.pid === process.pid);
    const active = mine.filter((r) => !isTerminal(r.state));
    if (!mine.length) {
      say(`${sig}: no run had started; exiting.`);
      process.exit(SIGNAL_EXIT[sig]);
    }
    if (!active.length) return say(`${sig}: the run is over (${mine[0].state}); finishing.`);
    const tool = String(active[0].meta?.tool ?? 'the tool');
    if (count === 1) {
      say(`${sig}: interrupting ${tool} and waiting for it to stop cleanly (it finishes the operations in flight).`);
      for (const r of active) void engine.cancel(r.id, sig === 'SIGINT' ? 'Ctrl-C' : sig);
    } else if (count === 2) {
      say(
        `${sig}: still waiting for ${tool} to stop. Interrupt once more to stop waiting: ${tool} then keeps running on its own, the environment stays locked until it ends, and the next helix-deploy run records its outcome.`,
      );
    } else {
      say(`${sig}: no longer waiting; ${tool} keeps running on its own (run ${active[0].id}).`);
      process.exit(SIGNAL_EXIT[sig]);
    }
  };
  const handlers = INTERRUPTS.map((sig) => [sig, () => onSignal(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  return {
    dispose: () => {
      for (const [sig, h] of handlers) process.off(sig, h);
      process.stdout.off('error', ignore);
      process.stderr.off('error', ignore);
    },
  };
}

/** Prints an engine error with its actions as hints; returns the exit code. */
export function reportError(cmd: string, err: unknown): number {
  if (err instanceof CliUsageError) {
    process.stderr.write(`helix-deploy ${cmd}: ${err.message}\n`);
    return 2;
  }
  if (err instanceof DeployError) {
    const setting = err.details.setting && CLI_SETTING[err.details.setting];
    const hint =
      err.code === 'tool-missing'
        ? setting === ''
          ? ''
          : ` (${setting ?? 'set HELIX_DEPLOY_TERRAFORM_PATH / HELIX_DEPLOY_PULUMI_PATH / HELIX_DEPLOY_KUBECTL_PATH, or put the tool on PATH'})`
        : err.actions.includes('Re-plan') && !err.message.includes('helix-deploy plan')
          ? ' (run `helix-deploy plan` again)'
          : '';
    process.stderr.write(`helix-deploy ${cmd}: ${err.message}${hint}\n`);
    return 1;
  }
  process.stderr.write(`helix-deploy ${cmd}: ${messageOf(err)}\n`);
  return 1;
}
