// Drives the real VS Code workbench (code-server, started by scripts/test.mjs) in Debian's Chromium.
import { cpSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

const root = resolve(__dirname, '..', '..');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
let counter = 0;
/** Open workbenches, so a failing test can be photographed by the root hook (test/support/ui-hooks.ts). */
export const openWorkbenches = new Set<Workbench>();

export interface Workbench {
  page: Page;
  browser: Browser;
  /** Absolute path of this workbench's workspace: a fresh copy of test/fixtures/workspace. */
  workspace: string;
  runCommand(title: string): Promise<void>;
  /** Reloads the window the way a user does (Developer: Reload Window), so VS Code saves its state first. */
  reloadWindow(): Promise<void>;
  openFile(relPath: string): Promise<void>;
  /** Opens the Helix container in the activity bar. */
  openHelix(): Promise<void>;
  /** Right-clicks target and runs the context-menu entry with this label. */
  contextMenu(target: Locator, label: string): Promise<void>;
  /** Tree rows of a view, by the view's name ("Projects", "Environments", "Deployments"). */
  treeRows(viewName: string): Promise<string[]>;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run UI tests through "npm test" (scripts/test.mjs starts code-server)`);
  return v;
}

/**
 * `restricted`: the code-server whose workspaces are untrusted (Restricted Mode).
 * `folders`: copy only these folders of test/fixtures/workspace (trees are virtualised: rows scrolled out of
 * view are not in the DOM, so a test that clicks a row keeps the workspace small).
 */
export async function openWorkbench(opts: { workspace?: string; restricted?: boolean; folders?: string[] } = {}): Promise<Workbench> {
  const url = required(opts.restricted ? 'HELIX_TEST_CODE_SERVER_RESTRICTED' : 'HELIX_TEST_CODE_SERVER');
  const tmp = required('HELIX_TEST_TMP');
  const output = process.env.HELIX_TEST_OUTPUT ?? join(root, '.test-output');
  const workspace = opts.workspace ?? join(tmp, `ws-${process.pid}-${++counter}`);
  if (!opts.workspace) {
    mkdirSync(tmp, { recursive: true });
    if (opts.folders) for (const f of opts.folders) cpSync(join(root, 'test/fixtures/workspace', f), join(workspace, f), { recursive: true });
    else cpSync(join(root, 'test/fixtures/workspace'), workspace, { recursive: true });
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  // Clipboard permissions: tests read what a command copied (localhost is a secure context).
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
  await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.activitybar').waitFor({ timeout: 60_000 });

  const wb: Workbench = {
    page,
    browser,
    workspace,
    async runCommand(title) {
      const input = page.locator('.quick-input-widget input');
      // A focused webview (an iframe, which may take the focus a moment after it opens) keeps F1 to itself:
      // hand the focus back to the workbench and press again until the palette shows.
      await eventually(async () => {
        if (await page.evaluate(() => document.activeElement?.tagName === 'IFRAME')) await page.locator('.activitybar .action-item a').first().focus();
        await page.keyboard.press('F1');
        return input.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
      }, 'the command palette');
      await input.fill(`>${title}`);
      const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
      await row.waitFor({ timeout: 15_000 });
      await page.keyboard.press('Enter');
    },
    async reloadWindow() {
      // A bare browser reload can race the workbench's state flush (the editors, an extension's workspaceState).
      const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 60_000 });
      await wb.runCommand('Developer: Reload Window');
      await navigated;
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.activitybar').waitFor({ timeout: 60_000 });
    },
    async openFile(relPath) {
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill(relPath);
      await page.locator('.quick-input-widget .monaco-list-row').first().waitFor({ timeout: 15_000 });
      await page.keyboard.press('Enter');
      await page.locator('.editor-instance .monaco-editor').first().waitFor({ timeout: 15_000 });
    },
    async openHelix() {
      const item = page.locator('.activitybar .action-item a[aria-label^="Helix"]').first();
      await item.waitFor({ timeout: 30_000 });
      const open = page.locator('.sidebar .pane-header', { hasText: 'Projects' });
      // A click on the active container hides the sidebar: right after a (re)load the sidebar may still be
      // restoring, so click only when it stays closed, and check again.
      await eventually(async () => {
        if (await open.isVisible()) return true;
        await page.waitForTimeout(500);
        if (await open.isVisible()) return true;
        await item.click();
        return open.waitFor({ timeout: 3_000 }).then(() => true, () => false);
      }, 'the Helix views in the sidebar');
    },
    async contextMenu(target, label) {
      await target.click({ button: 'right' });
      const item = page.locator('.context-view .action-item, .monaco-menu .action-item', { hasText: label }).first();
      await item.waitFor({ timeout: 15_000 });
      // VS Code ignores a mouse-up that lands right after the menu opened; pick the entry with the keyboard.
      await item.hover();
      await page.keyboard.press('Enter');
      await item.waitFor({ state: 'hidden', timeout: 15_000 });
    },
    async treeRows(viewName) {
      const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: viewName }) }).first();
      await pane.waitFor();
      return pane.locator('.monaco-list-row').allInnerTexts();
    },
    async screenshot(name) {
      const file = join(output, 'screenshots', `${name}.png`);
      mkdirSync(join(output, 'screenshots'), { recursive: true });
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      openWorkbenches.delete(wb);
      await browser.close();
    },
  };
  openWorkbenches.add(wb);
  return wb;
}

/** Polls until fn returns a truthy value. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
