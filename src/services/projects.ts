import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_NAMES, findConfigs, skipByDefault } from '../core/config/discover';
import { readProject } from '../core/config/project';
import type { GenerationSetting } from '../core/config/generation';
import type { Project } from '../core/model/types';
import { messageOf } from '../core/errors';

const CONFIG_GLOB = '**/{helix.toml,helix.deploy.toml}';
const EXCLUDED = ['node_modules', '.git', '.helix'];
const EXCLUDE_GLOB = `{${EXCLUDED.map((d) => `**/${d}/**`).join(',')}}`;
/** Project folders read between two turns of the event loop, so a scan of hundreds never blocks the host long. */
const READS_PER_TURN = 16;
/** A new folder holding more entries than this is not searched by hand: the whole workspace is scanned instead. */
const NEW_FOLDER_ENTRIES = 20_000;

/** What a change re-read: `dirs` lists the project folders, or is undefined after a scan of the whole workspace. */
export interface ProjectsChange {
  readonly dirs?: readonly string[];
}

/**
 * Every HelixDB project in the workspace (all folders, monorepos), kept current by file watchers.
 * A full scan happens at start, on Refresh, and when the workspace folders or the CLI generation change; a
 * saved, created or deleted helix.toml / helix.deploy.toml re-reads only its own project, so a monorepo of
 * hundreds of projects is not rescanned on every save.
 * Reads files from disk: live editing feedback is the language features' job, not the sidebar's.
 */
