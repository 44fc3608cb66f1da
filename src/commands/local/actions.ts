import * as vscode from 'vscode';
import type { Container } from '../../container';
import { readDotenv, redactor, secretValues } from '../../core/local/dotenv';
import { hostPort, nameOf, type LocalInstance } from '../../core/local/naming';
import { presentRun } from '../../core/local/present';
import type { LocalRuntime } from '../../services/local/runtime';
import { withProgress } from '../../ui/progress';
import type { DepNode } from '../../views/deployments';
import { revealStep, showLocalError } from './errors';
import type { LogSessions } from './logs';
import { resolveTarget } from './pick';

// Command handlers of the local loop: resolve the target (tree node or quick picks), run the core
// operation under a cancellable progress notification, and turn errors into actionable messages.

type Report = (message: string) => void;

function maskFor(t: LocalInstance): (s: string) => string {
  try {
    return redactor(secretValues(readDotenv(t.project.dir)));
  } catch {
    return (s) => s;
  }
}

export class LocalActions {
  constructor(
    private readonly c: Container,
    private readonly rt: LocalRuntime,
    private readonly logs: LogSessions,
  ) {}

  private progress<T>(title: string, fn: (signal: AbortSignal, report: Report) => Promise<T>): Thenable<T> {
    return withProgress({ title }, (run) => fn(run.signal, (message) => run.report(message)));
  }

