// The deployment panel in a real VS Code (code-server) in Chromium, on a real Terraform environment
// (test/fixtures/workspace/panel-demo, builtin provider only): open the panel, plan, see Approve disabled while
// planning, see the counts, expand the replace, approve with the typed environment name, watch the apply log
// stream, and see health go green. Screenshots of every step, in a dark and a light theme.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as http from 'node:http';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { poll } from '../../support/poll';
import {
  openWorkbench,
  UI_ATTEMPT_MS,
  UI_POLL,
  UI_TEST_MS,
  UI_WAIT_MS,
  type Workbench,
  panelFrame,
} from '../../support/workbench';

/** The fixture's placeholder health URL (helix.deploy.toml var `url`); each run uses a free port instead. */
const PLACEHOLDER_URL = 'http://127.0.0.1:27181';
/** A sensitive terraform variable's value: it must never appear in the webview. */
const CANARY = 'canary-panel-5d1e9b7c-do-not-show';
const TF_ENV = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' };

/**
 * Expands a plan row by clicking its address. The panel can still shift by a line just after a plan lands
 * (the header gains Rollback, the approval bar its countdown), so a click may hit a neighbour: click again
 * until the row itself says it is expanded.
 */
async function expandRow(frame: Frame, selector: string): Promise<void> {
  const row = frame.locator(selector).first();
  await poll(
    async () => {
      if ((await row.getAttribute('aria-expanded')) !== 'true')
        await row.locator('.address').click({ timeout: UI_ATTEMPT_MS });
      return (await row.getAttribute('aria-expanded')) === 'true';
    },
    { ...UI_POLL, what: `${selector} expanded` },
  );
}

