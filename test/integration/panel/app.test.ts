// The real panel app in headless Chromium, driven by the real host session with a scripted engine:
// review -> approve with typed confirmation -> watch the apply log -> health goes green; plus keyboard,
// logs at scale, reload, CSP and the canary secret. Screenshots of each step in light and dark theme go to
// .test-output/panel/.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { CANARY_NEW, CANARY_OLD, canaryFixture, FakeBackend } from '../../unit/webview/fixtures';
import { openConnected, type Connected } from './harness';
import { poll } from '../../support/poll';

const OUT = join(process.env.HELIX_TEST_OUTPUT ?? resolve(__dirname, '../../../.test-output'), 'panel');
mkdirSync(OUT, { recursive: true });

const FX = canaryFixture();
const fixture = () => FX;
const CANARIES = [CANARY_OLD, CANARY_NEW];

async function attr(page: Page, sel: string, name: string): Promise<string | null> {
  return page.locator(sel).first().getAttribute(name);
}

/** A fresh panel on a fresh fake engine for one test, closed after it whatever happens. */
async function withPanel(fn: (c: Connected, b: FakeBackend) => Promise<void>): Promise<void> {
  const b = new FakeBackend();
  const c = await openConnected(b, b.envView.key);
  try {
    await fn(c, b);
  } finally {
    c.session.dispose();
    await c.panel.close();
  }
}

async function bodyText(page: Page): Promise<string> {
  return page.evaluate(() => document.body.innerText);
}

