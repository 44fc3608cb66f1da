// Drives the real VS Code workbench (code-server, started by scripts/test.mjs) in Debian's Chromium.
import { cpSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';
import { poll } from './poll';
import chromiumArgs from '../../scripts/lib/chromium-args.json';

const root = resolve(__dirname, '..', '..');
/**
 * How long a UI test waits for anything the workbench shows: generous, because the machine may be busy with
 * other jobs and a slow answer is not a failure. Every UI wait derives from it.
 */
export const UI_WAIT_MS = 60_000;
/** One attempt of a step that is retried (the palette opening, a menu appearing) within UI_WAIT_MS. */
export const UI_ATTEMPT_MS = UI_WAIT_MS / 6;
/** A whole UI test: several waits in a row. */
export const UI_TEST_MS = 8 * UI_WAIT_MS;
/** poll() options for the UI: the usual bound, asking a few times a second. */
export const UI_POLL = { timeoutMs: UI_WAIT_MS, intervalMs: 250 };
let counter = 0;
/** Open workbenches, so a failing test can be photographed by the root hook (test/support/ui-hooks.ts). */
export const openWorkbenches = new Set<Workbench>();

export interface Workbench {
  page: Page;
  browser: Browser;
  /** Absolute path of this workbench's workspace: a fresh copy of test/fixtures/workspace. */
  workspace: string;
  runCommand(title: string): Promise<void>;
  /** Opens the command palette with `title` typed in and returns its entry, once shown (retried until it is). */
  paletteEntry(title: string): Promise<Locator>;
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
export async function openWorkbench(
  opts: { workspace?: string; restricted?: boolean; folders?: string[] } = {},
): Promise<Workbench> {
  const url = required(opts.restricted ? 'HELIX_TEST_CODE_SERVER_RESTRICTED' : 'HELIX_TEST_CODE_SERVER');
  const tmp = required('HELIX_TEST_TMP');
  const output = process.env.HELIX_TEST_OUTPUT ?? join(root, '.test-output');
  const workspace = opts.workspace ?? join(tmp, `ws-${process.pid}-${++counter}`);
  if (!opts.workspace) {
    mkdirSync(tmp, { recursive: true });
    if (opts.folders)
      for (const f of opts.folders)
        cpSync(join(root, 'test/fixtures/workspace', f), join(workspace, f), { recursive: true });
    else cpSync(join(root, 'test/fixtures/workspace'), workspace, { recursive: true });
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  // Clipboard permissions: tests read what a command copied (localhost is a secure context).
  const page = await browser.newPage({
    viewport: { width: 1400, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  page.setDefaultTimeout(UI_WAIT_MS);
  await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`, { timeout: UI_WAIT_MS });
  await page.locator('.monaco-workbench').waitFor();
  await page.locator('.activitybar').waitFor();
  const quickInput = page.locator('.quick-input-widget');
  /** One attempt to see target in the quick input; a miss closes it, so that the next attempt starts afresh. */
  const seenOrClosed = async (target: Locator): Promise<true> => {
    try {
      await target.waitFor({ state: 'visible', timeout: UI_ATTEMPT_MS });
      return true;
    } catch (e) {
      await page.keyboard.press('Escape');
      throw e;
    }
  };

  const wb: Workbench = {
    page,
    browser,
    workspace,
    async paletteEntry(title) {
      const input = quickInput.locator('input');
      const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
      const entry = quickInput
        .locator('.monaco-list-row')
        .filter({ has: page.locator('.label-name', { hasText: exact }) })
        .first();
      // Each attempt opens the palette if it is not open, types the title and waits for the entry.
      await poll(
        async () => {
          // The palette may close between two steps (a command's own pick replacing it): each step has an
          // attempt's time, and a failed step starts the next attempt.
          if (
            !(await quickInput.isVisible()) ||
            !(await input.inputValue({ timeout: UI_ATTEMPT_MS })).startsWith('>')
          ) {
            // A dialog a command left open keeps the keyboard: dismiss it first.
            if (await page.locator('.monaco-dialog-box').isVisible()) await page.keyboard.press('Escape');
            // A focused webview (an iframe, which may take the focus a moment after it opens) keeps F1 to itself.
            const inWebview = await page.evaluate(() => document.activeElement?.tagName === 'IFRAME');
            if (inWebview) await page.locator('.activitybar .action-item a').first().focus();
            await page.keyboard.press('F1');
            await input.waitFor({ state: 'visible', timeout: UI_ATTEMPT_MS });
          }
          const typed = `>${title}`;
          if ((await input.inputValue({ timeout: UI_ATTEMPT_MS })) !== typed)
            await input.fill(typed, { timeout: UI_ATTEMPT_MS });
          return seenOrClosed(entry);
        },
        { ...UI_POLL, what: `"${title}" in the command palette` },
      );
      return entry;
    },
    async runCommand(title) {
      const entry = await wb.paletteEntry(title);
      // Enter runs the focused entry; another one may sit above it (a longer title, a recently used one).
      if (/\bfocused\b/.test((await entry.getAttribute('class')) ?? '')) await page.keyboard.press('Enter');
      else await entry.click();
    },
    async reloadWindow() {
      // A bare browser reload can race the workbench's state flush (the editors, an extension's workspaceState).
      const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
      await wb.runCommand('Developer: Reload Window');
      await navigated;
      await page.locator('.monaco-workbench').waitFor();
      await page.locator('.activitybar').waitFor();
    },
    async openFile(relPath) {
      const input = quickInput.locator('input');
      const name = relPath.split('/').pop()!;
      const row = quickInput.locator('.monaco-list-row.focused', { hasText: name }).first();
      await poll(
        async () => {
          if (!(await quickInput.isVisible())) {
            await page.keyboard.press('Control+P');
            await input.waitFor({ state: 'visible', timeout: UI_ATTEMPT_MS });
          }
          if ((await input.inputValue({ timeout: UI_ATTEMPT_MS })) !== relPath)
            await input.fill(relPath, { timeout: UI_ATTEMPT_MS });
          return seenOrClosed(row);
        },
        { ...UI_POLL, what: `${relPath} in Quick Open` },
      );
      await page.keyboard.press('Enter');
      await page.locator('.editor-instance .monaco-editor').first().waitFor();
    },
    async openHelix() {
      const entry = page.locator('.activitybar .action-item', { has: page.locator('a[aria-label^="Helix"]') }).first();
      await entry.waitFor();
      const open = page.locator('.sidebar .pane-header', { hasText: 'Projects' });
      // A click on the active container hides the sidebar: right after a (re)load the container may be active
      // with its views still restoring, so click only while it is not the active one.
      await poll(
        async () => {
          if (await open.isVisible()) return true;
          if (!/\bchecked\b/.test((await entry.getAttribute('class')) ?? '')) await entry.locator('a').click();
          await open.waitFor({ timeout: UI_ATTEMPT_MS });
          return true;
        },
        { ...UI_POLL, what: 'the Helix views in the sidebar' },
      );
    },
    async contextMenu(target, label) {
      const item = page.locator('.context-view .action-item, .monaco-menu .action-item', { hasText: label }).first();
      // A right-click on a busy workbench may open nothing, or a menu still without its entries: try again.
      await poll(
        async () => {
          if (!(await item.isVisible())) {
            await page.keyboard.press('Escape');
            await target.click({ button: 'right' });
          }
          await item.waitFor({ timeout: UI_ATTEMPT_MS });
          return true;
        },
        { ...UI_POLL, what: `"${label}" in the context menu` },
      );
      // VS Code ignores a mouse-up that lands right after the menu opened; pick the entry with the keyboard.
      await item.hover();
      await page.keyboard.press('Enter');
      await item.waitFor({ state: 'hidden' });
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

/** The deployment panel's document: code-server nests it two iframes deep; finds the frame that holds the app. */
export async function panelFrame(page: Page): Promise<Frame> {
  return poll(
    async () => {
      for (const f of page.frames()) {
        if (
          await f
            .locator('#env-title')
            .count()
            .catch(() => 0)
        )
          return f;
      }
      return undefined;
    },
    { ...UI_POLL, what: 'the deployment panel webview' },
  );
}
