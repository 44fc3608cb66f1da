// Loads the real panel app (src/webview/app/main.ts, bundled the way the extension ships it) into headless
// Chromium, inside the real panel HTML (src/webview/host/html.ts, CSP included), with a fake
// `acquireVsCodeApi` that records what the app posts. Shared by the browser tests and the benchmark.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderHtml } from '../../../src/webview/host/html';
import type { HostMessage } from '../../../src/webview/protocol';
import type { PanelBackend } from '../../../src/webview/host/backend';
import { PanelSession } from '../../../src/webview/host/session';
import chromiumArgs from '../../../scripts/lib/chromium-args.json';

const root = resolve(__dirname, '../../..');
export const ORIGIN = 'https://webview.test';

let bundle: Promise<string> | undefined;

/** Bundles the app once per process, like scripts/build.mjs does (IIFE, browser, vscode-elements inlined). */
export function appBundle(): Promise<string> {
  bundle ??= (async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'helix-panel-')), 'app.js');
    await build({
      entryPoints: [join(root, 'src/webview/app/main.ts')],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'chrome114',
      outfile: out,
      logLevel: 'silent',
      minify: true,
    });
    return readFileSync(out, 'utf8');
  })();
  return bundle;
}

/** A few theme variables, as VS Code injects them, so screenshots and contrast look like a real theme. */
const THEMES = {
  dark: '--vscode-foreground:#ccc;--vscode-editor-background:#1e1e1e;--vscode-descriptionForeground:#9d9d9d;--vscode-button-background:#0e639c;--vscode-button-foreground:#fff;--vscode-errorForeground:#f48771;--vscode-badge-background:#4d4d4d;--vscode-badge-foreground:#fff;--vscode-list-hoverBackground:#2a2d2e;--vscode-focusBorder:#007fd4;--vscode-gitDecoration-addedResourceForeground:#81b88b;--vscode-gitDecoration-deletedResourceForeground:#c74e39;--vscode-gitDecoration-modifiedResourceForeground:#e2c08d;--vscode-testing-iconPassed:#73c991;--vscode-testing-iconFailed:#f14c4c;--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;',
  light:
    '--vscode-foreground:#616161;--vscode-editor-background:#fff;--vscode-descriptionForeground:#717171;--vscode-button-background:#007acc;--vscode-button-foreground:#fff;--vscode-errorForeground:#a1260d;--vscode-badge-background:#c4c4c4;--vscode-badge-foreground:#333;--vscode-list-hoverBackground:#e8e8e8;--vscode-focusBorder:#0090f1;--vscode-gitDecoration-addedResourceForeground:#587c0c;--vscode-gitDecoration-deletedResourceForeground:#ad0707;--vscode-gitDecoration-modifiedResourceForeground:#895503;--vscode-testing-iconPassed:#388a34;--vscode-testing-iconFailed:#f14c4c;--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;',
};

export interface PanelPage {
  browser: Browser;
  page: Page;
  /** Messages the app posted to the "host", in order. */
  posted(): Promise<unknown[]>;
  /** Deliver a host message to the app (what webview.postMessage does). */
  send(m: HostMessage): Promise<void>;
  /** CSP violations and page errors seen so far. */
  problems: string[];
  close(): Promise<void>;
}

export interface PanelPageOptions {
  theme?: 'dark' | 'light';
  viewport?: { width: number; height: number };
  /** Receives every message the app posts (e.g. a real PanelSession's handle()). */
  host?: (message: unknown) => void;
}

