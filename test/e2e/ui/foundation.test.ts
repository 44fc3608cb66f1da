import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { poll } from '../../support/poll';
import { openWorkbench, UI_POLL, UI_TEST_MS, UI_WAIT_MS, type Workbench } from '../../support/workbench';

describe('foundation (UI, code-server + Chromium)', function () {
  this.timeout(UI_TEST_MS);
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench();
  });
  after(async () => {
    await wb?.close();
  });

  it('shows the Helix container with the sample project in the Projects view', async () => {
    await wb.openHelix();
    const rows = await poll(
      async () => {
        const r = await wb.treeRows('Projects');
        return r.some((t) => t.includes('starter-demo')) ? r : undefined;
      },
      { ...UI_POLL, what: 'starter-demo in the Projects view' },
    );
    assert.ok(!rows.some((t) => t.includes('not-helix')), 'a non-HelixDB helix.toml must not be listed');
    await wb.screenshot('foundation-projects-view');
  });

  it('runs a command from the palette (Helix: Show Log opens the output channel)', async () => {
    await wb.runCommand('Helix: Show Log');
    const line = wb.page.getByText(/Helix[\s\u00a0]Deploy[\s\u00a0]activated[\s\u00a0]in/).first();
    await line.waitFor({ timeout: UI_WAIT_MS });
    assert.ok(await line.isVisible(), 'the activation line of the Helix Deploy log is visible in the Output panel');
    await wb.screenshot('foundation-show-log');
  });

  it('creates a starter helix.toml from the palette', async () => {
    await wb.runCommand('Helix: Create Starter helix.toml');
    // A multi-project workspace has one root folder: the file lands there and opens in an editor.
    const file = join(wb.workspace, 'helix.toml');
    // The edit creates the file first and saves its text a moment later: wait for the saved text.
    await poll(async () => existsSync(file) && readFileSync(file, 'utf8').length > 0, {
      ...UI_POLL,
      what: 'helix.toml with its text in the workspace root',
    });
    assert.match(readFileSync(file, 'utf8'), /^\[project\]\nname = "/);
    await poll(async () => (await wb.page.locator('.tab', { hasText: 'helix.toml' }).count()) > 0, {
      ...UI_POLL,
      what: 'the new file opened in an editor tab',
    });
    await wb.screenshot('foundation-starter-created');
  });
});

describe('welcome view (UI)', function () {
  this.timeout(UI_TEST_MS);
  let wb: Workbench;
  after(async () => {
    await wb?.close();
  });

  it('offers a starter helix.toml when the workspace has no project, and the button creates one', async () => {
    const { mkdirSync } = await import('node:fs');
    const empty = join(process.env.HELIX_TEST_TMP!, `empty-${Date.now()}`);
    mkdirSync(empty, { recursive: true });
    wb = await openWorkbench({ workspace: empty });
    await wb.openHelix();
    const button = wb.page
      .locator('.welcome-view-content a, .welcome-view-content .monaco-button', {
        hasText: 'Create Starter helix.toml',
      })
      .first();
    await button.waitFor({ timeout: UI_WAIT_MS });
    await wb.screenshot('foundation-welcome-view');
    await button.click();
    const file = join(empty, 'helix.toml');
    await poll(async () => existsSync(file), { ...UI_POLL, what: 'helix.toml created by the welcome button' });
    const rows = await poll(
      async () => {
        const r = await wb.treeRows('Projects');
        return r.length > 0 ? r : undefined;
      },
      { ...UI_POLL, what: 'the new project in the Projects view' },
    );
    assert.match(rows[0], /empty-/);
    await wb.screenshot('foundation-welcome-created');
  });
});
