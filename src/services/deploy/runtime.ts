import * as vscode from 'vscode';
import { DeployRunner } from '../../core/engine/engine';
import { projectLocks, projectStateDir, type RunHistory } from '../../core/engine/history';
import { whoAmI } from '../../core/engine/journal';
import { LazyDeployRunner } from '../../core/engine/lazy';
import { Redactor } from '../../core/process/redact';
import type { KubernetesProvider } from '../../providers/kubernetes/provider';
import { PulumiProvider } from '../../providers/pulumi/pulumi';
import { TerraformProvider } from '../../providers/terraform/terraform';
import type { ProjectIndex } from '../projects';
import { editorCostDeps } from './cost';
import { ToolStates } from './tools';

// Plan-first deployments (Terraform, Pulumi, Kubernetes): the engine service the palette commands, the
// panel and the trees share. The logic lives in src/core/engine; this only wires settings and the journal.

export interface DeployRuntime extends vscode.Disposable {
  /** The engine service: startPlan, snapshot, approve(runId, planHash), startApply, cancel, discard, replan, onRunEvent. */
  readonly engine: LazyDeployRunner;
  /** Masks secrets learned from plans; the panel runs its text through it too. */
  readonly redactor: Redactor;
  /** Whether terraform / pulumi / kubernetes can be used: shown on the environments that need them. */
  readonly tools: ToolStates;
}

export interface DeployRuntimeDeps {
  projects: ProjectIndex;
  /** The window's one run history (shared with the local loop, pushes, other windows and the CLI). */
  journal: Promise<RunHistory>;
  kubernetes: () => KubernetesProvider;
  /** Where the Infracost API key is kept. */
  secrets: vscode.SecretStorage;
}

export function createDeployRuntime(deps: DeployRuntimeDeps): DeployRuntime {
  const redactor = new Redactor();
  const settings = () => vscode.workspace.getConfiguration('helixDeploy');
  let who: Promise<string> | undefined;
  const engine = new LazyDeployRunner(async () => {
    const journal = await deps.journal;
    const terraform = new TerraformProvider({
      executable: () => settings().get<string>('terraform.path') || 'terraform',
    });
    const cost = editorCostDeps(deps.secrets, terraform);
    return new DeployRunner({
      journal,
      redactor,
      // Locks and plan files live in the project (shared with the headless CLI run in a terminal or CI).
      locks: (p) => projectLocks(p.dir),
      stateDir: (p) => projectStateDir(p.dir),
      providers: {
        terraform,
        pulumi: new PulumiProvider({ executable: () => settings().get<string>('pulumi.path') || 'pulumi' }),
        kubernetes: deps.kubernetes(),
      },
      who: () => (who ??= whoAmI(deps.projects.projects[0]?.dir)),
      expiryMinutes: () => Math.max(1, settings().get<number>('planExpiryMinutes', 30)),
      cost: () => cost,
      conftest: () => settings().get<string>('conftest.path') || 'conftest',
    });
  });
  const tools = new ToolStates();
  return {
    engine,
    redactor,
    tools,
    dispose: () => {
      tools.dispose();
      void engine.dispose();
    },
  };
}
