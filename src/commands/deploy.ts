import { envKey } from '../core/model/environment-ref';
import * as vscode from 'vscode';
import type { Container } from '../container';
import { AUTO_ROLLBACK_WHO } from '../core/engine/engine';
import { healthResultOfRun } from '../core/engine/health';
import { DeployFlows } from './deploy-flow';

// The palette commands of plan-first deployments: Plan / Approve / Apply / Destroy / Cancel / Re-plan /
// Roll Back. The engine is the container's (c.deploy); this file only wires events and commands.

export function registerDeploy(c: Container): void {
  const { engine, tools } = c.deploy;
  const flows = new DeployFlows(c, engine, tools);
  // The engine checks health as the last step of every apply, from any path: its verdict is the
  // environment's health in the Deployments view, with or without a panel open.
  c.own(
    engine.onRunEvent((e) => {
      if (e.type !== 'state' || !e.run) return;
      const r = healthResultOfRun(e.run);
      if (r && e.run.projectDir) c.health.set(envKey(e.run.projectDir, e.run.environment), r);
      // An automatic rollback stops at Planned only in a protected environment: a person must approve it.
      if (e.state === 'Planned' && e.run.kind === 'rollback' && e.run.who === AUTO_ROLLBACK_WHO) {
        const run = e.run;
        const env = c.projects.projects
          .find((p) => p.dir === run.projectDir)
          ?.environments.find((x) => x.name === run.environment);
        if (env?.protected) void flows.autoRollbackPlanned(run.id, run.environment);
      }
    }),
  );

  c.registerCommand('helixDeploy.deploy.plan', (n) => flows.plan(n, false));
  c.registerCommand('helixDeploy.deploy.destroy', (n) => flows.plan(n, true));
  c.registerCommand('helixDeploy.deploy.approve', (n) => flows.approve(n));
  c.registerCommand('helixDeploy.deploy.apply', (n) => flows.apply(n));
  c.registerCommand('helixDeploy.deploy.cancel', (n) => flows.cancel(n));
  c.registerCommand('helixDeploy.deploy.replan', (n) => flows.replan(n));
  c.registerCommand('helixDeploy.deploy.rollback', (n) => flows.rollback(n));
  c.registerCommand('helixDeploy.deploy.showPlan', (n) => flows.showPlan(n));
  c.registerCommand('helixDeploy.deploy.showRun', (runId) => flows.showRun(runId));
  c.registerCommand('helixDeploy.deploy.checkTools', () => flows.checkTools());
  c.registerCommand('helixDeploy.deploy.setTerraformPath', () => flows.setToolPath('terraform'));
  c.registerCommand('helixDeploy.deploy.setPulumiPath', () => flows.setToolPath('pulumi'));
  // A missing terraform/pulumi is a state (context keys for menus/welcome views), checked when projects load.
  c.own(c.projects.onDidChange(() => void flows.checkTools(true)));
  c.own(
    vscode.workspace.onDidChangeConfiguration((e) => {
      const keys = [
        'helixDeploy.terraform.path',
        'helixDeploy.pulumi.path',
        'helixDeploy.kubernetes.kubeconfig',
        'helixDeploy.kubernetes.kubectlPath',
      ];
      if (keys.some((k) => e.affectsConfiguration(k))) void flows.checkTools(true);
    }),
  );
}
