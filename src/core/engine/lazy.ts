import type { DeployRunner, RunEvent, RunHandle, RunSnapshot } from './engine';
import { Emitter, type Event } from './emitter';
import type { RunRecord } from './journal';
import type { ToolStatus } from './provider';
import type { DeployTarget } from './target';

// The engine as a synchronous object for the VS Code layer: the window's journal opens asynchronously, but
// views and the panel want the service at activation. Calls wait for the real engine; reads answer empty
// until it is there.

export class LazyDeployRunner {
  private engine: DeployRunner | undefined;
  private readonly events = new Emitter<RunEvent>();
  private sub: { dispose(): void } | undefined;
  private ready: Promise<DeployRunner> | undefined;

  readonly onRunEvent: Event<RunEvent> = this.events.event;

  constructor(private readonly create: () => Promise<DeployRunner>) {}

  /** The real engine (created on first use). */
  get(): Promise<DeployRunner> {
    this.ready ??= this.create().then((e) => {
      this.engine = e;
      this.sub = e.onRunEvent((ev) => this.events.fire(ev));
      return e;
    });
    return this.ready;
  }

  get current(): DeployRunner | undefined {
    return this.engine;
  }

  async toolStatus(target: Pick<DeployTarget, 'environment'> & Partial<DeployTarget>): Promise<ToolStatus> {
    return (await this.get()).toolStatus(target);
  }
  async startPlan(target: DeployTarget, opts?: { destroy?: boolean }): Promise<RunHandle> {
    return (await this.get()).startPlan(target, opts);
  }
  async planRollback(target: DeployTarget, opts?: { deployment?: string }): Promise<RunHandle> {
    return (await this.get()).planRollback(target, opts);
  }
  /** False until the engine (and its journal) is ready. */
  canRollback(target: Pick<DeployTarget, 'project' | 'environment'>): boolean {
    return this.engine?.canRollback(target) ?? false;
  }
  async replan(runId: string): Promise<RunHandle> {
    return (await this.get()).replan(runId);
  }
  async approve(runId: string, planHash: string, who?: string): Promise<RunSnapshot> {
    return (await this.get()).approve(runId, planHash, who);
  }
  async startApply(runId: string): Promise<RunHandle> {
    return (await this.get()).startApply(runId);
  }
  async cancel(runId: string, who?: string): Promise<RunSnapshot | undefined> {
    return (await this.get()).cancel(runId, who);
  }
  async discard(runId: string, who?: string): Promise<RunSnapshot | undefined> {
    return (await this.get()).discard(runId, who);
  }
  /** The last drift report of an environment checked in this window (undefined until the engine is ready). */
  lastDrift(projectDir: string, environment: string): ReturnType<DeployRunner['lastDrift']> {
    return this.engine?.lastDrift(projectDir, environment);
  }

  readLog(
    runId: string,
    from: number,
    count: number,
  ): Promise<{ lines: string[]; total: number; from: number }> | undefined {
    return this.engine?.readLog(runId, from, count);
  }

  snapshot(runId: string): RunSnapshot | undefined {
    return this.engine?.snapshot(runId);
  }
  list(filter?: {
    project?: string;
    projectDir?: string;
    environment?: string;
    active?: boolean;
    limit?: number;
  }): RunRecord[] {
    return this.engine?.list(filter) ?? [];
  }

  async dispose(): Promise<void> {
    this.sub?.dispose();
    this.events.dispose();
    await this.engine?.dispose();
  }
}
