import { strict as assert } from 'node:assert';
import { poll } from '../../support/poll';
import { openWorkbench, UI_POLL, UI_TEST_MS, UI_WAIT_MS, type Workbench } from '../../support/workbench';

// A palette command on a workspace of two projects asks for the project, then the environment, and offers
// the workspace's last choice first (Enter repeats it), also after the window reloads.

describe('palette quick picks (UI)', function () {
  this.timeout(UI_TEST_MS);
  let wb: Workbench;
  const rows = () => wb.page.locator('.quick-input-widget .monaco-list-row');
  const focused = () => wb.page.locator('.quick-input-widget .monaco-list-row.focused').first();
  const panelTab = () => wb.page.locator('.tabs-container .tab', { hasText: 'Deploy: panel-demo / staging' }).first();

  async function pickShows(placeholder: string, labels: string[]): Promise<string[]> {
    await wb.page.locator(`.quick-input-widget input[placeholder="${placeholder}"]`).waitFor({ timeout: UI_WAIT_MS });
    return poll(
      async () => {
        const texts = await rows().allInnerTexts();
        return labels.every((l) => texts.some((t) => t.includes(l))) ? texts : undefined;
      },
      { ...UI_POLL, what: `${labels.join(', ')} in the "${placeholder}" pick` },
    );
  }

  before(async () => {
    wb = await openWorkbench({ folders: ['local-demo', 'panel-demo'] });
  });
  after(async () => wb?.close());

  it('asks for the project, then its environment', async () => {
    await wb.openHelix();
    await wb.runCommand('Helix: Open Deployment Panel');
    await pickShows('Which project?', ['local-demo', 'panel-demo']);
    await wb.screenshot('palette-1-project');
    await rows().filter({ hasText: 'panel-demo' }).first().click();
    const envs = await pickShows('Which environment?', ['dev', 'staging']);
    assert.ok(
      envs.some((t) => /staging/.test(t) && /terraform/.test(t) && /protected/.test(t)),
      envs.join(' | '),
    );
    await wb.screenshot('palette-2-environment');
    await rows().filter({ hasText: 'staging' }).first().click();
    await panelTab().waitFor({ timeout: UI_WAIT_MS });
  });

  it('offers the last choice first, also after a reload: Enter twice opens the same environment', async () => {
    await wb.runCommand('View: Close All Editors');
    await panelTab().waitFor({ state: 'detached' });
    await wb.reloadWindow();
    await wb.openHelix();
    await wb.runCommand('Helix: Open Deployment Panel');
    await pickShows('Which project?', ['local-demo', 'panel-demo']);
    assert.match(await focused().innerText(), /panel-demo/);
    assert.match((await rows().allInnerTexts()).join('\n'), /recently used/);
    await wb.screenshot('palette-3-recent-project');
    await wb.page.keyboard.press('Enter');
    await pickShows('Which environment?', ['dev', 'staging']);
    assert.match(await focused().innerText(), /staging/);
    await wb.page.keyboard.press('Enter');
    await panelTab().waitFor({ timeout: UI_WAIT_MS });
  });
});
