// The panel's HTML shell. Pure (no vscode import) so the CSP can be unit-tested and the browser tests and
// benchmarks load exactly the same page the extension serves.
//
// CSP: nothing by default; scripts only with this load's nonce; styles and fonts only from the webview's own
// resource origin (cspSource, i.e. localResourceRoots = bundle + media). No remote URL of any kind, no eval.
// style-src keeps 'unsafe-inline' off: Lit (vscode-elements) uses constructable stylesheets, which CSP allows.

export interface HtmlInput {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  /** webview.asWebviewUri(...) of dist/webview/app.js */
  scriptUri: string;
  /** webview.asWebviewUri(...) of media/panel.css (and codicons when present). */
  styleUris: string[];
  title: string;
}

export function makeNonce(random: (n: number) => Uint8Array): string {
  return Buffer.from(random(24)).toString('base64').replace(/[+/=]/g, '');
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "connect-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export function renderHtml(i: HtmlInput): string {
  const styles = i.styleUris.map((u) => `<link rel="stylesheet" href="${esc(u)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(i.cspSource, i.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${esc(i.title)}</title>
  </head>
  <body>
    <div id="root"></div>
    <script nonce="${esc(i.nonce)}" src="${esc(i.scriptUri)}"></script>
  </body>
</html>`;
}

/** The only folders the webview may load from: the app bundle and the media folder (CSS, codicons). */
export function localResourceRootPaths(extensionRoot: string): string[] {
  const base = extensionRoot.replace(/[\\/]+$/, '');
  return [`${base}/dist/webview`, `${base}/media`];
}
