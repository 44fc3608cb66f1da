import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { poll } from '../../support/poll';
import { openWorkbench, UI_ATTEMPT_MS, UI_POLL, UI_TEST_MS, UI_WAIT_MS, type Workbench } from '../../support/workbench';

// Restricted Mode (an untrusted workspace): Helix Deploy reads and validates, and executes nothing.
// The workbench comes from a second code-server with workspace trust on (scripts/test.mjs).

function docker(): Docker {
  const host = process.env.DOCKER_HOST;
  if (!host?.startsWith('unix://')) throw new Error('DOCKER_HOST (unix socket of the test engine) is not set');
  return new Docker({ socketPath: host.slice('unix://'.length) });
}

/** What the engine holds for the local-demo project: its containers and images, by id. */
async function engineState(): Promise<string> {
  const d = docker();
  const containers = await d.listContainers({ all: true, filters: { label: ['helix.project=local-demo'] } });
  const images = await d.listImages({ filters: { reference: ['local-demo'] } });
  return JSON.stringify({ c: containers.map((c) => `${c.Id}:${c.State}`).sort(), i: images.map((i) => i.Id).sort() });
}

describe('Restricted Mode (UI, untrusted workspace)', function () {
  this.timeout(UI_TEST_MS);
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench({ restricted: true, folders: ['local-demo', 'config-broken', 'deploy-demo'] });
    copyFileSync('/bin/busybox', join(wb.workspace, 'local-demo', 'busybox'));
  });
  after(async () => {
    await wb?.close();
  });

  it('opens in Restricted Mode and still lists the projects', async () => {
    await wb.page.getByText('Restricted Mode').first().waitFor({ timeout: UI_WAIT_MS });
    await wb.openHelix();
    await poll(async () => (await wb.treeRows('Projects')).some((r) => r.includes('local-demo')), {
      ...UI_POLL,
      what: 'local-demo in the Projects view',
    });
    const deployments = await poll(
      async () => {
        const rows = await wb.treeRows('Deployments');
        return rows.some((r) => r.includes('Restricted Mode')) ? rows : undefined;
      },
      { ...UI_POLL, what: 'the Restricted Mode state in the Deployments view' },
    );
    assert.ok(deployments.some((r) => /trust this workspace/.test(r)));
    await wb.screenshot('restricted-1-views');
  });

  it('builds and starts nothing: the action explains why, and the engine is untouched', async () => {
    const before = await engineState();
    const row = wb.page
      .locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'Environments' }) })
      .locator('.monaco-list-row', { hasText: ':26969' })
      .first();
    await poll(async () => (await row.count()) > 0, { ...UI_POLL, what: 'the dev environment of local-demo' });
    await wb.contextMenu(row, 'Build Image');
    await wb.page
      .locator('.notifications-toasts', {
        hasText: /Restricted Mode: Helix Deploy runs nothing in an untrusted workspace/,
      })
      .first()
      .waitFor({ timeout: UI_WAIT_MS });
    await wb.screenshot('restricted-2-refused');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(
      await engineState(),
      before,
      'the engine must not see a build or a container from an untrusted workspace',
    );
  });

  it('still validates helix.toml (reading is safe)', async () => {
    await wb.openFile('config-broken/helix.toml');
    await poll(async () => (await wb.page.locator('.squiggly-error').count()) > 0, {
      ...UI_POLL,
      what: 'an error squiggle in the broken helix.toml',
    });
    await wb.screenshot('restricted-3-validation');
  });

  // Last: Create Starter helix.toml (allowed, it only writes a file) adds a project at the workspace root.
  it('every contributed command from the palette runs nothing: no terraform, no engine call', async () => {
    const before = await engineState();
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
    type Menu = { command: string; when?: string };
    const paletteWhen = new Map((pkg.contributes.menus.commandPalette as Menu[]).map((m) => [m.command, m.when]));
    const ran: string[] = [];
    const notShown: string[] = [];
    for (const c of pkg.contributes.commands as {
      command: string;
      title: string;
      category?: string;
      enablement?: string;
    }[]) {
      // Not in the palette here: enabled only in a trusted workspace, never a palette command, or shown only
      // for some editors. Every other command must be there (waited for, not guessed from a quick look).
      if (c.enablement?.includes('isWorkspaceTrusted') || paletteWhen.has(c.command)) {
        notShown.push(c.command);
        continue;
      }
      const title = c.category ? `${c.category}: ${c.title}` : c.title;
      // The previous command's prompt can open late and replace the palette between finding the entry and
      // clicking it: then the palette is opened again. (A refused command run twice still runs nothing.)
      await poll(
        async () =>
          (await wb.paletteEntry(title))
            .click({ timeout: UI_ATTEMPT_MS })
            .then(() => true)
            .catch(() => false),
        { ...UI_POLL, what: `"${title}" clicked in the command palette` },
      );
      ran.push(c.command);
      // Whatever the command asks next (a pick, a name, a folder) is dismissed: nothing is chosen. A prompt
      // that shows only after these keys is replaced by the palette of the next command.
      await wb.page.keyboard.press('Escape');
      await wb.page.keyboard.press('Escape');
    }
    await wb.screenshot('restricted-2b-command-walk');
    assert.ok(
      [
        'helixDeploy.deploy.approve',
        'helixDeploy.deploy.checkTools',
        'helixDeploy.push.signIn',
        'helixDeploy.local.usePodman',
      ].every((id) => ran.includes(id)),
      `walked: ${ran.join(', ')}; not in the palette: ${notShown.join(', ')}`,
    );
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await engineState(), before, 'no build, container or image from an untrusted workspace');
    // terraform init/plan would leave .terraform, a plan file or state; the run history would be opened in .helix.
    for (const f of [
      'deploy-demo/infra/.terraform',
      'deploy-demo/infra/terraform.tfstate',
      'deploy-demo/.helix',
      'local-demo/.helix',
    ])
      assert.ok(!existsSync(join(wb.workspace, f)), `${f} exists: something ran in Restricted Mode`);
  });

  it("the panel's Plan runs nothing either: the panel says Restricted Mode", async () => {
    await wb.runCommand('Helix: Open Deployment Panel');
    for (const label of ['deploy-demo', 'qa']) {
      const pick = wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
      if (
        await pick.waitFor({ timeout: UI_WAIT_MS }).then(
          () => true,
          () => false,
        )
      )
        await pick.click();
    }
    const frame = await poll(
      async () => {
        for (const f of wb.page.frames())
          if (
            await f
              .locator('#plan')
              .count()
              .catch(() => 0)
          )
            return f;
        return undefined;
      },
      { ...UI_POLL, what: 'the deployment panel' },
    );
    await frame.locator('#plan').click();
    await frame
      .locator('#notice', { hasText: 'Restricted Mode: Helix Deploy runs nothing in an untrusted workspace' })
      .waitFor({ timeout: UI_WAIT_MS });
    await wb.screenshot('restricted-2c-panel-plan');
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(
      !existsSync(join(wb.workspace, 'deploy-demo/infra/.terraform')),
      'terraform ran from the panel in Restricted Mode',
    );
    assert.equal(await frame.locator('#run-state[data-state="none"]').count(), 1, 'no run was started');
    await wb.runCommand('View: Close All Editors');
  });
});
