// Entry point of the workspace benchmark inside the real extension host (extensionTestsPath).
// The workspace holds 500 projects whose config files are parked as *.bench so that nothing activates the
// extension at start-up; this entry unparks them, activates the extension itself and measures what a user
// waits for. Results go to $HELIX_BENCH_RESULTS as JSON, read by test/bench/workspace.bench.ts.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'helix-deploy.helix-deploy';
const mb = () => process.memoryUsage().heapUsed / 1048576;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

async function until<T>(fn: () => T | undefined | false, ms: number, every = 5): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Profiles this extension host (set HELIX_BENCH_PROFILE to a .cpuprofile path): where the first tree's time goes. */
async function startProfile(): Promise<() => Promise<unknown>> {
  const inspector = await import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) =>
      session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return async () => (await post('Profiler.stop')).profile;
}

/**
 * Records the processes the extension starts (its own bundle on the stack), from now on. VS Code's own
 * (the file search behind findFiles, for one) are not ours.
 */
function recordOwnProcesses(): string[] {
  const started: string[] = [];
  const cp = createRequire(__filename)('node:child_process') as Record<string, (...a: unknown[]) => unknown>;
  for (const k of ['spawn', 'execFile', 'exec', 'fork', 'spawnSync', 'execFileSync', 'execSync']) {
    const orig = cp[k]!;
    cp[k] = function (this: unknown, ...a: unknown[]) {
      const stack = new Error().stack ?? '';
      if (/[\\/]dist[\\/](main|extension|vendor[\\/][^:]*)\.js/.test(stack)) started.push(String(a[0]));
      return orig.apply(this, a);
    };
  }
  return started;
}

/** Renames the projects' config files to *.bench, so that opening the folder does not activate the extension. */
function park(dirs: string[]): void {
  for (const d of dirs)
    for (const f of ['helix.toml', 'helix.deploy.toml'])
      if (fs.existsSync(path.join(d, f))) fs.renameSync(path.join(d, f), path.join(d, `${f}.bench`));
}

/**
 * One key typed in the browser, to the squiggle painted: the driver (test/bench/workspace.bench.ts) presses the
 * key and times it in the page; this side opens each file with the cursor where that key makes an error, then
 * hands over through `<results>.ready-<name>` and waits for `<results>.typed-<name>` (the driver's figures).
 * The anchor is VS Code's own JSON language service: the same key in .vscode/settings.json.
 */
async function keystrokes(resultsFile: string, dirs: string[], root: string): Promise<Record<string, unknown>> {
  const cases = [
    // `port = 10050` becomes 100500: out of the TCP port range, an error of the helix.toml schema.
    { name: 'helix', file: path.join(dirs[50]!, 'helix.toml'), after: 'port = 10050' },
    // `"off"` becomes `"off0"`: not one of the values the settings schema accepts.
    { name: 'json', file: path.join(root, '.vscode', 'settings.json'), after: '"files.autoSave": "off' },
  ];
  const figures: Record<string, unknown> = {};
  for (const c of cases) {
    const doc = await vscode.workspace.openTextDocument(c.file);
    const at = doc.positionAt(doc.getText().indexOf(c.after) + c.after.length);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, at), preview: false });
    // Whatever validation opening the file started has finished before the key is pressed.
    await new Promise((r) => setTimeout(r, 1500));
    // Where the key's time goes: its arrival here, and the diagnostics in VS Code's collection (wall clock, as the
    // page reports its own times).
    const wall = () => performance.timeOrigin + performance.now();
    const before = vscode.languages.getDiagnostics(doc.uri).length;
    let arrivedAt = 0;
    let setAt = 0;
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (!arrivedAt && e.document === doc) arrivedAt = wall();
    });
    const poll = setInterval(() => {
      if (arrivedAt && !setAt && vscode.languages.getDiagnostics(doc.uri).length !== before) setAt = wall();
    }, 1);
    const typed = `${resultsFile}.typed-${c.name}`;
    fs.writeFileSync(`${resultsFile}.ready-${c.name}`, '');
    await until(() => fs.existsSync(typed), 60_000, 20);
    await until(() => setAt, 5000).catch(() => undefined);
    clearInterval(poll);
    sub.dispose();
    const page = JSON.parse(fs.readFileSync(typed, 'utf8'));
    figures[c.name] = {
      ...page,
      arrivedMs: arrivedAt - page.keydownAt,
      oursMs: setAt - arrivedAt,
      windowMs: page.squiggleAt - setAt,
    };
    figures[`${c.name}Diagnostics`] = vscode.languages.getDiagnostics(doc.uri).map((d) => d.message);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  return figures;
}

