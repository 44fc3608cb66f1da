// Guardrails in the deployment panel, in a real VS Code (code-server) in Chromium, on the real Terraform
// environment of test/fixtures/workspace/panel-demo: a rule in helix.deploy.toml denies the plan, so the
// finding is listed above the approval bar and Approve stays disabled even with the name typed; after the
// rule is changed to a warning in the file, the next plan can be approved.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { openWorkbench, UI_POLL, type Workbench, panelFrame } from '../../support/workbench';
import { poll } from '../../support/poll';

const RULE = `
[[guardrails.rules]]
effect = "deny"
type = "terraform_data"
actions = ["create"]
message = "terraform_data is created by the platform team"
`;

describe('guardrails in the deployment panel', function () {
  this.timeout(300_000);
  let wb: Workbench;
  let frame: Frame;
  let deployToml: string;

  before(async () => {
    wb = await openWorkbench();
    deployToml = join(wb.workspace, 'panel-demo', 'helix.deploy.toml');
    appendFileSync(deployToml, RULE);
    const r = spawnSync('terraform', ['init', '-input=false'], {
      cwd: join(wb.workspace, 'panel-demo', 'infra'),
      encoding: 'utf8',
      env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' },
    });
    if (r.status !== 0) throw new Error(`terraform init failed:\n${r.stdout}\n${r.stderr}`);
  });

  after(async () => {
    await wb?.close();
  });

  it('a deny rule blocks approval and the finding is shown above the approval bar', async () => {
    await wb.openHelix();
    await wb.runCommand('Helix: Open Deployment Panel');
    for (const label of ['panel-demo', 'staging']) {
      const pick = wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
      await pick.waitFor({ timeout: 30_000 });
      await pick.click();
    }
    frame = await panelFrame(wb.page);
    await frame.locator('#plan').click();
    await frame.locator('#run-state[data-state="Planned"]').waitFor({ timeout: 120_000 });
    const deny = frame
      .locator('#guardrails .guardrail-deny', { hasText: 'terraform_data is created by the platform team' })
      .first();
    await deny.waitFor({ timeout: 30_000 });
    assert.match(
      await frame.locator('#approval-reason').innerText(),
      /Blocked by guardrails: .*terraform_data is created by the platform team/,
    );
    await frame.locator('#approval-confirm input').fill('staging');
    // The typed name does not unblock a deny (the bar re-renders on each input event).
    assert.notEqual(await frame.locator('#approve').getAttribute('disabled'), null, 'Approve stays disabled');
    await wb.screenshot('guardrails-1-blocked');
  });

  it('after the rule is changed to warn in helix.deploy.toml, the next plan can be approved', async () => {
    const blockedRun = await frame.locator('#run-state').getAttribute('data-run-id');
    writeFileSync(deployToml, readFileSync(deployToml, 'utf8').replace('effect = "deny"', 'effect = "warn"'));
    await frame.locator('#plan').click();
    await poll(
      async () => {
        const el = frame.locator('#run-state[data-state="Planned"]');
        return (await el.count()) && (await el.getAttribute('data-run-id')) !== blockedRun;
      },
      { ...UI_POLL, what: 'a new plan', timeoutMs: 120_000 },
    );
    await frame
      .locator('#guardrails .guardrail-warn', { hasText: 'terraform_data is created by the platform team' })
      .first()
      .waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('#guardrails .guardrail-deny').count(), 0);
    await frame.locator('#approval-confirm input').fill('staging');
    await frame.waitForFunction(() => !document.querySelector('#approve')!.hasAttribute('disabled'));
    await wb.screenshot('guardrails-2-allowed');
  });
});
