// The panel app in Chromium at scale, through the real host session: a 50,000-resource plan arrives in pages
// the app asks for (few DOM rows, Approve once every change is listed), and "Load older" brings the lines of
// a long run log before the ones shown, from the backend's log on disk.

import assert from 'node:assert/strict';
import { parseTerraformShow } from '../../../src/core/plan/terraform/show';
import type { LogLine } from '../../../src/webview/protocol';
import { bigTerraformPlanText } from '../../support/bigPlan';
import { FakeBackend } from '../../unit/webview/fixtures';
import { openConnected, type Connected } from './harness';

describe('panel app at scale (Chromium)', function () {
  this.timeout(120_000);
  let c: Connected | undefined;
  afterEach(async () => {
    c?.session.dispose();
    await c?.panel.close();
    c = undefined;
  });

  it('a 50,000-resource plan: first page at once, every page on request, then Approve', async () => {
    const b = new FakeBackend();
    b.envView = { ...b.envView, protected: false };
    b.setRun('Planned', parseTerraformShow(JSON.parse(bigTerraformPlanText(50_000))));
    c = await openConnected(b, b.envView.key);
    const page = c.panel.page;
    await page.locator('.prow-resource').first().waitFor();
    await page.waitForFunction(() => !document.querySelector('.plan-status')?.textContent, undefined, {
      timeout: 60_000,
    });
    const asked = c.hostPosts.filter((m) => (m as { type: string }).type === 'planPage').length;
    assert.ok(asked >= 4, `${asked} pages posted`);
    assert.ok((await page.locator('.prow').count()) < 200, 'a virtualised list, not 50,000 rows');
    // The last module's rows are there (they came in the last page): search finds one.
    await page.locator('#plan-search input').fill('module.m_99.');
    await page.locator('.prow-module:not([hidden])', { hasText: 'module.m_99' }).first().waitFor();
    await page.locator('#plan-search input').fill('');
    await page.waitForFunction(
      () => !document.querySelector('#approve')?.hasAttribute('disabled') || /Type/.test(document.body.innerText),
    );
    assert.doesNotMatch(await page.evaluate(() => document.body.innerText), /more changes to come/);
  });

  it('Load older shows the lines before the tail, read from the backend, the newest kept', async () => {
    const all: string[] = Array.from({ length: 20_000 }, (_, i) => `line ${i}`);
    const b = new FakeBackend();
    b.readLog = async (_id, from, count) => ({ lines: all.slice(from, from + count), from });
    const tail: LogLine[] = all.slice(19_000).map((text) => ({ t: Date.now(), text }));
    b.setRun('Applying', undefined, {}, tail);
    b.snap!.logFrom = 19_000;
    c = await openConnected(b, b.envView.key);
    const page = c.panel.page;
    await page.locator('#tab-logs').click();
    await page.locator('.lrow:not([hidden])', { hasText: 'line 19999' }).first().waitFor();
    await page.waitForFunction(() =>
      /19,000 earlier lines on disk/.test(document.querySelector('#log-status')!.textContent ?? ''),
    );
    await page.locator('#log-older').click();
    await page.waitForFunction(() =>
      /6,000 lines \(14,000 earlier/.test(document.querySelector('#log-status')!.textContent ?? ''),
    );
    await page.locator('.log-list').evaluate((e) => (e.scrollTop = 0));
    await page.locator('.lrow:not([hidden])', { hasText: 'line 14000' }).first().waitFor();
    assert.ok(c.hostPosts.some((m) => (m as { type: string }).type === 'logOlder'));
  });
});