export async function run(): Promise<void> {
  const out: Record<string, any> = {};
  const resultsFile = process.env.HELIX_BENCH_RESULTS!;
  try {
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const dirs = fs
      .readdirSync(root)
      .filter((d) => d.startsWith('proj-'))
      .map((d) => path.join(root, d));
    for (const d of dirs)
      for (const f of ['helix.toml', 'helix.deploy.toml'])
        if (fs.existsSync(path.join(d, `${f}.bench`))) fs.renameSync(path.join(d, `${f}.bench`), path.join(d, f));
    // Let the file watcher's events for the renames pass before the extension exists.
    await new Promise((r) => setTimeout(r, 1500));
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    out.activeBefore = ext.isActive;
    const processes = recordOwnProcesses();
    gc();
    const profile = process.env.HELIX_BENCH_PROFILE ? await startProfile() : undefined;
    const heap0 = mb();
    const t0 = performance.now();
    const api = (await ext.activate()) as { container: any; views: any; codeCache: string };
    out.activationMs = performance.now() - t0;
    out.codeCache = api.codeCache;
    if (process.env.HELIX_BENCH_MODE === 'activation') {
      park(dirs);
      return;
    }
    const c = api.container;
    await c.projects.ready();
    out.projectsReadyMs = performance.now() - t0;
    const envTree = api.views.environments;
    const roots = await envTree.getChildren();
    for (const r of roots) await envTree.getChildren(r);
    out.firstTreeMs = performance.now() - t0;
    out.projects = c.projects.projects.length;
    out.heapGrowthMb = mb() - heap0;
    // The discovery query alone (VS Code's file search over the whole folder), for where the time goes.
    const f0 = performance.now();
    await vscode.workspace.findFiles('**/helix.toml', '{**/node_modules/**,**/.git/**,**/.helix/**}');
    out.findFilesMs = performance.now() - f0;
    if (profile) fs.writeFileSync(process.env.HELIX_BENCH_PROFILE!, JSON.stringify(await profile()));

    // Activation and the first tree need no tool: the helix CLI is probed only once a config editor is shown,
    // docker and the deploy tools only when their views or commands are used.
    out.processesAtStart = processes.slice();

    // One helix.toml edited in an editor: diagnostics for it, and the index re-reads only its folder on save.
    const target = dirs[dirs.length >> 1]!;
    const doc = await vscode.workspace.openTextDocument(path.join(target, 'helix.toml'));
    await vscode.window.showTextDocument(doc);
    await until(() => vscode.languages.getDiagnostics(doc.uri) !== undefined, 5000);
    // Showing a config editor probes the helix CLI: the one process expected here (and proof the record works).
    await until(() => processes.length > out.processesAtStart.length, 5000).catch(() => undefined);
    out.processesWithEditor = processes.slice();
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(doc.lineCount, 0), '\n[local.broken]\nport = "not a port"\n');
    const changes: unknown[] = [];
    const sub = c.projects.onDidChange((e: unknown) => changes.push(e));
    // The clock starts when the edit reaches the extension host, as a keystroke does, and stops when our
    // diagnostics are in VS Code's collection (sent to the window at once). VS Code's own onDidChangeDiagnostics
    // event comes 50 ms later (it is debounced), so it is reported beside it, not as our figure.
    let seen = 0;
    const seenSub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (!seen && e.document.uri.toString() === doc.uri.toString()) seen = performance.now();
    });
    const editProfile = process.env.HELIX_BENCH_PROFILE_EDIT ? await startProfile() : undefined;
    const before = vscode.languages.getDiagnostics(doc.uri).length;
    const t1 = performance.now();
    let eventMs = 0;
    const event = new Promise<void>((resolve) => {
      const d = vscode.languages.onDidChangeDiagnostics((e) => {
        if (
          e.uris.some((u) => u.toString() === doc.uri.toString()) &&
          vscode.languages.getDiagnostics(doc.uri).length > before
        ) {
          eventMs = performance.now() - t1;
          d.dispose();
          resolve();
        }
      });
    });
    await vscode.workspace.applyEdit(edit);
    const set = await until(
      () => vscode.languages.getDiagnostics(doc.uri).length > before && performance.now(),
      5000,
      1,
    );
    await event;
    seenSub.dispose();
    if (editProfile) fs.writeFileSync(process.env.HELIX_BENCH_PROFILE_EDIT!, JSON.stringify(await editProfile()));
    out.editArrivedMs = seen - t1;
    out.diagnosticsMs = set - seen;
    out.diagnosticsEventMs = eventMs - (seen - t1);
    await doc.save();
    await until(() => changes.length > 0, 10_000);
    sub.dispose();
    out.reReadOnSave = changes;

    // The local loop at size: the Environments view visible, the engine holding 1,000 containers.
    await vscode.commands.executeCommand('helixDeploy.environments.focus');
    const watch = c.local.watch;
    await until(
      () => watch.state === 'up' && watch.containers.length >= Number(process.env.HELIX_BENCH_CONTAINERS),
      60_000,
    );
    out.containers = watch.containers.length;
    const refreshMs: number[] = [];
    for (let i = 0; i < 7; i++) {
      const s = performance.now();
      let rows = 0;
      for (const r of await envTree.getChildren()) {
        envTree.getTreeItem(r);
        for (const e of await envTree.getChildren(r)) {
          envTree.getTreeItem(e);
          rows++;
        }
      }
      refreshMs.push(performance.now() - s);
      out.rows = rows;
    }
    out.treeRefreshMs = refreshMs.sort((a, b) => a - b)[3];
    const calls = watch.apiCalls;
    await new Promise((r) => setTimeout(r, 3000));
    out.idleEngineCalls = watch.apiCalls - calls;
    out.keystroke = await keystrokes(resultsFile, dirs, root);
    // Parked again (the code cache was written 3 s after activation), so the next start activates on our call.
    park(dirs);
  } catch (err) {
    out.error = err instanceof Error ? err.stack : String(err);
  } finally {
    fs.writeFileSync(resultsFile, JSON.stringify(out));
  }
}