export async function openPanelPage(opts: PanelPageOptions = {}): Promise<PanelPage> {
  const js = await appBundle();
  const css = readFileSync(join(root, 'media/panel.css'), 'utf8');
  const html = renderHtml({
    cspSource: ORIGIN,
    nonce: 'TESTNONCE123',
    scriptUri: `${ORIGIN}/app.js`,
    styleUris: [`${ORIGIN}/theme.css`, `${ORIGIN}/panel.css`],
    title: 'Helix panel test',
  });
  // VS Code injects the theme's variables into the webview; here a stylesheet from the same origin does it.
  const theme = `html { ${THEMES[opts.theme ?? 'dark']} }`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1200, height: 800 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.route(`${ORIGIN}/**`, (route) => {
    const url = route.request().url();
    if (url.endsWith('/app.js')) return route.fulfill({ contentType: 'text/javascript', body: js });
    if (url.endsWith('/panel.css')) return route.fulfill({ contentType: 'text/css', body: css });
    if (url.endsWith('/theme.css')) return route.fulfill({ contentType: 'text/css', body: theme });
    if (url === `${ORIGIN}/` || url.endsWith('/index.html'))
      return route.fulfill({ contentType: 'text/html', body: html });
    return route.fulfill({ status: 404, body: '' });
  });
  // Anything else would be a remote resource: fail loudly.
  await page.route(
    (u) => !u.href.startsWith(ORIGIN) && !u.href.startsWith('data:'),
    (route) => {
      problems.push(`remote request: ${route.request().url()}`);
      return route.abort();
    },
  );
  if (opts.host) await page.exposeFunction('__toHost', opts.host);
  // A string, not a function: tsx would inject helpers (__name) that do not exist in the page.
  // __name: tsx (esbuild keepNames) wraps named functions in page.evaluate callbacks with it.
  await page.addInitScript(`
    window.__name = (f) => f;
    window.__posted = [];
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => { window.__posted.push(JSON.parse(JSON.stringify(m))); if (window.__toHost) window.__toHost(m); },
      // Like VS Code, state survives a reload of the webview document (sessionStorage does here).
      getState: () => { const v = sessionStorage.getItem('vscode-state'); return v ? JSON.parse(v) : undefined; },
      setState: (s) => { sessionStorage.setItem('vscode-state', JSON.stringify(s)); },
    });`);
  await page.goto(`${ORIGIN}/`);
  await page
    .waitForFunction(
      () => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'),
      undefined,
      { timeout: 10_000 },
    )
    .catch((e) => {
      throw new Error(`panel app did not post ready: ${problems.join('; ') || e}`);
    });
  return {
    browser,
    page,
    problems,
    posted: () => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted),
    send: (m) => page.evaluate((msg) => window.postMessage(msg, '*'), m as unknown as Record<string, unknown>),
    close: () => browser.close(),
  };
}

export interface Connected {
  panel: PanelPage;
  session: PanelSession;
  /** Everything the host posted to the webview (JSON copies), for the canary checks. */
  hostPosts: unknown[];
  diffs: { title: string; before: string; after: string }[];
  copied: string[];
}

/** The real host session (src/webview/host/session.ts) talking to the real app in Chromium. */
export async function openConnected(
  backend: PanelBackend,
  envKey: string,
  opts: PanelPageOptions = {},
): Promise<Connected> {
  const hostPosts: unknown[] = [];
  const diffs: Connected['diffs'] = [];
  const copied: string[] = [];
  // Assigned once the page is open; post() reads it before then (and queues into `early`), so not a const.
  // eslint-disable-next-line prefer-const
  let panel: PanelPage | undefined;
  const early: HostMessage[] = [];
  const session = new PanelSession(envKey, backend, {
    post: (m) => {
      hostPosts.push(JSON.parse(JSON.stringify(m)));
      if (panel) void panel.send(m).catch(() => undefined);
      else early.push(m);
    },
    openDiff: (title, sides) => void diffs.push({ title, ...sides }),
    copy: async (t) => void copied.push(t),
    save: async () => {},
    log: () => {},
  });
  panel = await openPanelPage({ ...opts, host: (m) => void session.handle(m) });
  for (const m of early.splice(0)) await panel.send(m);
  return { panel, session, hostPosts, diffs, copied };
}