export class ProjectIndex implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ProjectsChange>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  private readonly byDir = new Map<string, Project>();
  private list: Project[] = [];
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private firstLoad: Promise<void> | undefined;
  /** Work waiting for the next pass: a whole scan, or the folders whose files changed. */
  private pendingAll = false;
  private readonly pendingDirs = new Set<string>();
  /** Paths created since the last pass that may be new folders, searched in the next pass. */
  private readonly created = new Set<string>();
  /** Paths deleted since the last pass: the projects inside them are read again. */
  private readonly deleted = new Set<string>();

  constructor(private readonly log: vscode.LogOutputChannel) {
    const watcher = vscode.workspace.createFileSystemWatcher(CONFIG_GLOB);
    const touched = (uri: vscode.Uri) => this.touch(uri);
    // A folder created with its files in the same instant (a branch checkout, a scaffold) hides them from the
    // recursive watcher, which follows the new folder too late: new folders are searched by the index itself.
    // The same for a folder removed or renamed with its files: its projects are read again (and so dropped).
    const anyCreated = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
    this.disposables.push(
      watcher,
      watcher.onDidCreate(touched),
      watcher.onDidChange(touched),
      watcher.onDidDelete(touched),
      anyCreated,
      anyCreated.onDidCreate((uri) => this.noteCreated(uri)),
      anyCreated.onDidDelete((uri) => this.noteDeleted(uri)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.scheduleAll()),
      vscode.workspace.onDidChangeConfiguration(
        (e) => e.affectsConfiguration('helixDeploy.cliGeneration') && this.scheduleAll(),
      ),
    );
  }

  private cliVersion: () => string | undefined = () => undefined;

  /** The installed helix CLI's `--version` decides the generation first (the language features probe it). */
  useCliVersion(version: () => string | undefined, changed: vscode.Event<void>): void {
    this.cliVersion = version;
    this.disposables.push(changed(() => this.scheduleAll()));
  }

  /** `helix --version` of the installed CLI, once probed. */
  get installedCli(): string | undefined {
    return this.cliVersion();
  }

  get projects(): readonly Project[] {
    return this.list;
  }

  find(dir: string): Project | undefined {
    return this.byDir.get(dir);
  }

  /** Re-reads every project; concurrent callers share one pass. */
  refresh(): Promise<void> {
    this.pendingAll = true;
    return this.flush();
  }

  /** Resolves once the workspace was scanned at least once: a command run right after start-up sees its projects. */
  ready(): Promise<void> {
    return this.firstLoad ?? this.refresh();
  }

  private touch(uri: vscode.Uri): void {
    const parts = uri.fsPath.split(path.sep);
    if (parts.some((p) => EXCLUDED.includes(p))) return;
    this.pendingDirs.add(path.dirname(uri.fsPath));
    this.schedule();
  }

  private noteCreated(uri: vscode.Uri): void {
    if (!folderEvent(uri)) return;
    this.created.add(uri.fsPath);
    this.schedule();
  }

  private noteDeleted(uri: vscode.Uri): void {
    if (!folderEvent(uri)) return;
    this.deleted.add(uri.fsPath);
    this.schedule();
  }

  /** Projects inside folders deleted (or renamed away) since the last pass are read again, and so dropped. */
  private checkDeletedFolders(): void {
    for (const dir of this.byDir.keys())
      for (let d = dir; d !== path.dirname(d); d = path.dirname(d))
        if (this.deleted.has(d)) {
          this.pendingDirs.add(dir);
          break;
        }
  }

  /** The config files in folders created since the last pass, whether or not the watcher reported them. */
  private searchNewFolders(): void {
    const searched = new Set<string>();
    const inSearched = (p: string) => {
      for (let d = path.dirname(p); d !== path.dirname(d); d = path.dirname(d)) if (searched.has(d)) return true;
      return false;
    };
    const paths = [...this.created].sort((a, b) => a.length - b.length);
    this.created.clear();
    for (const p of paths) {
      if (inSearched(p)) continue; // a search of a folder covers what was created inside it
      try {
        if (!statSync(p).isDirectory()) continue;
      } catch {
        continue; // gone again
      }
      searched.add(p);
      const found = findConfigs(p, { maxEntries: NEW_FOLDER_ENTRIES });
      if (found.truncated) {
        this.pendingAll = true;
        return;
      }
      for (const f of found.files) this.pendingDirs.add(path.dirname(f));
    }
  }

  private scheduleAll(): void {
    this.pendingAll = true;
    this.schedule();
  }

  private schedule(): void {
    // File events come in bursts (git checkout, save-all): coalesce them.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), 200);
  }

  /** One pass at a time; work that arrives meanwhile runs in the next pass, which callers also wait for. */
  private flush(): Promise<void> {
    // A failed pass is logged and does not stop the ones after it.
    const pass = (this.loading ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.pass())
      .catch((err) => this.log.error(`Could not read the workspace's projects: ${messageOf(err)}`));
    const tracked = pass.finally(() => this.loading === tracked && (this.loading = undefined));
    this.loading = tracked;
    this.firstLoad ??= tracked;
    return tracked;
  }

  private async pass(): Promise<void> {
    if (!this.pendingAll) {
      if (this.created.size) this.searchNewFolders();
      if (this.deleted.size) this.checkDeletedFolders();
    }
    this.created.clear();
    this.deleted.clear();
    if (!this.pendingAll && this.pendingDirs.size === 0) return;
    const started = Date.now();
    let change: ProjectsChange;
    if (this.pendingAll) {
      this.pendingAll = false;
      this.pendingDirs.clear();
      const files = await vscode.workspace.findFiles('**/helix.toml', EXCLUDE_GLOB);
      const read = await this.readAll(
        files.map((uri) => path.dirname(uri.fsPath)),
        generationSettings(),
      );
      this.byDir.clear();
      for (const p of read) if (p) this.byDir.set(p.dir, p);
      change = {};
      this.log.info(`Found ${this.byDir.size} HelixDB project(s) in ${Date.now() - started} ms`);
    } else {
      const dirs = [...this.pendingDirs];
      this.pendingDirs.clear();
      const read = await this.readAll(dirs, generationSettings());
      dirs.forEach((dir, i) => {
        const p = read[i];
        if (p) this.byDir.set(dir, p);
        else this.byDir.delete(dir);
      });
      change = { dirs };
      this.log.debug(`Re-read ${dirs.length} project folder(s) in ${Date.now() - started} ms`);
    }
    this.list = [...this.byDir.values()].sort((a, b) => a.name.localeCompare(b.name) || a.dir.localeCompare(b.dir));
    // Listeners hear of the change as soon as the index has it; the context keys (welcome views) follow.
    this.emitter.fire(change);
    await vscode.commands.executeCommand('setContext', 'helixDeploy.hasProjects', this.list.length > 0);
    await vscode.commands.executeCommand('setContext', 'helixDeploy.loaded', true);
  }

  /**
   * The projects in `dirs`, in order. Config files are small and local: reading them synchronously is ten times
   * faster than one promise per file (four trips through the thread pool each), and yielding every few folders
   * keeps the extension host responsive during a scan of hundreds.
   */
  private async readAll(dirs: readonly string[], generation: Generations): Promise<(Project | undefined)[]> {
    const out: (Project | undefined)[] = [];
    for (const dir of dirs) {
      if (out.length > 0 && out.length % READS_PER_TURN === 0) await new Promise((r) => setImmediate(r));
      out.push(this.read(dir, generation));
    }
    return out;
  }

  /** The project in `dir`, or undefined when its helix.toml is gone or is not a HelixDB config. */
  private read(dir: string, generation: Generations): Project | undefined {
    const file = path.join(dir, 'helix.toml');
    try {
      // Node's fs, not workspace.fs: the index only reads local files (findFiles of the file scheme), and
      // workspace.fs makes a round trip to the window per call, which made reading 500 projects take a second.
      const text = readText(file);
      const deployText = readOptional(path.join(dir, 'helix.deploy.toml'));
      return readProject(file, text, deployText, { generation: generation(file), cliVersion: this.cliVersion() });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`Could not read ${file}: ${messageOf(err)}`);
      return undefined;
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/**
 * Whether a created or deleted path may be a folder with projects in it. Config files are the config watcher's;
 * build output and dependencies are skipped, since a build or an install creates or removes thousands of files.
 */
function folderEvent(uri: vscode.Uri): boolean {
  if (uri.scheme !== 'file' || CONFIG_NAMES.has(path.basename(uri.fsPath))) return false;
  return !vscode.workspace.asRelativePath(uri, false).split(/[\\/]/).some(skipByDefault);
}

/** UTF-8 without its byte order mark, as TextDecoder gives it to the language features. */
function readText(file: string): string {
  return new TextDecoder().decode(readFileSync(file));
}

/** The file's text, or undefined when it cannot be read (helix.deploy.toml is optional). */
function readOptional(file: string): string | undefined {
  try {
    return readText(file);
  } catch {
    return undefined;
  }
}

type Generations = (file: string) => GenerationSetting | undefined;

/** The `cliGeneration` setting per file, looked up once per workspace folder (the scope it can differ by) in a pass. */
function generationSettings(): Generations {
  const byFolder = new Map<string, GenerationSetting | undefined>();
  return (file) => {
    const uri = vscode.Uri.file(file);
    const key = vscode.workspace.getWorkspaceFolder(uri)?.uri.toString() ?? '';
    if (!byFolder.has(key))
      byFolder.set(key, vscode.workspace.getConfiguration('helixDeploy', uri).get<GenerationSetting>('cliGeneration'));
    return byFolder.get(key);
  };
}
