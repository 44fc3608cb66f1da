import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  contentSecurityPolicy,
  localResourceRootPaths,
  makeNonce,
  renderHtml,
} from '../../../../src/webview/host/html';
import { randomBytes } from 'node:crypto';

const root = resolve(__dirname, '../../../..');

describe('panel HTML and Content-Security-Policy', () => {
  const nonce = makeNonce((n) => randomBytes(n));
  const src = 'https://file+.vscode-resource.vscode-cdn.net';
  const html = renderHtml({
    cspSource: src,
    nonce,
    scriptUri: `${src}/ext/dist/webview/app.js`,
    styleUris: [`${src}/ext/media/panel.css`],
    title: 'staging <plan>',
  });

  it('uses a fresh, long nonce', () => {
    assert.match(nonce, /^[A-Za-z0-9]{24,}$/);
    assert.notEqual(
      nonce,
      makeNonce((n) => randomBytes(n)),
    );
  });

  it('has a strict CSP: nothing by default, nonce-only scripts, no inline/eval', () => {
    const csp = contentSecurityPolicy(src, nonce);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce}'(;|$)`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.ok(html.includes(`content="${csp.replace(/'/g, '&#39;')}"`), 'CSP meta tag present');
  });

  it('every script carries the nonce and there is no inline script or handler', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    for (const [, attrs, body] of scripts) {
      assert.ok(attrs!.includes(`nonce="${nonce}"`));
      assert.equal(body!.trim(), '', 'no inline script body');
    }
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
    assert.doesNotMatch(html, /style="/, 'no inline styles');
  });

  it('references no remote resource', () => {
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(urls.length >= 2);
    for (const u of urls) assert.ok(u.startsWith(src), `remote or foreign URL ${u}`);
    const css = readFileSync(resolve(root, 'media/panel.css'), 'utf8');
    assert.doesNotMatch(css, /url\(|@import|https?:/, 'panel.css loads nothing');
  });

  it('escapes the title', () => assert.ok(html.includes('staging &#60;plan&#62;')));

  it('limits localResourceRoots to the webview bundle and media', () => {
    assert.deepEqual(localResourceRootPaths('/ext'), ['/ext/dist/webview', '/ext/media']);
  });
});