for (const theme of ['dark', 'light'] as const) {
  describe(`panel app in Chromium (${theme} theme)`, function () {
    this.timeout(60_000);
    let c: Connected;
    let b: FakeBackend;
    const shot = (name: string) => c.panel.page.screenshot({ path: join(OUT, `${name}-${theme}.png`) });

    before(async () => {
      b = new FakeBackend();
      b.envView = { ...b.envView, protected: false };
      const fx = fixture();
      (b as unknown as { redactor: unknown }).redactor = fx.redactor;
      c = await openConnected(b, b.envView.key, { theme });
    });
    after(async () => {
      c?.session.dispose();
      await c?.panel.close();
    });

    it('shows the environment after the ready handshake, with Plan available', async () => {
      const page = c.panel.page;
      await page.locator('#env-title', { hasText: 'demo / staging' }).waitFor();
      assert.equal(await attr(page, '#run-state', 'data-state'), 'none');
      assert.ok(c.hostPosts.some((m) => (m as { type: string }).type === 'snapshot'));
    });

    it('keeps Approve disabled while planning', async () => {
      const page = c.panel.page;
      b.setRun('Planning');
      await page.locator('#run-state[data-state="Planning"]').waitFor();
      assert.notEqual(await attr(page, '#approve', 'disabled'), null);
      assert.equal(await attr(page, '#approve', 'aria-disabled'), 'true');
      assert.match(await page.locator('#approval-reason').innerText(), /Planning/);
      assert.equal(await attr(page, '.step[data-step="Planning"]', 'aria-current'), 'step');
      await shot('1-planning');
      // Cancel is offered while planning and goes to the engine for this run.
      assert.equal(await page.locator('#cancel').isVisible(), true);
      await page.locator('#cancel').click();
      await poll(() => b.calls.includes('cancel run-1'), { what: 'the cancel call', timeoutMs: 15_000 });
      b.calls = [];
    });

    it('shows the counts, grouped resources and stand-out destroy/replace', async () => {
      const page = c.panel.page;
      b.setRun('Planned', fixture().model);
      await page.locator('#run-state[data-state="Planned"]').waitFor();
      for (const [k, n] of [
        ['create', '1'],
        ['update', '1'],
        ['replace', '1'],
        ['delete', '1'],
        ['outputs', '2 output changes'],
      ] as const)
        assert.equal((await page.locator(`[data-count="${k}"]`).innerText()).trim(), n);
      await page.locator('.prow-resource[data-action="replace"]').waitFor();
      assert.ok(await page.locator('.prow-resource[data-action="replace"].destructive').count());
      assert.ok(await page.locator('.prow-resource[data-action="delete"].destructive').count());
      assert.match(
        await page.locator('.prow-resource[data-action="replace"]').innerText(),
        /forced by triggers_replace/,
      );
      await shot('2-planned');
    });

    it('expands a replace into attribute diffs built on demand, with the attribute that forced it', async () => {
      const page = c.panel.page;
      await page.locator('.prow-resource[data-action="replace"] .address').click();
      await page.locator('.prow-attr').first().waitFor();
      const rows = await page.locator('.prow-attr').allInnerTexts();
      assert.ok(
        rows.some((r) => /triggers_replace/.test(r) && /forces replacement/.test(r)),
        rows.join('\n'),
      );
      assert.ok(
        rows.some((r) => /\(known after apply\)/.test(r)),
        'unknowns shown',
      );
      assert.equal(await attr(page, '.prow-resource[data-action="replace"]', 'aria-expanded'), 'true');
      await shot('3-replace-expanded');
    });

    it('masks sensitive values and never lets the canary secret reach the webview', async () => {
      const page = c.panel.page;
      await page.locator('.prow-resource[data-action="update"] .address').click();
      await page.locator('.prow-attr .masked').first().waitFor();
      await page.locator('.prow-resource[data-action="update"] .open-diff').click({ force: true });
      await poll(() => c.diffs.length === 1, { what: 'the diff document', timeoutMs: 15_000 });
      assert.ok(FX.raw.includes(CANARY_OLD) && FX.raw.includes(CANARY_NEW), 'the canaries are in the raw plan');
      const wire =
        JSON.stringify(c.hostPosts) + JSON.stringify(c.diffs) + (await bodyText(page)) + (await page.content());
      for (const s of CANARIES) {
        const at = wire.indexOf(s);
        assert.ok(at < 0, `canary ${s} reached the webview: …${wire.slice(Math.max(0, at - 120), at + 40)}…`);
      }
    });

    it('filters by action and searches by address', async () => {
      const page = c.panel.page;
      await page.locator('.chip[data-action="delete"]').click();
      assert.deepEqual(
        await page
          .locator('.prow-resource')
          .evaluateAll((els) =>
            els.filter((e) => !(e as HTMLElement).hidden).map((e) => e.getAttribute('data-action')),
          ),
        ['delete'],
      );
      await page.locator('.chip[data-action="delete"]').click();
      await page.locator('#plan-search input').fill('replace_me');
      await page.waitForFunction(() => document.querySelectorAll('.prow-resource:not([hidden])').length === 1);
      const visible = await page
        .locator('.prow-resource:not([hidden])')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-address')));
      assert.deepEqual(visible, ['terraform_data.replace_me']);
      await page.locator('#plan-search input').fill('');
      await page.waitForFunction(() => document.querySelectorAll('.prow-resource:not([hidden])').length === 4);
    });

    it('is keyboard accessible: tree roles, arrows, Enter', async () => {
      const page = c.panel.page;
      // The Plan tab's tree (the Drift tab has its own, hidden until chosen).
      const tree = page.getByRole('tree', { name: /Planned changes/ });
      assert.ok(await tree.getAttribute('aria-label'));
      await tree.focus();
      await page.keyboard.press('Home');
      assert.equal(await tree.getAttribute('aria-activedescendant'), 'prow-0');
      await page.keyboard.press('Enter'); // collapse the section
      assert.equal(await attr(page, '#prow-0', 'aria-expanded'), 'false');
      await page.keyboard.press('Enter');
      assert.equal(await attr(page, '#prow-0', 'aria-expanded'), 'true');
      await page.keyboard.press('ArrowDown');
      assert.equal(await tree.getAttribute('aria-activedescendant'), 'prow-1');
      for (const sel of ['#approve', '#discard', '#plan', '[role=tab]'])
        assert.ok(await page.locator(sel).count(), sel);
      // Every control has an accessible name (text or aria-label).
      const unnamed = await page.evaluate(() =>
        [
          ...document.querySelectorAll(
            'button, vscode-button, vscode-textfield, vscode-checkbox, [role=tab], [role=tree], [role=log]',
          ),
        ]
          .filter(
            (e) =>
              !(e as HTMLElement).hidden &&
              !(e.getAttribute('aria-label') || e.getAttribute('label') || e.textContent?.trim()),
          )
          .map((e) => e.outerHTML.slice(0, 80)),
      );
      assert.deepEqual(unnamed, []);
    });

    it('needs the environment name typed before Approve (destroy + replace), then approves that plan', async () => {
      const page = c.panel.page;
      assert.equal(await page.locator('.approval-confirm').isVisible(), true);
      assert.notEqual(await attr(page, '#approve', 'disabled'), null);
      assert.match(
        await page.locator('#approval-what').innerText(),
        /1 to create, 1 to update, 1 to replace, 1 to delete/,
      );
      assert.match(await page.locator('#approval-expiry').innerText(), /expires in (29|30) min/);
      await page.locator('#approval-confirm input').fill('stagin');
      assert.notEqual(await attr(page, '#approve', 'disabled'), null);
      await page.locator('#approval-confirm input').fill('staging');
      await page.waitForFunction(() => !document.querySelector('#approve')!.hasAttribute('disabled'));
      await shot('4-confirmed');
      await page.locator('#approve').click();
      await poll(() => b.calls.includes('approve run-1 hash-1'), { what: 'the approve call', timeoutMs: 15_000 });
      assert.deepEqual(b.calls, ['approve run-1 hash-1']);
    });

    it('switches to the apply view and streams the log with colours, following', async () => {
      const page = c.panel.page;
      b.setRun('Applying', fixture().model);
      await page.locator('#tab-logs[aria-selected="true"]').waitFor();
      for (let i = 0; i < 50; i++)
        b.fire({
          type: 'log',
          envKey: b.envView.key,
          runId: 'run-1',
          lines: [
            {
              t: Date.now(),
              text: i % 10 === 0 ? `\x1b[32mterraform_data.added[0]: Creation complete\x1b[0m #${i}` : `line ${i}`,
            },
          ],
        });
      b.fire({
        type: 'log',
        envKey: b.envView.key,
        runId: 'run-1',
        lines: [{ t: Date.now(), text: `local-exec: TF_VAR_secret=${CANARY_NEW}` }],
      });
      await page.locator('.lrow', { hasText: 'TF_VAR_secret=(sensitive)' }).waitFor();
      await page.locator('.lrow', { hasText: 'line 49' }).waitFor();
      assert.ok(await page.locator('.lrow .fg2').count(), 'ANSI green rendered as a themed class');
      assert.match(await page.locator('#log-status').innerText(), /51 lines · following/);
      await shot('5-applying-logs');
    });

    it('shows health going green after the apply', async () => {
      const page = c.panel.page;
      b.setRun('Applied', fixture().model);
      const now = Date.now();
      const probe = (ok: boolean, at: number) => ({
        at,
        ok,
        latencyMs: ok ? 12 : undefined,
        error: ok ? undefined : 'connection refused',
      });
      b.fire({
        type: 'health',
        envKey: b.envView.key,
        health: {
          overall: 'fail',
          probes: [
            {
              name: 'readiness',
              target: 'http://127.0.0.1:18080/readyz',
              status: 'fail',
              error: 'connection refused',
              history: [probe(false, now - 2000)],
            },
          ],
        },
      });
      await page.locator('#tab-health').click();
      await page.locator('#health-overall[data-status="fail"]').waitFor();
      assert.match(await page.locator('.probe-error').innerText(), /connection refused/);
      b.fire({
        type: 'health',
        envKey: b.envView.key,
        health: {
          overall: 'pass',
          probes: [
            {
              name: 'liveness',
              target: 'http://127.0.0.1:18080/healthz',
              status: 'pass',
              latencyMs: 9,
              checkedAt: now,
              history: [probe(true, now - 1000), probe(true, now)],
            },
            {
              name: 'readiness',
              target: 'http://127.0.0.1:18080/readyz',
              status: 'pass',
              latencyMs: 12,
              checkedAt: now,
              history: [probe(false, now - 2000), probe(true, now)],
            },
          ],
        },
      });
      await page.locator('#health-overall[data-status="pass"]').waitFor();
      assert.equal(await page.locator('.probe[data-status="pass"]').count(), 2);
      assert.equal(await page.locator('.timeline .tick').count(), 4);
      assert.equal(await attr(page, '.step[data-step="Applied"]', 'class'), 'step done');
      await shot('6-healthy');
    });

    it('shows the same run after a reload (full snapshot on ready)', async () => {
      const page = c.panel.page;
      c.session.detached();
      await page.reload();
      await page.locator('#run-state[data-state="Applied"]').waitFor();
      // UI state survives too (vscode.setState): the tab the user was on, expanded resources with their details.
      assert.equal(await attr(page, '#tab-health', 'aria-selected'), 'true');
      await page.locator('#tab-plan').click();
      await page.locator('.prow-attr', { hasText: 'forces replacement' }).first().waitFor();
      await page.locator('#tab-logs').click();
      await page.locator('.lrow', { hasText: 'line 49' }).waitFor();
      assert.deepEqual(c.panel.problems, [], 'no CSP violation, page error or remote request');
      const wire = JSON.stringify(c.hostPosts) + (await page.content());
      for (const s of CANARIES) assert.ok(!wire.includes(s), `canary ${s} reached the webview`);
    });
  });
}

