import { strict as assert } from 'node:assert';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { eventually, openWorkbench, type Workbench } from '../../support/workbench';

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

describe('Restricted Mode (UI, untrusted workspace)', () => {
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench({ restricted: true, folders: ['local-demo', 'config-broken'] });
    copyFileSync('/bin/busybox', join(wb.workspace, 'local-demo', 'busybox'));
  });
  after(async () => {
    await wb?.close();
  });

  it('opens in Restricted Mode and still lists the projects', async () => {
    await wb.page.getByText('Restricted Mode').first().waitFor({ timeout: 30_000 });
    await wb.openHelix();
    await eventually(async () => (await wb.treeRows('Projects')).some((r) => r.includes('local-demo')), 'local-demo in the Projects view');
    const deployments = await eventually(async () => {
      const rows = await wb.treeRows('Deployments');
      return rows.some((r) => r.includes('Restricted Mode')) ? rows : undefined;
    }, 'the Restricted Mode state in the Deployments view');
    assert.ok(deployments.some((r) => /trust this workspace/.test(r)));
    await wb.screenshot('restricted-1-views');
  });

  it('builds and starts nothing: the action explains why, and the engine is untouched', async () => {
    const before = await engineState();
    const row = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'Environments' }) }).locator('.monaco-list-row', { hasText: ':26969' }).first();
    await eventually(async () => (await row.count()) > 0, 'the dev environment of local-demo');
    await wb.contextMenu(row, 'Build Image');
    await wb.page.locator('.notifications-toasts', { hasText: /Restricted Mode: Helix Deploy runs nothing in an untrusted workspace/ }).first().waitFor({ timeout: 30_000 });
    await wb.screenshot('restricted-2-refused');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await engineState(), before, 'the engine must not see a build or a container from an untrusted workspace');
  });

  it('still validates helix.toml (reading is safe)', async () => {
    await wb.openFile('config-broken/helix.toml');
    await eventually(async () => (await wb.page.locator('.squiggly-error').count()) > 0, 'an error squiggle in the broken helix.toml');
    await wb.screenshot('restricted-3-validation');
  });
});