  private lines(t: LocalInstance, kind: string, report?: Report): (line: string) => void {
    const prefix = `[${kind} ${t.project.name}/${t.environment.name}]`;
    return (line) => {
      this.c.log.info(`${prefix} ${line}`);
      // Steps as the legacy builder ("Step 2/3 : RUN make") and BuildKit ("#6 [stage-0 2/3] RUN make") print them.
      if (report && (/^Step \d+\/\d+ :|^#\d+ \[[^\]]*\d+\/\d+\] /.test(line) || /^(Starting|Waiting|Built)/.test(line)))
        report(line.slice(0, 120));
    };
  }

  private async target(arg: unknown, title: string): Promise<LocalInstance | undefined> {
    return resolveTarget(this.c, arg, `Helix: ${title}`);
  }

  async build(arg?: unknown): Promise<boolean> {
    const t = await this.target(arg, 'Build Image');
    if (!t) return false;
    return this.buildTarget(t);
  }

  private async buildTarget(t: LocalInstance): Promise<boolean> {
    try {
      const out = await this.progress(`Helix: Building ${t.project.name}/${t.environment.name}`, (signal, report) =>
        this.rt.service.build(t, { signal, onLine: this.lines(t, 'build', report) }),
      );
      const mb = (out.result.size / 1e6).toFixed(1);
      if (out.overBudgetMB) {
        const budget = vscode.workspace.getConfiguration('helixDeploy.docker').get<number>('imageSizeBudgetMB', 50);
        void vscode.window
          .showWarningMessage(
            `Helix: built ${out.result.tag} (${mb} MB), above the ${budget} MB budget.`,
            'Change Budget',
          )
          .then(
            (a) =>
              a &&
              vscode.commands.executeCommand('workbench.action.openSettings', 'helixDeploy.docker.imageSizeBudgetMB'),
          );
      } else void vscode.window.showInformationMessage(`Helix: built ${out.result.tag} (${mb} MB).`);
      return true;
    } catch (err) {
      await showLocalError(this.c, err, t);
      return false;
    }
  }

  async start(arg?: unknown, port?: number): Promise<void> {
    const t = await this.target(arg, 'Start');
    if (t) await this.startTarget(t, port);
  }

  private async startTarget(t: LocalInstance, port?: number): Promise<void> {
    try {
      const out = await this.progress(`Helix: Starting ${nameOf(t)}`, (signal, report) =>
        this.rt.service.start(t, { port, signal, onLine: this.lines(t, 'start', report) }),
      );
      const url = `http://127.0.0.1:${out.port}`;
      void vscode.window
        .showInformationMessage(`Helix: ${nameOf(t)} is ${out.health.status} on ${url}`, 'Open in Browser', 'Show Logs')
        .then((a) => {
          if (a === 'Open in Browser') void vscode.env.openExternal(vscode.Uri.parse(url));
          if (a === 'Show Logs') void this.logs.show(nameOf(t), false, maskFor(t));
        });
    } catch (err) {
      const fix = await showLocalError(this.c, err, t);
      if (fix?.kind === 'retry-port') await this.startTarget(t, fix.port);
      else if (fix?.kind === 'retry') await this.startTarget(t, port);
      else if (fix?.kind === 'build-then-start' && (await this.buildTarget(t))) await this.startTarget(t, port);
    }
  }

  async simple(kind: 'stop' | 'restart' | 'remove', arg?: unknown): Promise<void> {
    const t = await this.target(arg, kind[0]!.toUpperCase() + kind.slice(1));
    if (!t) return;
    if (kind === 'remove') {
      const ok = await vscode.window.showWarningMessage(
        `Remove ${nameOf(t)}? In-memory data is lost (as with "helix stop").`,
        { modal: true },
        'Remove',
      );
      if (ok !== 'Remove') return;
    }
    const verb = { stop: 'Stopping', restart: 'Restarting', remove: 'Removing' }[kind];
    try {
      await this.progress(`Helix: ${verb} ${nameOf(t)}`, (signal) =>
        this.rt.service[kind](t, { signal, onLine: this.lines(t, kind) }),
      );
    } catch (err) {
      await showLocalError(this.c, err, t);
    }
  }

  async showLogs(arg?: unknown): Promise<void> {
    const node = arg as DepNode | undefined;
    if (node?.type === 'container') {
      await this.logs.show(node.container.name);
      return;
    }
    const t = await this.target(arg, 'Show Logs');
    if (t) await this.logs.show(nameOf(t), true, maskFor(t));
  }

  async openInBrowser(arg?: unknown): Promise<void> {
    const node = arg as DepNode | undefined;
    let port = node?.type === 'container' ? node.container.ports[0]?.host : undefined;
    if (!port) {
      const t = await this.target(arg, 'Open in Browser');
      if (!t) return;
      const c = await this.rt.service.status(t).catch(() => undefined);
      port = c?.ports[0]?.host ?? hostPort(t);
    }
    await vscode.env.openExternal(vscode.Uri.parse(`http://127.0.0.1:${port}/`));
  }

  async checkHealth(arg?: unknown): Promise<void> {
    const t = await this.target(arg, 'Check Health');
    if (!t) return;
    try {
      const r = await this.progress(`Helix: Checking ${nameOf(t)}`, (signal) => this.rt.service.checkHealth(t, signal));
      const detail = [
        r.liveness && `liveness ${r.liveness.status ?? r.liveness.error} (${r.liveness.ms} ms)`,
        r.readiness && `readiness ${r.readiness.status ?? r.readiness.error} (${r.readiness.ms} ms)`,
        r.engine && r.engine !== 'none' && `HEALTHCHECK ${r.engine}`,
      ]
        .filter(Boolean)
        .join(', ');
      const msg = `Helix: ${nameOf(t)} is ${r.status}${detail ? ` - ${detail}` : ''}${r.reason && r.status !== 'healthy' ? ` (${r.reason})` : ''}`;
      if (r.status === 'healthy') void vscode.window.showInformationMessage(msg);
      else
        void vscode.window
          .showWarningMessage(msg, 'Show Logs')
          .then((a) => a && this.logs.show(nameOf(t), false, maskFor(t)));
    } catch (err) {
      await showLocalError(this.c, err, t);
    }
  }

  /**
   * Show Failing Step: the Dockerfile of a failed build with the failing instruction selected. From a
   * failed build run in the history, or an environment (its latest failed build); returns whether it opened.
   */
  async showFailingStep(arg?: unknown): Promise<boolean> {
    const node = arg as DepNode | undefined;
    let run = node?.type === 'run' ? node.run : undefined;
    let t: LocalInstance | undefined;
    if (run) {
      const r = run;
      const project =
        this.c.projects.projects.find((p) => p.dir === r.meta?.dir) ??
        this.c.projects.projects.find((p) => p.name === r.project);
      const environment = project?.environments.find((e) => e.name === r.environment && e.kind === 'local');
      t = project && environment ? { project, environment } : undefined;
    } else {
      t = await this.target(arg, 'Show Failing Step');
      const j = this.rt.journal ?? (await this.rt.ready());
      run =
        t &&
        j
          .list({ project: t.project.name, projectDir: t.project.dir, environment: t.environment.name, kind: 'build' })
          .find((r) => r.state === 'Failed' || r.state === 'Succeeded');
    }
    if (!t) return false;
    const step = run?.state === 'Failed' && typeof run.meta?.failedStep === 'string' ? run.meta.failedStep : undefined;
    if (!step) {
      void vscode.window.showInformationMessage(
        `Helix: the last build of ${t.project.name}/${t.environment.name} has no failing step to show.`,
      );
      return false;
    }
    await revealStep(t, step);
    return true;
  }

  async showRunLog(arg?: unknown): Promise<void> {
    const node = arg as DepNode | undefined;
    if (node?.type !== 'run') return;
    const r = this.rt.journal?.get(node.run.id) ?? node.run;
    const p = presentRun(r);
    const header = [
      `# ${p.label}`,
      `# ${p.description}`,
      `# by ${r.who}`,
      r.error ? `# error: ${r.error}` : undefined,
      r.logDropped ? `# (${r.logDropped} earlier lines dropped)` : undefined,
    ].filter(Boolean);
    const doc = await vscode.workspace.openTextDocument({
      content: [...header, '', ...r.log].join('\n'),
      language: 'log',
    });
    await vscode.window.showTextDocument(doc, { preview: true });
  }
}
