import * as path from 'node:path';
import type * as vscode from 'vscode';
import { loadWithCodeCache } from './codeCache';

// The extension's entry point (dist/extension.js). It loads the extension itself (dist/main.js) through V8's
// code cache, kept in the extension's global storage, and hands activation over to it.

interface Main {
  activate(context: vscode.ExtensionContext): Promise<unknown>;
  deactivate(): void;
}

let main: Main | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<unknown> {
  const loaded = loadWithCodeCache(
    path.join(__dirname, 'main.js'),
    path.join(context.globalStorageUri.fsPath, 'code-cache'),
  );
  main = loaded.exports as Main;
  const api = await main.activate(context);
  // Written once start-up is over, so the cache also holds what activation compiled.
  const timer = setTimeout(() => loaded.save(), 3000);
  context.subscriptions.push({ dispose: () => clearTimeout(timer) });
  // The extension-host benchmark reports whether the cache was used.
  return api && typeof api === 'object' ? { ...api, codeCache: loaded.cache } : api;
}

export function deactivate(): void {
  main?.deactivate();
  main = undefined;
}
