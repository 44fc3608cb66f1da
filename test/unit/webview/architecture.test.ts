// The panel's layering: browser code and view-model never touch Node or VS Code (they are bundled for the
// webview); the host's logic files stay VS Code-free so they are tested in Node. Only panel.ts,
// diffProvider.ts and index.ts talk to the VS Code API.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const list = (dir: string) =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts'))
    .map((d) => join(d.parentPath, d.name));
const imports = (f: string) =>
  [...readFileSync(f, 'utf8').matchAll(/(?:from\s+|import\(\s*|require\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);

describe('panel architecture', () => {
  it('the browser app, the view-model and the protocol import neither vscode nor Node', () => {
    const files = [...list('src/webview/app'), ...list('src/webview/model'), join(root, 'src/webview/protocol.ts')];
    const bad = files.flatMap((f) =>
      imports(f)
        .filter((i) => i === 'vscode' || i.startsWith('node:') || ['fs', 'path', 'os', 'child_process'].includes(i))
        .map((i) => `${relative(root, f)} -> ${i}`),
    );
    assert.deepEqual(bad, []);
  });

  it('the browser app only reaches core through the plan model (pure data and helpers)', () => {
    const bad = [...list('src/webview/app'), ...list('src/webview/model')].flatMap((f) =>
      imports(f)
        .filter((i) => i.includes('/core/') && !i.endsWith('/core/plan/model'))
        .map((i) => `${relative(root, f)} -> ${i}`),
    );
    assert.deepEqual(bad, []);
  });

  it('only panel.ts, diffProvider.ts and index.ts use the VS Code API', () => {
    const users = [...list('src/webview')]
      .filter((f) => imports(f).includes('vscode'))
      .map((f) => relative(root, f))
      .sort();
    assert.deepEqual(users, ['src/webview/host/diffProvider.ts', 'src/webview/host/panel.ts', 'src/webview/index.ts']);
  });

  it('log text and plan values never go through innerHTML', () => {
    const bad = [...list('src/webview/app')].filter((f) =>
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write/.test(readFileSync(f, 'utf8')),
    );
    assert.deepEqual(
      bad.map((f) => relative(root, f)),
      [],
    );
  });
});
