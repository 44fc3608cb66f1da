// One esbuild script for every bundle: the extension host, the headless CLI, the webview app,
// and (with --tests) the extension-host test bundle. `--watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const withTests = args.has('--tests');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
  target: 'node20',
};

const node = { ...common, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], external: ['vscode', 'cpu-features', '*.node'] };

/** Files under dir (recursively) whose name ends with suffix, as repo-relative paths. */
function find(dir, suffix) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(suffix))
    .map((d) => relative(root, join(d.parentPath ?? d.path, d.name)))
    .sort();
}

const builds = [
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/cli/index.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
].filter((b) => existsSync(join(root, b.entryPoints[0])));
if (existsSync(join(root, 'src/webview/app/main.ts'))) {
  builds.push({
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    entryPoints: ['src/webview/app/main.ts'],
    outfile: 'dist/webview/app.js',
    loader: { '.css': 'text', '.ttf': 'dataurl' },
  });
}
if (withTests) {
  // Every extension-host test file in one bundle, loaded by test/e2e/exthost/index.ts inside VS Code.
  const files = find('test/e2e/exthost', '.test.ts');
  builds.push({
    ...node,
    external: ['vscode', 'mocha', 'cpu-features', '*.node'],
    stdin: { contents: files.map((f) => `require(${JSON.stringify('./' + f)});`).join('\n'), resolveDir: root, loader: 'js' },
    outfile: 'out/exthost/tests.js',
  });
  builds.push({ ...node, external: ['vscode', 'mocha', 'cpu-features', '*.node'], entryPoints: ['test/e2e/exthost/index.ts'], outfile: 'out/exthost/index.js' });
}

// A production build starts clean so no stale source map or asset ends up in the .vsix.
if (production) rmSync(join(root, 'dist'), { recursive: true, force: true });
mkdirSync(join(root, 'dist'), { recursive: true });

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('watching for changes...');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