describe('panel: a click at human speed on the unfocused tree', function () {
  this.timeout(60_000);
  it('expands the row: the focus the press gives the tree does not rebuild the row under the pointer', async () =>
    withPanel(async (c, b) => {
      const page = c.panel.page;
      b.setRun('Planned', FX.model);
      const address = page.locator('.prow-resource[data-action="replace"] .address');
      await address.waitFor();
      const box = (await address.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      // A person holds the button for about 100 ms: frames are painted between the press and the release.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await page.mouse.up();
      await page.locator('.prow-attr', { hasText: 'forces replacement' }).first().waitFor({ timeout: 10_000 });
      assert.equal(await attr(page, '.prow-resource[data-action="replace"]', 'aria-expanded'), 'true');
    }));
});

describe('panel: an expired plan offers Re-plan', function () {
  this.timeout(60_000);
  it('shows the notice with a Re-plan action that plans again, and keeps Approve disabled', async () =>
    withPanel(async (c, b) => {
      const page = c.panel.page;
      b.setRun('Expired', FX.model);
      await page.locator('#notice-replan').waitFor();
      assert.match(await page.locator('#notice').innerText(), /expired/i);
      assert.notEqual(await attr(page, '#approve', 'disabled'), null);
      assert.equal(await page.locator('#approval-replan').isVisible(), true);
      await page.locator('#notice-replan').click();
      await poll(() => b.calls.includes(`plan ${b.envView.key}`), { what: 'the re-plan', timeoutMs: 15_000 });
    }));
});

describe('panel: changes found while planning', function () {
  this.timeout(60_000);
  it('lists planned changes as the tool finds them, counts past the bound, survives a reload, and gives way to the plan', async () =>
    withPanel(async (c, b) => {
      const page = c.panel.page;
      b.setRun('Planning');
      await page.locator('#run-state[data-state="Planning"]').waitFor();
      assert.equal(await page.locator('.found').isVisible(), false, 'nothing found yet: no empty list');
      const change = (i: number) => ({
        address: `module.app.aws_instance.web[${i}]`,
        action: i % 10 === 0 ? 'replace' : 'create',
      });
      b.fire({ type: 'found', envKey: b.envView.key, runId: 'run-1', changes: [change(0), change(1)] });
      await page.locator('.found-row[data-address="module.app.aws_instance.web[1]"]').waitFor();
      assert.match(await page.locator('.found-count').innerText(), /^2 changes found so far$/);
      assert.equal(await page.locator('.found-row[data-action="replace"] .found-sign').innerText(), '-/+');
      for (let i = 2; i < 299; i++)
        b.fire({ type: 'found', envKey: b.envView.key, runId: 'run-1', changes: [change(i)] });
      // Other environments' and other runs' changes never show here.
      b.fire({
        type: 'found',
        envKey: b.envView.key,
        runId: 'run-0',
        changes: [{ address: 'other.run', action: 'create' }],
      });
      b.fire({
        type: 'found',
        envKey: 'elsewhere#x',
        runId: 'run-1',
        changes: [{ address: 'other.environment', action: 'create' }],
      });
      b.fire({ type: 'found', envKey: b.envView.key, runId: 'run-1', changes: [change(299)] });
      await page.locator('.found-count', { hasText: '300 changes found so far (latest 200 shown)' }).waitFor();
      assert.equal(await page.locator('.found-row').count(), 200);
      assert.equal(
        await page.locator('.found-row[data-address^="other."]').count(),
        0,
        "another run's or environment's changes",
      );
      await page.reload();
      await page.locator('.found-count', { hasText: '300 changes found so far' }).waitFor();
      assert.equal(
        await page.locator('.found-row').last().getAttribute('data-address'),
        'module.app.aws_instance.web[299]',
      );
      b.setRun('Planned', FX.model);
      await page.locator('#run-state[data-state="Planned"]').waitFor();
      assert.equal(await page.locator('.found').isVisible(), false, 'the reviewable plan replaces the list');
      assert.ok(await page.locator('.prow-resource').count());
    }));
});

describe('panel logs at scale in Chromium', function () {
  this.timeout(60_000);
  let c: Connected;
  let b: FakeBackend;
  before(async () => {
    b = new FakeBackend();
    c = await openConnected(b, b.envView.key);
    b.setRun('Applying');
  });
  after(async () => {
    c?.session.dispose();
    await c?.panel.close();
  });

  it('takes 100,000 lines, keeps few DOM rows, follows, pauses on scroll up, searches and copies', async () => {
    const page = c.panel.page;
    await page.locator('#tab-logs').click();
    const batch = 5000;
    for (let i = 0; i < 100_000; i += batch)
      b.fire({
        type: 'log',
        envKey: b.envView.key,
        runId: 'run-1',
        lines: Array.from({ length: batch }, (_, k) => ({
          t: Date.now(),
          text: `\x1b[3${(i + k) % 8}mline ${i + k}\x1b[0m ${(i + k) % 997 === 0 ? 'NEEDLE' : ''}`,
        })),
      });
    await page.waitForFunction(
      () => /100,000 lines/.test(document.querySelector('#log-status')!.textContent ?? ''),
      undefined,
      { timeout: 20_000 },
    );
    const rows = await page.locator('.lrow:not([hidden])').count();
    assert.ok(rows < 100, `${rows} DOM rows for 100k lines`);
    await page.locator('.lrow', { hasText: 'line 99999' }).waitFor();
    // Scroll up: follow pauses, new lines do not move the view.
    await page.locator('.log-list').hover();
    await page.mouse.wheel(0, -2000);
    await page.waitForFunction(() => /paused/.test(document.querySelector('#log-status')!.textContent ?? ''));
    const top = await page.locator('.log-list').evaluate((e) => e.scrollTop);
    // The user selects a line to copy it while the run goes on: new lines must not take the selection away.
    const selected = await page.evaluate(() => {
      const text = [...document.querySelectorAll('.lrow:not([hidden]) .text')][5]!;
      const range = document.createRange();
      range.selectNodeContents(text);
      getSelection()!.removeAllRanges();
      getSelection()!.addRange(range);
      return getSelection()!.toString();
    });
    assert.match(selected, /^line \d+/);
    b.fire({ type: 'log', envKey: b.envView.key, runId: 'run-1', lines: [{ t: Date.now(), text: 'one more' }] });
    await page.waitForTimeout(150);
    assert.equal(await page.locator('.log-list').evaluate((e) => e.scrollTop), top);
    assert.equal(await page.evaluate(() => getSelection()!.toString()), selected, 'the selection survives new lines');
    await page.locator('#log-follow').click();
    await page.locator('.lrow', { hasText: 'one more' }).waitFor();
    // Search.
    await page.locator('#log-search input').fill('needle');
    await page.waitForFunction(() => /of 101/.test(document.querySelector('#log-search-status')!.textContent ?? ''));
    await page.locator('.lrow.match-current').waitFor();
    // Copy goes through the host (clipboard), colours stripped.
    await page.locator('#log-copy').click();
    await poll(() => c.copied.length > 0, { what: 'the copy', timeoutMs: 15_000 });
    assert.ok(c.copied[0]!.includes('line 99999') && !c.copied[0]!.includes('\x1b'));
  });
});
