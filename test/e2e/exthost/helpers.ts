// Shared by the extension-host tests: the activated extension's API and polling.
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'helix-deploy.helix-deploy';

/** The activated extension's exports: `{ container }`. */
export async function api(): Promise<any> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

/** Polls fn (sync or async) until it returns a truthy value. */
export async function until<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