function terraform(dir: string, args: string[]): void {
  const r = spawnSync('terraform', args, { cwd: dir, encoding: 'utf8', env: TF_ENV });
  if (r.status !== 0) throw new Error(`terraform ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
}

for (const theme of ['Default Dark Modern', 'Default Light Modern', 'Default High Contrast'] as const) {
  const tag = theme.includes('Dark') ? 'dark' : theme.includes('Light') ? 'light' : 'hc';
  describe(`deployment panel in VS Code (${tag})`, function () {
    this.timeout(UI_TEST_MS);
    let wb: Workbench;
    let frame: Frame;
    let server: http.Server;
    const shot = (n: string) => wb.screenshot(`panel-${tag}-${n}`);

    before(async () => {
      server = http.createServer((req, res) => {
        res.statusCode = req.url === '/healthz' || req.url === '/readyz' ? 200 : 404;
        res.end('ok');
      });
      await new Promise<void>((r, j) => server.once('error', j).listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      wb = await openWorkbench();
      const deployToml = join(wb.workspace, 'panel-demo', 'helix.deploy.toml');
      writeFileSync(deployToml, readFileSync(deployToml, 'utf8').replace(PLACEHOLDER_URL, url));
      const infra = join(wb.workspace, 'panel-demo', 'infra');
      // Existing deployment at rev v0, so the panel's v1 plan has a replace, a destroy and creates.
      terraform(infra, ['init', '-input=false']);
      terraform(infra, [
        'apply',
        '-input=false',
        '-auto-approve',
        '-var',
        'rev=v0',
        '-var',
        'image=127.0.0.1:5000/panel-demo:0',
      ]);
      // After the v0 apply: the panel's plan changes the sensitive password to the canary.
      writeFileSync(join(infra, 'terraform.tfvars'), `db_password = "${CANARY}"\n`);
      mkdirSync(join(wb.workspace, '.vscode'), { recursive: true });
      writeFileSync(join(wb.workspace, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.colorTheme': theme }));
    });

    after(async () => {
      await wb?.close();
      await new Promise((r) => server?.close(r));
    });

    it('opens from the palette on the Terraform environment', async () => {
      await wb.openHelix();
      await wb.runCommand('Helix: Open Deployment Panel');
      // The workspace has several projects: the project first, then its environment.
      for (const label of ['panel-demo', 'staging']) {
        const pick = wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
        await pick.waitFor({ timeout: UI_WAIT_MS });
        await pick.click();
      }
      frame = await panelFrame(wb.page);
      await frame.locator('#env-title', { hasText: 'panel-demo / staging' }).waitFor();
      assert.ok(await frame.locator('.protected-tag').count(), 'protected environment is marked');
      await shot('1-opened');
    });

    it('keeps Approve disabled while planning, then shows the counts', async () => {
      // Record Approve's state at every run-state change (planning can be quicker than a poll).
      await frame.evaluate(() => {
        const w = window as unknown as { __seen: string[] };
        w.__seen = [];
        new MutationObserver(() => {
          const b = document.querySelector('#approve');
          w.__seen.push(`${document.body.dataset.runState}:${b?.hasAttribute('disabled') ? 'disabled' : 'enabled'}`);
        }).observe(document.body, { attributes: true, attributeFilter: ['data-run-state'] });
      });
      await frame.locator('#plan').click();
      await frame.locator('#run-state[data-state="Planned"]').waitFor({ timeout: 2 * UI_WAIT_MS });
      const seen = await frame.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
      assert.ok(seen.includes('Planning:disabled'), `states seen: ${seen.join(', ')}`);
      assert.equal((await frame.locator('[data-count="create"]').innerText()).trim(), '2');
      assert.equal((await frame.locator('[data-count="replace"]').innerText()).trim(), '1');
      assert.equal((await frame.locator('[data-count="delete"]').innerText()).trim(), '1');
      assert.notEqual(await frame.locator('#approve').getAttribute('disabled'), null, 'needs the typed name');
      await shot('2-planned');
    });

    it('expands the replace into its attribute diff with the forcing attribute', async () => {
      const row = frame.locator('.prow-resource[data-action="replace"]');
      assert.match(await row.innerText(), /forced by triggers_replace/);
      await expandRow(frame, '.prow-resource[data-action="replace"]');
      await frame.locator('.prow-attr', { hasText: 'forces replacement' }).first().waitFor();
      const attrs = await frame.locator('.prow-attr').allInnerTexts();
      assert.ok(
        attrs.some((a) => /Sid/.test(a) && /"v0"/.test(a) && /"v1"/.test(a)),
        `policy JSON diffed structurally:\n${attrs.join('\n')}`,
      );
      await shot('3-replace-expanded');
    });

    it('masks the sensitive password and never shows the canary secret', async () => {
      await expandRow(frame, '.prow-resource[data-address="terraform_data.credentials"]');
      await frame.locator('.prow-attr', { hasText: 'password' }).first().waitFor();
      assert.match(await frame.locator('.prow-attr', { hasText: 'password' }).first().innerText(), /\(sensitive\)/);
      assert.ok(!(await frame.content()).includes(CANARY), 'canary secret in the webview DOM');
    });

    it('opens one resource in the native diff editor', async () => {
      // The link shows on hover (like VS Code's inline actions); keyboard users press O on the row.
      await frame.locator('.prow-resource[data-action="replace"]').hover();
      await frame.locator('.prow-resource[data-action="replace"] .open-diff').click();
      const tab = wb.page.locator('.tabs-container .tab', { hasText: 'before ↔ after' }).first();
      await tab.waitFor({ timeout: UI_WAIT_MS });
      await wb.page.locator('.monaco-diff-editor').first().waitFor();
      await shot('3b-native-diff');
      // Back to the panel (it was hidden: retainContextWhenHidden is off, so this also tests the snapshot).
      await wb.page.locator('.tabs-container .tab', { hasText: 'Deploy: panel-demo / staging' }).click();
      frame = await panelFrame(wb.page);
      await frame.locator('#run-state[data-state="Planned"]').waitFor();
      assert.equal((await frame.locator('[data-count="replace"]').innerText()).trim(), '1');
    });

    it('approves with the typed environment name and streams the apply log', async () => {
      await frame.locator('#approval-confirm input').fill('staging');
      await frame.waitForFunction(() => !document.querySelector('#approve')!.hasAttribute('disabled'));
      await shot('4-confirmed');
      await frame.locator('#approve').click();
      await frame.locator('#tab-logs[aria-selected="true"]').waitFor({ timeout: UI_WAIT_MS });
      await frame.locator('.lrow', { hasText: 'terraform apply' }).first().waitFor({ timeout: UI_WAIT_MS });
      await shot('5-applying');
      await frame.locator('#run-state[data-state="Applied"]').waitFor({ timeout: 2 * UI_WAIT_MS });
      assert.ok((await frame.locator('.lrow:not([hidden])').count()) > 3);
      assert.ok(!(await frame.content()).includes(CANARY), 'canary secret in the apply log view');
      // The log view is virtualised (only visible rows are in the DOM): its search covers every kept line.
      await frame.locator('#log-search input').fill(CANARY.slice(0, 20));
      await frame.locator('#log-search-status', { hasText: 'No matches' }).waitFor();
      await frame.locator('#log-search input').fill('');
      await shot('6-applied');
    });

    it('shows who approved which plan, and copies the run summary as Markdown', async () => {
      await frame.locator('#tab-plan').click();
      const record = frame.locator('#approval-record:not([hidden])');
      await record.waitFor({ timeout: UI_WAIT_MS });
      assert.match(await record.innerText(), /^Approved by .+ at .+ · plan [0-9a-f]{12}$/);
      assert.match(await frame.locator('#run-approval').innerText(), /^Approved by .+ · plan [0-9a-f]{12}$/);
      await shot('6b-approval-record');
      await wb.page.evaluate(() => navigator.clipboard.writeText(''));
      await frame.locator('#copy-run-summary').click();
      const md = await poll(
        async () => {
          await wb.page.bringToFront();
          const text = await wb.page.evaluate(() => navigator.clipboard.readText());
          return text.startsWith('### Helix Deploy') ? text : undefined;
        },
        { ...UI_POLL, what: 'the run summary on the clipboard' },
      );
      assert.match(md, /^### Helix Deploy: panel-demo \/ staging · \w+ · Applied\n/);
      assert.match(md, /\*\*Plan:\*\* 2 to create, (?:.*, )?1 to replace, 1 to delete/);
      assert.match(md, /\| replace \| `[^`]+` \|/);
      assert.match(md, /\| create \| `[^`]+` \|/);
      assert.match(md, /Approved by \*\*.+\*\* at .+ UTC · plan `[0-9a-f]{12}`/);
      assert.match(md, /#### Timings\n\n- Started: .+\n- Approved: .+\n- Ended: /);
      assert.ok(!md.includes(CANARY), 'canary secret in the copied summary');
    });

    it('shows health going green', async () => {
      await frame.locator('#tab-health').click();
      await frame.locator('#health-overall[data-status="pass"]').waitFor({ timeout: UI_WAIT_MS });
      assert.equal(await frame.locator('.probe[data-status="pass"]').count(), 2);
      await shot('7-healthy');
    });

    it('restores the panel with the same run after a window reload', async () => {
      await wb.reloadWindow();
      frame = await panelFrame(wb.page);
      await frame.locator('#run-state[data-state="Applied"]').waitFor({ timeout: UI_WAIT_MS });
      await frame.locator('#tab-logs').click();
      await frame.locator('.lrow', { hasText: 'Apply complete' }).first().waitFor({ timeout: UI_WAIT_MS });
      await shot('8-after-reload');
    });
  });
}
