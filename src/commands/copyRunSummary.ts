import * as vscode from 'vscode';
import type { Container } from '../container';
import type { RunRecord } from '../core/engine/records';
import { runSummaryMarkdown } from '../core/engine/runSummary';
import type { PlanModel } from '../core/plan/model';
import { pickEnvironment } from '../ui/pickEnvironment';

// "Copy Run Summary": a run (from the Deployments view's history, the panel, or the last run of an environment
// picked in the palette) as Markdown for a pull-request comment, onto the clipboard. The Markdown is built in
// src/core/engine/runSummary.ts; this file only finds the run and its plan. Returns the Markdown (tests read it).

export const COPY_RUN_SUMMARY_COMMAND = 'helixDeploy.copyRunSummary';

type Arg =
  | string
  | {
      run?: RunRecord;
      runId?: string;
      model?: PlanModel;
      project?: { dir: string; name: string };
      environment?: { name: string };
    }
  | undefined;

export function registerCopyRunSummary(c: Container): void {
  c.registerCommand(COPY_RUN_SUMMARY_COMMAND, (arg?: Arg) => copyRunSummary(c, arg));
}

export async function copyRunSummary(c: Container, arg: Arg): Promise<string | undefined> {
  const history = c.history;
  const a = typeof arg === 'string' ? { runId: arg } : (arg ?? {});
  let run = a.run ? (history.get(a.run.id) ?? a.run) : a.runId ? history.get(a.runId) : undefined;
  if (!run && a.runId) {
    void vscode.window.showWarningMessage(`Run ${a.runId} is not in the run history.`);
    return undefined;
  }
  if (!run) {
    let env =
      a.project && a.environment
        ? { dir: a.project.dir, project: a.project.name, name: a.environment.name }
        : undefined;
    if (!env) {
      const picked = await pickEnvironment(
        c,
        (e, p) => history.list({ projectDir: p.dir, project: p.name, environment: e.name, limit: 1 }).length > 0,
        {
          title: 'Helix: Copy Run Summary',
          none: 'No environment has a run yet: plan, build or deploy one first.',
        },
      );
      if (!picked) return undefined;
      env = { dir: picked.project.dir, project: picked.project.name, name: picked.environment.name };
    }
    run = history.list({ projectDir: env.dir, project: env.project, environment: env.name, limit: 1 })[0];
    if (!run) {
      void vscode.window.showInformationMessage(`${env.project} / ${env.name} has no run yet.`);
      return undefined;
    }
  }
  // The plan: what the panel shows, else what the engine still holds; else the recorded counts only.
  const model = a.model ?? c.deploy.engine.snapshot(run.id)?.model;
  const redactor = c.deploy.redactor;
  const markdown = runSummaryMarkdown({ run, model, redact: (t) => redactor.redact(t) });
  await vscode.env.clipboard.writeText(markdown);
  void vscode.window.showInformationMessage(
    `Summary of ${run.kind} ${run.project}/${run.environment} (${run.state}) copied as Markdown.`,
  );
  return markdown;
}
