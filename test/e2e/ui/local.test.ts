import { strict as assert } from 'node:assert';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { poll } from '../../support/poll';
import { openWorkbench, UI_POLL, UI_TEST_MS, UI_WAIT_MS, type Workbench } from '../../support/workbench';

// The whole local loop from the sidebar: Environments -> Build Image (context menu) -> Start (inline)
// -> Deployments shows the container healthy and the runs in the history -> Stop (inline).

function engine(): Docker {
  const host = process.env.DOCKER_HOST;
  if (!host?.startsWith('unix://')) throw new Error('DOCKER_HOST (unix://...) is not set');
  return new Docker({ socketPath: host.slice('unix://'.length) });
}

describe('local Docker loop (UI, code-server + Chromium)', function () {
  this.timeout(UI_TEST_MS);
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench({ folders: ['local-demo'] });
    // The sample's Dockerfile copies busybox from its context (not checked in).
    copyFileSync('/bin/busybox', join(wb.workspace, 'local-demo', 'busybox'));
  });
  after(async () => {
    await engine()
      .getContainer('helix-local-demo-dev')
      .remove({ force: true })
      .catch(() => undefined);
    await wb?.close();
  });

  const envPane = () => wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'Environments' }) });
  const envRow = () => envPane().locator('.monaco-list-row', { hasText: ':26969' }).first();
  /**
   * The tree renders only the rows in sight, and other fixture projects sort before local-demo: scroll the
   * Environments list until the dev row is rendered and wholly inside the list (hover and click need that).
   */
  async function revealEnvRow(): Promise<void> {
    const list = envPane().locator('.monaco-list').first();
    await poll(
      async () => {
        if ((await envRow().count()) > 0) {
          const [r, l] = [await envRow().boundingBox(), await list.boundingBox()];
          if (r && l && r.y >= l.y && r.y + r.height <= l.y + l.height) return true;
        }
        await list.hover();
        await wb.page.mouse.wheel(0, 44);
        return false;
      },
      { ...UI_POLL, what: 'the dev environment of local-demo in the Environments view' },
    );
  }

  it('lists the sample environment with its port', async () => {
    await wb.openHelix();
    await revealEnvRow();
    const text = await envRow().innerText();
    assert.match(text, /dev/);
    assert.match(text, /not started/);
    await wb.screenshot('local-1-environments');
  });

  it('builds the image from the context menu', async () => {
    await revealEnvRow();
    await wb.contextMenu(envRow(), 'Build Image');
    await wb.page
      .locator('.notifications-toasts', { hasText: /built local-demo:dev/ })
      .first()
      .waitFor({ timeout: 2 * UI_WAIT_MS });
    await wb.screenshot('local-2-built');
  });

  it('starts from the inline action and the Deployments view shows it healthy with the run history', async () => {
    await revealEnvRow();
    await envRow().hover();
    await envRow().locator('.actions .action-label[aria-label="Start"]').click();
    const rows = await poll(
      async () => {
        const r = await wb.treeRows('Deployments');
        return r.some((t) => t.includes('helix-local-demo-dev') && t.includes('healthy')) &&
          r.some((t) => /start local-demo\/dev/.test(t) && t.includes('Succeeded'))
          ? r
          : undefined;
      },
      { ...UI_POLL, what: 'helix-local-demo-dev healthy and the start run in Deployments', timeoutMs: 2 * UI_WAIT_MS },
    );
    assert.ok(
      rows.some((t) => /build local-demo\/dev/.test(t) && t.includes('Succeeded')),
      rows.join('\n'),
    );
    assert.ok(
      rows.some((t) => t.includes('26969→8080')),
      rows.join('\n'),
    );
    await poll(async () => /healthy|running/.test(await envRow().innerText()), {
      ...UI_POLL,
      what: 'the environment row to show the running state',
    });
    await wb.screenshot('local-3-healthy');
  });

  it('stops from the inline action', async () => {
    await revealEnvRow();
    await envRow().hover();
    await envRow().locator('.actions .action-label[aria-label="Stop"]').click();
    await poll(
      async () =>
        (await wb.treeRows('Deployments')).some((t) => t.includes('helix-local-demo-dev') && t.includes('exited')),
      { ...UI_POLL, what: 'the container shown as exited' },
    );
    await poll(async () => (await wb.treeRows('Deployments')).some((t) => /stop local-demo\/dev/.test(t)), {
      ...UI_POLL,
      what: 'the stop run in the history',
    });
    await wb.screenshot('local-4-stopped');
  });

  it('shows a missing engine as a state with "Start Docker" and "Use Podman"', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(wb.workspace, '.vscode'), { recursive: true });
    writeFileSync(
      join(wb.workspace, '.vscode', 'settings.json'),
      JSON.stringify({ 'helixDeploy.docker.host': `unix://${join(wb.workspace, 'no-docker.sock')}` }),
    );
    const rows = await poll(
      async () => {
        const r = await wb.treeRows('Deployments');
        return r.some((t) => t.includes('Docker is not running')) ? r : undefined;
      },
      { ...UI_POLL, what: 'the engine-down state in Deployments' },
    );
    assert.ok(
      rows.some((t) => t.includes('Start Docker')),
      rows.join('\n'),
    );
    assert.ok(
      rows.some((t) => t.includes('Use Podman')),
      rows.join('\n'),
    );
    assert.ok(
      rows.some((t) => /stop local-demo\/dev/.test(t)),
      'the run history stays visible',
    );
    await wb.screenshot('local-5-engine-down');
  });
});
