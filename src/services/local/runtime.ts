import * as vscode from 'vscode';
import { whoAmI, type RunStore } from '../../core/engine/journal';
import { messageOf } from '../../core/errors';
import type { HealthService } from '../../core/health/service';
import { LocalService } from '../../core/local/service';
import { EngineWatch } from '../../core/local/watch';
import type { Environment, Project } from '../../core/model/types';
import type { LocalInstance } from '../../core/local/naming';
import { DockerEngine } from '../../providers/docker/engine';
import type { ProjectIndex } from '../projects';

// The local loop's services for the window: one engine (from settings), the workspace's run journal,
// health results, and the watch that keeps the trees current. Rebuilt when the engine settings change.

export const SETTINGS = 'helixDeploy.docker';

export interface LocalRuntimeDeps {
  log: vscode.LogOutputChannel;
  projects: ProjectIndex;
  /** The window's one run history, resolved once the projects found by the first scan are open. */
  journal: Promise<RunStore>;
  /** The window's health results (local checks, deploy checks, the engine's post-apply checks). */
  health: HealthService;
}

export class LocalRuntime implements vscode.Disposable {
  readonly health: HealthService;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the engine (and so the watch/service) was replaced. */
  readonly onDidChangeEngine = this.changed.event;
  private readonly statusChanged = new vscode.EventEmitter<string | undefined>();
  /**
   * What the "runs in progress" status bar item shows (undefined while hidden), with an event per
   * change: the item's text cannot be read back through the API, and the extension-host tests check it.
   */
  readonly onDidChangeStatusText = this.statusChanged.event;
  private status: string | undefined;
  engine!: DockerEngine;
  watch!: EngineWatch;
  service!: LocalService;
  journal: RunStore | undefined;
  private journalReady: Promise<RunStore>;
  private who: Promise<string> | undefined;
  private readonly disposables: vscode.Disposable[] = [this.changed, this.statusChanged];

  constructor(private readonly c: LocalRuntimeDeps) {
    this.health = c.health;
    this.journalReady = this.openJournal();
    this.createEngine();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SETTINGS}.host`) || e.affectsConfiguration(`${SETTINGS}.runtime`))
          this.createEngine();
      }),
      // `container_runtime = "podman"` in a helix.toml switches the engine when the setting is "auto".
      c.projects.onDidChange(() => {
        if (this.runtimeSetting === 'auto' && this.wantsPodman() !== this.podman) this.createEngine();
      }),
    );
  }

  /** The window's run history (one journal per project folder, shared by every kind of run). */
  private async openJournal(): Promise<RunStore> {
    const j = await this.c.journal;
    this.journal = j;
    const interrupted = j.list({}).filter((r) => r.state === 'Interrupted' && r.meta?.interruptedFrom).length;
    if (interrupted)
      this.c.log.info(`Run history: ${interrupted} run(s) were interrupted by a crash or a closed window.`);
    return j;
  }

  private podman = false;

  private wantsPodman(): boolean {
    const setting = this.runtimeSetting;
    return (
      setting === 'podman' ||
      (setting === 'auto' && this.c.projects.projects.some((p) => p.containerRuntime === 'podman'))
    );
  }

  get runtimeSetting(): 'auto' | 'docker' | 'podman' {
    return vscode.workspace.getConfiguration(SETTINGS).get('runtime', 'auto');
  }

  private createEngine(): void {
    const cfg = vscode.workspace.getConfiguration(SETTINGS);
    const podman = (this.podman = this.wantsPodman());
    const wasActive = this.watch ? this.watch.state !== 'idle' : false;
    this.watch?.dispose();
    try {
      this.engine = DockerEngine.resolve({
        host: cfg.get<string>('host') || undefined,
        runtime: podman ? 'podman' : 'docker',
      });
    } catch (err) {
      this.c.log.error(`helixDeploy.docker.host: ${messageOf(err)}`);
      this.engine = DockerEngine.resolve({ runtime: podman ? 'podman' : 'docker' });
    }
    this.c.log.info(`Container engine: ${this.engine.endpoint} (${this.engine.ep.source})`);
    this.watch = new EngineWatch(this.engine);
    const journal = this.journalProxy();
    this.service = new LocalService({
      engine: this.engine,
      journal,
      health: this.health,
      who: () => (this.who ??= whoAmI(this.c.projects.projects[0]?.dir)),
      imageSizeBudgetMB: () => vscode.workspace.getConfiguration(SETTINGS).get<number>('imageSizeBudgetMB', 50),
    });
    if (wasActive) this.watch.setActive(true);
    this.changed.fire();
  }

  /** The service needs the journal synchronously; runs wait for it to be open. */
  private journalProxy(): RunStore {
    const ready = () => this.journalReady;
    return new Proxy({} as RunStore, {
      get: (_t, prop) => {
        if (this.journal) {
          const v: unknown = Reflect.get(this.journal, prop);
          return typeof v === 'function' ? v.bind(this.journal) : v;
        }
        return async (...args: unknown[]) => {
          const j = await ready();
          return (Reflect.get(j, prop) as (...a: unknown[]) => unknown).apply(j, args);
        };
      },
    });
  }

  get statusText(): string | undefined {
    return this.status;
  }

  setStatusText(text: string | undefined): void {
    if (text === this.status) return;
    this.status = text;
    this.statusChanged.fire(text);
  }

  /** Waits for the journal (opened at activation). */
  ready(): Promise<RunStore> {
    return this.journalReady;
  }

  targetFor(project: Project, environment: Environment): LocalInstance {
    return { project, environment };
  }

  dispose(): void {
    this.watch?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
