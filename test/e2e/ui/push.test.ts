import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { registryDigest, startRegistry, type TestRegistry } from '../../support/registry';
import { poll } from '../../support/poll';
import { openWorkbench, UI_POLL, UI_TEST_MS, UI_WAIT_MS, type Workbench } from '../../support/workbench';

// Registry credentials the way a person meets them: Push Image asks for them (none stored), the registry
// refuses a wrong password, the push asks once more, then fails with "Sign In"; Sign In with the right
// password pushes again by itself and the registry holds the image. Real htpasswd registry, real engine.

const USER = 'helix';
const PASSWORD = `right-${randomBytes(6).toString('hex')}`;
const WRONG = `wrong-${randomBytes(6).toString('hex')}`;

describe('registry sign-in (UI, code-server + Chromium)', function () {
  this.timeout(UI_TEST_MS);
  let wb: Workbench;
  let registry: TestRegistry;
  const toast = (text: RegExp) =>
    wb.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();

  /** Answers the next input box (user name, then password) the extension shows. */
  async function answer(prompt: RegExp, value: string): Promise<void> {
    const box = wb.page.locator('.quick-input-widget', {
      has: wb.page.locator('.quick-input-message', { hasText: prompt }),
    });
    await box.waitFor({ timeout: UI_WAIT_MS });
    const input = box.locator('input').first();
    await input.fill(value);
    await input.press('Enter');
    await box
      .locator('.quick-input-message', { hasText: prompt })
      .waitFor({ state: 'hidden' })
      .catch(() => undefined);
  }

  before(async () => {
    registry = await startRegistry({ users: { [USER]: PASSWORD } });
    const workspace = join(process.env.HELIX_TEST_TMP!, `ws-push-${process.pid}`);
    mkdirSync(workspace, { recursive: true });
    const dir = join(workspace, 'push-demo');
    cpSync(join(__dirname, '../../fixtures/push/push-demo'), dir, { recursive: true });
    copyFileSync('/bin/busybox', join(dir, 'busybox'));
    const toml = join(dir, 'helix.deploy.toml');
    writeFileSync(
      toml,
      readFileSync(toml, 'utf8')
        .replace('${HELIX_TEST_REGISTRY}', process.env.HELIX_TEST_REGISTRY!)
        .replace('${HELIX_AUTH_REGISTRY}', registry.host),
    );
    wb = await openWorkbench({ workspace });
  });

  after(async () => {
    await wb?.close();
    await registry?.stop();
    const host = process.env.DOCKER_HOST!.slice('unix://'.length);
    await new Docker({ socketPath: host })
      .getImage('push-demo:dev')
      .remove({ force: true })
      .catch(() => undefined);
  });

  it('builds the image from the palette', async () => {
    await wb.openHelix();
    await wb.runCommand('Helix: Build Image');
    await toast(/built push-demo:dev/i).waitFor({ timeout: 2 * UI_WAIT_MS });
  });

  it('a wrong password is asked again once, then ends in an error with "Sign In" (no stack trace)', async () => {
    await wb.runCommand('Helix: Push Image');
    await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'secured' }).first().click();
    await answer(/User name/, USER);
    await answer(/Password or access token/, WRONG);
    // The registry refused the typed password: at most one more prompt (saying so), then the error.
    const error = toast(/refused the credentials/);
    const again = wb.page.locator('.quick-input-message', { hasText: /refused the saved credentials/ });
    const next = await poll(
      async () => ((await error.isVisible()) ? 'error' : (await again.isVisible()) ? 'again' : undefined),
      { ...UI_POLL, what: 'a second prompt or the error' },
    );
    if (next === 'again') {
      await answer(/refused the saved credentials/, USER);
      await answer(/Password or access token/, WRONG);
    }
    await error.waitFor({ timeout: UI_WAIT_MS });
    assert.doesNotMatch(await error.innerText(), /\n\s+at /);
    assert.ok(!(await wb.page.content()).includes(WRONG), 'the typed password is nowhere in the page');
    await wb.screenshot('push-1-refused');
  });

  it('Sign In with the right password pushes again by itself; the registry holds the image', async () => {
    await toast(/refused the credentials/)
      .locator('.monaco-button', { hasText: 'Sign In' })
      .click();
    await answer(/User name/, USER);
    await answer(/Password or access token/, PASSWORD);
    await toast(new RegExp(`Signed in to ${registry.host.replace(/[.:]/g, '\\$&')}`)).waitFor({ timeout: UI_WAIT_MS });
    // The push runs again by itself: its run succeeds in the history and the registry holds the tag.
    await poll(
      async () => (await wb.treeRows('Deployments')).some((r) => /push push-demo\/secured\s*Succeeded/.test(r)),
      { ...UI_POLL, what: 'a succeeded push in the run history', timeoutMs: 2 * UI_WAIT_MS },
    );
    const auth = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    const tags = (await (
      await fetch(`http://${registry.host}/v2/push-demo/tags/list`, { headers: { authorization: auth } })
    ).json()) as { tags?: string[] };
    assert.equal(tags.tags?.length, 1, JSON.stringify(tags));
    assert.match(
      (await registryDigest(registry.host, 'push-demo', tags.tags![0]!, { user: USER, pass: PASSWORD })) ?? '',
      /^sha256:/,
    );
    await wb.screenshot('push-2-signed-in-and-pushed');
  });
});
