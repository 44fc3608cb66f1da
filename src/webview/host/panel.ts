import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { MANAGE_TRUST, RESTRICTED_MESSAGE } from '../../core/trust/gate';
import type { PanelBackend } from './backend';
import type { PlanDiffProvider } from './diffProvider';
import { localResourceRootPaths, makeNonce, renderHtml } from './html';
import { PanelSession } from './session';

// One deployment panel = one environment. retainContextWhenHidden is OFF (a hidden panel costs nothing);
// the app posts `ready` every time it loads and gets a full snapshot, so hide/show and window reloads
// (via the serializer in ../index.ts) show the same run.

export const PANEL_VIEW_TYPE = 'helixDeploy.deploymentPanel';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    retainContextWhenHidden: false,
    enableFindWidget: false,
    localResourceRoots: localResourceRootPaths(extensionUri.path).map((p) => extensionUri.with({ path: p })),
  };
}

export class DeploymentPanel implements vscode.Disposable {
  private readonly session: PanelSession;
  private readonly subs: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    readonly envKey: string,
    readonly panel: vscode.WebviewPanel,
    backend: PanelBackend,
    extensionUri: vscode.Uri,
    log: vscode.LogOutputChannel,
    diff: PlanDiffProvider,
    private readonly onDispose: () => void,
  ) {
    const webview = panel.webview;
    webview.options = webviewOptions(extensionUri);
    const env = backend.env(envKey);
    panel.title = env ? `Deploy: ${env.project} / ${env.name}` : 'Deploy';
    this.session = new PanelSession(envKey, backend, {
      post: (m) => void webview.postMessage(m),
      openDiff: (title, sides, id) =>
        void diff.open(title, sides, id).catch((e) => log.error(`open diff failed: ${String(e)}`)),
      copy: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
      save: async (name, text) => {
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const target = await vscode.window.showSaveDialog({
          defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
          filters: { Logs: ['log', 'txt'] },
        });
        if (target) await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
      },
      log: (m) => log.warn(m),
      copyRunSummary: async (runId, plan) =>
        void (await vscode.commands.executeCommand('helixDeploy.copyRunSummary', { runId, model: plan })),
      restricted: (err) => {
        log.info(`Restricted Mode: refused ${err.what}`);
        void vscode.window
          .showWarningMessage(RESTRICTED_MESSAGE, MANAGE_TRUST)
          .then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
      },
      maxLogLines: () => vscode.workspace.getConfiguration('helixDeploy.panel').get<number>('maxLogLines', 200_000),
    });
    const asUri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
    webview.html = renderHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce((n) => randomBytes(n)),
      scriptUri: asUri('dist', 'webview', 'app.js'),
      styleUris: [asUri('media', 'panel.css')],
      title: panel.title,
    });
    this.subs.push(
      webview.onDidReceiveMessage((m: unknown) => void this.session.handle(m)),
      panel.onDidChangeViewState((e) => {
        // Hidden: the webview document is gone; post nothing until it says ready again.
        if (!e.webviewPanel.visible) this.session.detached();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  refresh(): void {
    this.session.refreshIfEnvChanged();
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.session.dispose();
    for (const s of this.subs.splice(0)) s.dispose();
    this.onDispose();
    this.panel.dispose();
  }
}
