import * as path from 'node:path';
import * as vscode from 'vscode';
import { readProject } from '../core/config/project';
import type { GenerationSetting } from '../core/config/generation';
import type { Project } from '../core/model/types';
import { messageOf } from '../core/errors';

const CONFIG_GLOB = '**/{helix.toml,helix.deploy.toml}';
const EXCLUDE_GLOB = '{**/node_modules/**,**/.git/**,**/.helix/**}';

/**
 * Every HelixDB project in the workspace (all folders, monorepos), kept current by file watchers.
 * Reads files from disk: live editing feedback is the language features' job, not the sidebar's.
 */
export class ProjectIndex implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  private list: Project[] = [];
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private firstLoad: Promise<void> | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {
    const watcher = vscode.workspace.createFileSystemWatcher(CONFIG_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.schedule()),
      watcher.onDidChange(() => this.schedule()),
      watcher.onDidDelete(() => this.schedule()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.schedule()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('helixDeploy.cliGeneration') && this.schedule()),
    );
  }

  private cliVersion: () => string | undefined = () => undefined;

  /** The installed helix CLI's `--version` decides the generation first (the language features probe it). */
  useCliVersion(version: () => string | undefined, changed: vscode.Event<void>): void {
    this.cliVersion = version;
    this.disposables.push(changed(() => this.schedule()));
    this.schedule();
  }

  /** `helix --version` of the installed CLI, once probed. */
  get installedCli(): string | undefined {
    return this.cliVersion();
  }

  get projects(): readonly Project[] {
    return this.list;
  }

  find(dir: string): Project | undefined {
    return this.list.find((p) => p.dir === dir);
  }

  /** Re-reads every project; concurrent callers share one pass. */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    this.firstLoad ??= this.loading;
    return this.loading;
  }

  /** Resolves once the workspace was scanned at least once: a command run right after start-up sees its projects. */
  ready(): Promise<void> {
    return this.firstLoad ?? this.refresh();
  }

  private schedule(): void {
    // File events come in bursts (git checkout, save-all): coalesce them.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 200);
  }

  private async load(): Promise<void> {
    const started = Date.now();
    const files = await vscode.workspace.findFiles('**/helix.toml', EXCLUDE_GLOB);
    const found: Project[] = [];
    for (const uri of files) {
      try {
        const text = await readText(uri);
        const deployText = await readText(vscode.Uri.file(path.join(path.dirname(uri.fsPath), 'helix.deploy.toml'))).catch(() => undefined);
        const generation = vscode.workspace.getConfiguration('helixDeploy', uri).get<GenerationSetting>('cliGeneration');
        const project = readProject(uri.fsPath, text, deployText, { generation, cliVersion: this.cliVersion() });
        if (project) found.push(project);
      } catch (err) {
        this.log.warn(`Could not read ${uri.fsPath}: ${messageOf(err)}`);
      }
    }
    found.sort((a, b) => a.name.localeCompare(b.name) || a.dir.localeCompare(b.dir));
    this.list = found;
    await vscode.commands.executeCommand('setContext', 'helixDeploy.hasProjects', found.length > 0);
    await vscode.commands.executeCommand('setContext', 'helixDeploy.loaded', true);
    this.log.debug(`Found ${found.length} HelixDB project(s) in ${Date.now() - started} ms`);
    this.emitter.fire();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}
