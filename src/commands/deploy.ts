import * as vscode from 'vscode';
import type { Container } from '../container';
import { AUTO_ROLLBACK_WHO, DeployEngine } from '../core/engine/engine';
import { whoAmI } from '../core/engine/journal';
import { LazyDeployEngine } from '../core/engine/lazy';
import { projectLocks, projectStateDir } from '../core/engine/history';
import { Redactor } from '../core/process/redact';
import { PulumiProvider } from '../providers/pulumi/pulumi';
import { TerraformProvider } from '../providers/terraform/terraform';
import { healthResultOfRun } from '../core/engine/health';
import { DeployFlows } from './deploy-flow';
import { ToolStates } from './deploy-tools';

// Plan-first deployments in VS Code: the engine service (for the panel of issue 6 and the trees) and the
// palette commands Plan / Approve / Apply / Destroy / Cancel / Re-plan. The logic lives in src/core/engine;
// this file only wires settings, the shared journal and the commands.

export interface DeployRuntime {
  /** The engine service: startPlan, snapshot, approve(runId, planHash), startApply, cancel, discard, replan, onRunEvent. */
  engine: LazyDeployEngine;
  /** Masks secrets learned from plans; the panel runs its text through it too. */
  redactor: Redactor;
  /** Whether terraform / pulumi / kubernetes can be used: shown on the environments that need them. */
  tools: ToolStates;
}

declare module '../container' {
  interface Container {
    /** Plan-first deployments (Terraform, Pulumi, Kubernetes). */
    deploy?: DeployRuntime;
  }
}

export function registerDeploy(c: Container): void {
  const redactor = new Redactor();
  const settings = () => vscode.workspace.getConfiguration('helixDeploy');
  let who: Promise<string> | undefined;
  const engine = new LazyDeployEngine(async () => {
    // The projects' run histories (shared with the local Docker loop, pushes, other windows and the CLI).
    const journal = await c.journal;
    return new DeployEngine({
      journal,
      redactor,
      // Locks and plan files live in the project (shared with the headless CLI run in a terminal or CI).
      locks: (p) => projectLocks(p.dir),
      stateDir: (p) => projectStateDir(p.dir),
      providers: {
        terraform: new TerraformProvider({ executable: () => settings().get<string>('terraform.path') || 'terraform' }),
        pulumi: new PulumiProvider({ executable: () => settings().get<string>('pulumi.path') || 'pulumi' }),
        // Created by registerKubernetes (src/commands/kubernetes), which activate() runs after this: read lazily.
        get kubernetes() {
          return c.kubernetes?.provider;
        },
      },
      who: () => (who ??= whoAmI(c.projects.projects[0]?.dir)),
      expiryMinutes: () => Math.max(1, settings().get<number>('planExpiryMinutes', 30)),
      conftest: () => settings().get<string>('conftest.path') || 'conftest',
    });
  });
  const tools = c.own(new ToolStates());
  c.deploy = { engine, redactor, tools };
  c.own({ dispose: () => void engine.dispose() });

  const flows = new DeployFlows(c, engine, tools);
  // The engine checks health as the last step of every apply, from any path: its verdict is the
  // environment's health in the Deployments view, with or without a panel open.
  c.own(engine.onRunEvent((e) => {
    if (e.type !== 'state' || !e.run) return;
    const r = healthResultOfRun(e.run);
    if (r && e.run.projectDir) c.local?.health.set(`${e.run.projectDir}#${e.run.environment}`, r);
    // An automatic rollback stops at Planned only in a protected environment: a person must approve it.
    if (e.state === 'Planned' && e.run.kind === 'rollback' && e.run.who === AUTO_ROLLBACK_WHO) {
      const run = e.run;
      const env = c.projects.projects.find((p) => p.dir === run.projectDir)?.environments.find((x) => x.name === run.environment);
      if (env?.protected) void flows.autoRollbackPlanned(run.id, run.environment);
    }
  }));

  const commands: Record<string, (...args: any[]) => unknown> = {
    'helixDeploy.deploy.plan': (n) => flows.plan(n, false),
    'helixDeploy.deploy.destroy': (n) => flows.plan(n, true),
    'helixDeploy.deploy.approve': (n) => flows.approve(n),
    'helixDeploy.deploy.apply': (n) => flows.apply(n),
    'helixDeploy.deploy.cancel': (n) => flows.cancel(n),
    'helixDeploy.deploy.replan': (n) => flows.replan(n),
    'helixDeploy.deploy.rollback': (n) => flows.rollback(n),
    'helixDeploy.deploy.showPlan': (n) => flows.showPlan(n),
    'helixDeploy.deploy.showRun': (runId) => flows.showRun(runId),
    'helixDeploy.deploy.checkTools': () => flows.checkTools(),
    'helixDeploy.deploy.setTerraformPath': () => flows.setToolPath('terraform'),
    'helixDeploy.deploy.setPulumiPath': () => flows.setToolPath('pulumi'),
  };
  for (const [id, fn] of Object.entries(commands)) c.registerCommand(id, fn);
  // A missing terraform/pulumi is a state (context keys for menus/welcome views), checked when projects load.
  c.own(c.projects.onDidChange(() => void flows.checkTools(true)));
  c.own(vscode.workspace.onDidChangeConfiguration((e) => {
    const keys = ['helixDeploy.terraform.path', 'helixDeploy.pulumi.path', 'helixDeploy.kubernetes.kubeconfig', 'helixDeploy.kubernetes.kubectlPath'];
    if (keys.some((k) => e.affectsConfiguration(k))) void flows.checkTools(true);
  }));
}
