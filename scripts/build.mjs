// One esbuild script for every bundle: the extension host, the headless CLI, the webview app,
// and (with --tests) the extension-host test bundle. `--watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
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

const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  mainFields: ['module', 'main'],
  external: ['vscode', 'cpu-features', '*.node'],
};

// The heavy libraries live in their own files under dist/vendor and are loaded on first use, not at
// activation: V8 compiles and runs every top-level line of dist/main.js before activate() returns, and
// these were three quarters of it (the three clients, the YAML library, and the tar packer of build contexts).
// Each import of them resolves to a small module whose exports are getters that load the real one.
const LAZY = {
  '@kubernetes/client-node': 'kubernetes',
  '@aws-sdk/client-ecr': 'ecr',
  dockerode: 'dockerode',
  yaml: 'yaml',
  'tar-fs': 'tar-fs',
  '@balena/dockerignore': 'dockerignore',
};
/** Packages whose module.exports is the one thing src imports as default (`import Docker from 'dockerode'`). */
const DEFAULT_EXPORT = new Set(['dockerode', '@balena/dockerignore']);
/** Files under dir (recursively) whose name ends with suffix, as repo-relative paths. */
function find(dir, suffix) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(suffix))
    .map((d) => relative(root, join(d.parentPath ?? d.path, d.name)))
    .sort();
}

/**
 * The names src/ takes from a package, so its vendor file keeps only those: `import { a, type B } from 'pkg'`,
 * and `ns.name` after `import * as ns from 'pkg'`.
 */
function importedNames(pkg) {
  const names = new Set();
  const quoted = `'${pkg.replace(/[/.]/g, '\\$&')}'`;
  const named = new RegExp(`import\\s*(type\\s*)?\\{([^}]*)\\}\\s*from\\s*${quoted}`, 'g');
  const star = new RegExp(`import\\s*\\*\\s*as\\s*(\\w+)\\s*from\\s*${quoted}`, 'g');
  for (const f of find('src', '.ts')) {
    const text = readFileSync(join(root, f), 'utf8');
    for (const m of text.matchAll(named)) {
      if (m[1]) continue;
      for (const part of m[2]
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x && !x.startsWith('type ')))
        names.add(part.split(/\s+as\s+/)[0]);
    }
    for (const m of text.matchAll(star))
      for (const use of text.matchAll(new RegExp(`\\b${m[1]}\\.(\\w+)`, 'g'))) names.add(use[1]);
  }
  return [...names].sort();
}
const lazyFilter = new RegExp(
  `^(${Object.keys(LAZY)
    .map((k) => k.replace(/[/.]/g, '\\$&'))
    .join('|')})$`,
);
const lazyVendors = {
  name: 'lazy-vendors',
  setup(b) {
    b.onResolve({ filter: lazyFilter }, (a) =>
      a.importer.includes('/node_modules/') ? undefined : { path: a.path, namespace: 'lazy' },
    );
    b.onResolve({ filter: /^\.\/vendor\// }, (a) => ({ path: a.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (a) => {
      const file = `./vendor/${LAZY[a.path]}.js`;
      const names = DEFAULT_EXPORT.has(a.path) ? [] : importedNames(a.path);
      const contents = [
        `let m; const load = () => (m ??= require(${JSON.stringify(file)}));`,
        `Object.defineProperty(exports, '__esModule', { value: true });`,
        ...(DEFAULT_EXPORT.has(a.path)
          ? [`Object.defineProperty(exports, 'default', { enumerable: true, get: load });`]
          : []),
        ...names.map(
          (k) =>
            `Object.defineProperty(exports, ${JSON.stringify(k)}, { enumerable: true, get: () => load()[${JSON.stringify(k)}] });`,
        ),
      ].join('\n');
      return { contents, loader: 'js', resolveDir: root };
    });
  },
};
const vendorBuilds = Object.entries(LAZY).map(([pkg, name]) => ({
  ...node,
  stdin: {
    contents: DEFAULT_EXPORT.has(pkg)
      ? `module.exports = require(${JSON.stringify(pkg)});`
      : `export { ${importedNames(pkg).join(', ')} } from ${JSON.stringify(pkg)};`,
    resolveDir: root,
    loader: 'js',
  },
  outfile: `dist/vendor/${name}.js`,
}));

// Every `import * as vscode from 'vscode'` (or `* as fs from 'node:fs'`) copies the whole module object into a
// new namespace object at load, once per source file: hundreds of getters each time, milliseconds of activation.
// One module per external re-exports it once, and every source file shares that namespace.
const oneNamespace = {
  name: 'one-namespace',
  setup(b) {
    b.onResolve({ filter: /^(vscode|node:[a-z_/]+)$/ }, (a) =>
      a.namespace === 'one-namespace' ? { path: a.path, external: true } : { path: a.path, namespace: 'one-namespace' },
    );
    b.onLoad({ filter: /.*/, namespace: 'one-namespace' }, (a) => ({
      contents: `export * from ${JSON.stringify(a.path)};`,
      loader: 'js',
    }));
  },
};

const builds = [
  // dist/extension.js only loads dist/main.js through V8's code cache (src/boot).
  { ...node, entryPoints: ['src/boot/index.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/main.js', plugins: [lazyVendors, oneNamespace] },
  {
    ...node,
    entryPoints: ['src/cli/index.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [lazyVendors],
  },
  ...vendorBuilds,
].filter((b) => !b.entryPoints || existsSync(join(root, b.entryPoints[0])));
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
    stdin: {
      contents: files.map((f) => `require(${JSON.stringify('./' + f)});`).join('\n'),
      resolveDir: root,
      loader: 'js',
    },
    outfile: 'out/exthost/tests.js',
  });
  builds.push({
    ...node,
    external: ['vscode', 'mocha', 'cpu-features', '*.node'],
    entryPoints: ['test/e2e/exthost/index.ts'],
    outfile: 'out/exthost/index.js',
  });
  builds.push({
    ...node,
    external: ['vscode', 'cpu-features', '*.node'],
    entryPoints: ['test/e2e/exthost/bench-workspace.ts'],
    outfile: 'out/exthost/bench-workspace.js',
  });
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
