// Shared by the extension-host tests: the activated extension's API.
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'helix-deploy.helix-deploy';

/** The activated extension's exports: `{ container }`. */
export async function api(): Promise<any> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}
