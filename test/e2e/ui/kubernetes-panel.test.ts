import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { startKubeServer, type KubeServer } from '../../support/kube-server';
import { poll } from '../../support/poll';
import { openWorkbench, UI_POLL, UI_TEST_MS, UI_WAIT_MS, type Workbench, panelFrame } from '../../support/workbench';

// A Kubernetes environment in the deployment panel, against the stand-in API server (test/support/kube-server,
// checked against the real kubectl): deploy image :1, deploy :2, then the panel's Roll back button plans the
// rollback as its own run, shown as a diff, approved and rolled out; the cluster runs :1 again.

describe('kubernetes rollback from the deployment panel (UI)', function () {
  this.timeout(UI_TEST_MS);
  let wb: Workbench;
  let server: KubeServer;
  let frame: Frame;
  const image = () =>
    server.store.list({ resource: 'deployments' } as never).find((o: any) => o.metadata.name === 'helix')?.spec.template
      .spec.containers[0].image;
  const shot = (n: string) => wb.screenshot(`k8s-panel-${n}`);

  /** Plan -> Planned -> Approve -> Applied, from the panel's own buttons. */
  async function deploy(planButton: '#plan' | '#rollback'): Promise<void> {
    await plan(planButton);
    await frame.waitForFunction(() => !document.querySelector('#approve')!.hasAttribute('disabled'));
    await frame.locator('#approve').click();
    await frame.locator('#run-state[data-state="Applied"]').waitFor({ timeout: 2 * UI_WAIT_MS });
  }

  /** Starts a new plan run from the panel and waits until it is Planned. */
  async function plan(button: '#plan' | '#rollback'): Promise<void> {
    const before = await frame.locator('#run-state').getAttribute('data-run-id');
    await frame.locator(button).click();
    await frame.locator('#run-state[data-state="Planned"]').waitFor({ timeout: UI_WAIT_MS });
    assert.notEqual(await frame.locator('#run-state').getAttribute('data-run-id'), before, 'a new run');
  }

  before(async () => {
    server = await startKubeServer({ stepMs: 20, secondMs: 50, bookmarkMs: 200 });
    // The workspace, with its kubeconfig setting, exists before the window opens.
    const workspace = join(process.env.HELIX_TEST_TMP!, `ws-k8s-panel-${process.pid}`);
    cpSync(join(__dirname, '../../fixtures/workspace/k8s-demo'), join(workspace, 'k8s-demo'), { recursive: true });
    const kubeconfig = server.writeKubeconfig(join(workspace, 'kubeconfig'));
    mkdirSync(join(workspace, '.vscode'), { recursive: true });
    writeFileSync(
      join(workspace, '.vscode', 'settings.json'),
      JSON.stringify({ 'helixDeploy.kubernetes.kubeconfig': kubeconfig }),
    );
    wb = await openWorkbench({ workspace });
  });

  after(async () => {
    await wb?.close();
    await server?.close();
  });

  it('deploys image :1, then :2, from the panel', async () => {
    await wb.openHelix();
    await wb.runCommand('Helix: Open Deployment Panel');
    await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'prod-k8s' }).first().click();
    frame = await panelFrame(wb.page);
    await frame.locator('#env-title', { hasText: 'k8s-demo / prod-k8s' }).waitFor();
    await deploy('#plan');
    assert.equal(image(), '127.0.0.1:5000/k8s-demo:1');
    const toml = join(wb.workspace, 'k8s-demo', 'helix.deploy.toml');
    writeFileSync(toml, readFileSync(toml, 'utf8').replace('tag        = "1"', 'tag        = "2"'));
    await frame.locator('#rollback:not([hidden])').waitFor({ timeout: UI_WAIT_MS });
    // The panel plans with what helix.deploy.toml says now; the project index re-reads it on the file event,
    // so a plan made before that finds nothing to change: plan again until it has the update.
    await poll(
      async () => {
        await plan('#plan');
        return (await frame.locator('[data-count="update"]').innerText()).trim() === '1';
      },
      { ...UI_POLL, what: 'a plan with the :2 update' },
    );
    await frame.waitForFunction(() => !document.querySelector('#approve')!.hasAttribute('disabled'));
    await frame.locator('#approve').click();
    await frame.locator('#run-state[data-state="Applied"]').waitFor({ timeout: 2 * UI_WAIT_MS });
    assert.equal(image(), '127.0.0.1:5000/k8s-demo:2');
    await shot('1-deployed-2');
  });

  it('Roll back plans the previous revision as its own run, shows the diff, and rolls the cluster back to :1', async () => {
    await frame.locator('#rollback').click();
    await frame.locator('#run-state[data-kind="rollback"][data-state="Planned"]').waitFor({ timeout: UI_WAIT_MS });
    const row = frame.locator('.prow-resource[data-address="default/Deployment/helix"]');
    await row.waitFor();
    assert.equal(await row.getAttribute('data-action'), 'update');
    await shot('2-rollback-planned');
    await frame.waitForFunction(() => !document.querySelector('#approve')!.hasAttribute('disabled'));
    await frame.locator('#approve').click();
    await frame.locator('#run-state[data-state="Applied"]').waitFor({ timeout: 2 * UI_WAIT_MS });
    assert.equal(image(), '127.0.0.1:5000/k8s-demo:1');
    await frame
      .locator('.lrow', { hasText: /rolled out/ })
      .first()
      .waitFor({ timeout: UI_WAIT_MS });
    await shot('3-rolled-back');
  });
});
