import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { poll } from '../../support/poll';
import { openWorkbench, UI_POLL, UI_TEST_MS, type Workbench } from '../../support/workbench';

// Typing a wrong value into helix.toml in the real workbench: a squiggle appears, the quick fix repairs it.

describe('language: squiggle and quick fix (UI, code-server + Chromium)', function () {
  this.timeout(UI_TEST_MS);
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench();
  });
  after(async () => {
    await wb?.close();
  });

  it('typing a wrong value shows a squiggle; the quick fix repairs it', async () => {
    const { page } = wb;
    await wb.openFile('config-ui/helix.toml');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-line', { hasText: 'port = 7101' }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('storage = "Disk"', { delay: 20 });
    const squiggle = editor.locator('.squiggly-error');
    await squiggle.first().waitFor({ state: 'visible' });
    await wb.screenshot('language-squiggle');

    // Cursor inside the wrong value, then Quick Fix (Ctrl+.) and pick the preferred fix.
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Change to "disk"' }).first();
    await fix.waitFor({ state: 'visible' });
    await wb.screenshot('language-quick-fix-menu');
    // The preferred fix is focused first; the menu takes the keyboard (its overlay swallows clicks).
    assert.match((await fix.getAttribute('class')) ?? '', /\bfocused\b/, 'the preferred fix is the focused entry');
    await page.keyboard.press('Enter');

    await poll(async () => (await squiggle.count()) === 0, { ...UI_POLL, what: 'the squiggle to disappear' });
    const text = (await editor.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, /storage = "disk"/);
    assert.match(text, /# typed into by test\/e2e\/ui\/language\.test\.ts/, 'comments are kept');
    // The fix edits the buffer only; nothing is written behind the user's back.
    assert.doesNotMatch(readFileSync(join(wb.workspace, 'config-ui/helix.toml'), 'utf8'), /storage/);
    await wb.screenshot('language-fixed');
  });
});
