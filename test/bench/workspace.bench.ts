import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import * as tar from 'tar-fs';
import { containerName } from '../../src/core/model/types';
import { parseHost } from '../../src/providers/docker/connect';
import { dockerClient } from '../../src/providers/docker/client';
import type { BenchResult } from './types';

// A monorepo of 500 HelixDB projects (helix.toml + helix.deploy.toml each) and 20,000 other files, opened in
// a real VS Code (code-server) in headless Chromium. Measured inside the extension host by
// test/e2e/exthost/bench-workspace.ts: activation, the first Environments tree, heap growth, diagnostics
// after an edit, and what a save re-reads. The anchor for the scan is the same files read by plain Node.

const PROJECTS = 500;
const OTHER_FILES = 20_000;
/** Projects with a local environment, and containers on the engine (theirs and others'). */
const LOCAL_ENVS = 200;
const CONTAINERS = 1000;
const root = path.join(__dirname, '..', '..');

function makeWorkspace(dir: string): void {
  for (let i = 0; i < PROJECTS; i++) {
    const p = path.join(dir, `proj-${String(i).padStart(3, '0')}`);
    fs.mkdirSync(path.join(p, 'db'), { recursive: true });
    const local = i < LOCAL_ENVS ? `[local.dev]\nport = ${10_000 + i}\nbuild_mode = "debug"\n\n` : '';
    fs.writeFileSync(
      path.join(p, 'helix.toml.bench'),
      `[project]\nname = "proj-${i}"\nqueries = "db/"\n\n${local}[cloud.prod]\ncluster_id = "c-${i}"\n`,
    );
    fs.writeFileSync(
      path.join(p, 'helix.deploy.toml.bench'),
      `# deployment settings of proj-${i}\n[environments.qa]\ninstance = "dev"\nregistry = "127.0.0.1:5000/proj-${i}"\n`,
    );
    fs.writeFileSync(path.join(p, 'db', 'schema.hx'), 'N::User { name: String }\n');
  }
  // The anchor of the keystroke figure: VS Code validates this file against its settings schema.
  fs.mkdirSync(path.join(dir, '.vscode'));
  fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), '{\n  "files.autoSave": "off"\n}\n');
  // Source files of other tools: what a real monorepo has around its databases.
  for (let i = 0; i < OTHER_FILES; i++) {
    const d = path.join(dir, 'services', `svc-${i % 200}`, `pkg-${i % 7}`);
    if (i < 1400) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, `file-${i}.ts`), `export const v${i} = ${i};\n`);
  }
}

/** Floor: find and read the same 1,000 files in plain Node (no extension host, no parsing). */
function plainRead(dir: string): number {
  const s = performance.now();
  for (const e of fs.readdirSync(dir)) {
    if (!e.startsWith('proj-')) continue;
    fs.readFileSync(path.join(dir, e, 'helix.toml.bench'));
    fs.readFileSync(path.join(dir, e, 'helix.deploy.toml.bench'));
  }
  return performance.now() - s;
}

/** 1,000 created (not started) containers of a tiny image: the local environments' and others'. */
async function makeContainers(dir: string): Promise<void> {
  const docker = dockerClient(parseHost(process.env.DOCKER_HOST!, 'DOCKER_HOST'));
  const ctx = path.join(dir, 'image');
  fs.mkdirSync(ctx);
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY x /x\nCMD ["/x"]\n');
  fs.writeFileSync(path.join(ctx, 'x'), '');
  const stream = await docker.buildImage(tar.pack(ctx), { t: 'hd-bench-tiny:1' });
  await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(undefined))),
  );
  const names = Array.from({ length: CONTAINERS }, (_, i) =>
    i < LOCAL_ENVS ? containerName(`proj-${i}`, 'dev') : `bench-other-${i}`,
  );
  for (let i = 0; i < names.length; i += 16)
    await Promise.all(names.slice(i, i + 16).map((name) => docker.createContainer({ name, Image: 'hd-bench-tiny:1' })));
}

/**
 * Presses `key` in the focused editor and times it in the page: from the keydown to the first new squiggle in
 * the DOM, and to the frame after it (painted).
 */
async function keystroke(page: Page, key: string): Promise<Record<string, number>> {
  // Strings, not functions: tsx would wrap functions in helpers (__name) that do not exist in the page.
  await page.evaluate(`(() => {
    const count = () => document.querySelectorAll('.monaco-editor [class*="squiggly-"]').length;
    const base = count();
    window.__kd = window.__sq = window.__paint = 0;
    window.addEventListener('keydown', () => (window.__kd ||= performance.now()), { capture: true, once: true });
    const obs = new MutationObserver(() => {
      if (!window.__kd || window.__sq || count() <= base) return;
      window.__sq = performance.now();
      obs.disconnect();
      requestAnimationFrame(() => (window.__paint = performance.now()));
    });
    obs.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
  })()`);
  await page.keyboard.press(key);
  await page.waitForFunction('window.__paint > 0', undefined, { timeout: 10_000 });
  // Wall-clock times too (timeOrigin + now), for the extension host to split the figure where it saw the key.
  return page.evaluate(`({
    squiggleMs: window.__sq - window.__kd,
    paintedMs: window.__paint - window.__kd,
    keydownAt: performance.timeOrigin + window.__kd,
    squiggleAt: performance.timeOrigin + window.__sq,
  })`);
}

export async function run(): Promise<BenchResult[]> {
  const tmp = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'bench-ws-'));
  const ws = path.join(tmp, 'monorepo');
  fs.mkdirSync(ws);
  makeWorkspace(ws);
  await makeContainers(tmp);
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--tests'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  const { startCodeServer, chromiumArgs } = await import(path.join(root, 'scripts/lib/codeServerRun.mjs'));
  const { chromium } = await import('playwright-core');
  /** One start of VS Code on the monorepo; `mode` tells the extension-host entry what to measure. */
  const start = async (mode: 'full' | 'activation') => {
    const results = path.join(tmp, `results-${mode}.json`);
    // The same user data both times: the second start is a later start, with the code cache of the first.
    const cs = await startCodeServer(path.join(tmp, 'cs'), {
      env: {
        ...process.env,
        HELIX_BENCH_RESULTS: results,
        HELIX_BENCH_MODE: mode,
        HELIX_BENCH_CONTAINERS: String(CONTAINERS),
      },
      // VS Code's git extension runs `git rev-parse` in each of the 700 sub-folders of a folder that is not a git
      // repository, in the same extension host; a real monorepo is one repository. Off, so we measure our own work.
      settings: { 'git.enabled': false },
      log: () => undefined,
    });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
    try {
      const remote = `vscode-remote://127.0.0.1:${cs.port}`;
      const payload = [
        ['extensionDevelopmentPath', `${remote}${root}`],
        ['extensionTestsPath', `${remote}${root}/out/exthost/bench-workspace.js`],
      ];
      const page = await browser.newPage();
      await page.goto(
        `${cs.url}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`,
      );
      const deadline = Date.now() + 5 * 60_000;
      const typed = new Set<string>();
      while (!fs.existsSync(results) && Date.now() < deadline) {
        // The extension host asks for a key to be typed (see keystrokes() in bench-workspace.ts).
        for (const name of ['helix', 'json'])
          if (!typed.has(name) && fs.existsSync(`${results}.ready-${name}`)) {
            typed.add(name);
            const figure = await keystroke(page, '0').catch((err: Error) => ({ error: err.message }));
            fs.writeFileSync(`${results}.typed-${name}`, JSON.stringify(figure));
          }
        await new Promise((r) => setTimeout(r, 100));
      }
      if (!fs.existsSync(results)) throw new Error('the extension host did not report in 5 minutes');
      const r = JSON.parse(fs.readFileSync(results, 'utf8'));
      if (r.error) throw new Error(r.error);
      if (r.activeBefore) throw new Error('the extension was active before the benchmark activated it');
      return r;
    } finally {
      await browser.close().catch(() => undefined);
      await cs.stop();
    }
  };
  try {
    const r = await start('full');
    const later = await start('activation');
    if (r.projects !== PROJECTS) throw new Error(`found ${r.projects} projects, expected ${PROJECTS}`);
    for (const k of ['helix', 'json'])
      if (!(r.keystroke[k].paintedMs > 0))
        throw new Error(`the key typed in ${k} made no squiggle: ${JSON.stringify(r.keystroke)}`);
    const floor = plainRead(ws);
    const saved = (r.reReadOnSave as { dirs?: string[] }[])
      .map((c) => (c.dirs ? `${c.dirs.length} folder(s)` : 'all'))
      .join(', ');
    return [
      {
        name: `activation in the extension host, first start`,
        value: r.activationMs,
        unit: 'ms',
        goal: '< 50 ms',
        note: 'no code cache yet',
      },
      {
        name: `activation in the extension host, later starts`,
        value: later.activationMs,
        unit: 'ms',
        goal: '< 50 ms',
        note: `code cache ${later.codeCache}`,
      },
      {
        name: `first Environments tree (${PROJECTS} projects + ${OTHER_FILES} files)`,
        value: r.firstTreeMs,
        unit: 'ms',
        anchor: { name: 'plain Node reads the same files', value: floor, unit: 'ms' },
        goal: '< 500 ms',
        note: `projects read ${Math.round(r.projectsReadyMs)} ms after activate(); VS Code's findFiles alone ${Math.round(r.findFilesMs)} ms`,
      },
      {
        name: 'processes the extension started up to the first tree',
        value: r.processesAtStart.length,
        unit: 'processes',
        goal: '0 (none until a view is visible)',
        note: `${r.processesAtStart.join(', ') || 'none'}; then, with a helix.toml shown: ${r.processesWithEditor.join(', ') || 'none'}`,
      },
      { name: 'extension host heap growth to the first tree', value: r.heapGrowthMb, unit: 'MB', goal: '< 150 MB' },
      {
        name: 'diagnostics after editing one helix.toml',
        value: r.diagnosticsMs,
        unit: 'ms',
        goal: '< 150 ms',
        note: `from the edit's arrival in the extension host to the diagnostics sent to the window; the edit took ${Math.round(r.editArrivedMs)} ms to arrive, VS Code's debounced onDidChangeDiagnostics fired after ${Math.round(r.diagnosticsEventMs)} ms`,
      },
      {
        name: 'a key typed in the browser to the squiggle painted, helix.toml',
        value: r.keystroke.helix.paintedMs,
        unit: 'ms',
        anchor: {
          name: "VS Code's JSON language service, the same key in .vscode/settings.json",
          value: r.keystroke.json.paintedMs,
          unit: 'ms',
        },
        goal: '< 150 ms',
        note: `in the DOM after ${Math.round(r.keystroke.helix.squiggleMs)} ms (anchor ${Math.round(r.keystroke.json.squiggleMs)} ms); key to the extension host ${Math.round(r.keystroke.helix.arrivedMs)} ms, then ours ${Math.round(r.keystroke.helix.oursMs)} ms, then the window ${Math.round(r.keystroke.helix.windowMs)} ms`,
      },
      {
        name: `Environments tree refresh (${LOCAL_ENVS} local envs, ${r.containers} containers)`,
        value: r.treeRefreshMs,
        unit: 'ms',
        goal: '< 50 ms',
      },
      { name: 'engine calls in 3 s idle with the view visible', value: r.idleEngineCalls, unit: 'calls', goal: '0' },
      {
        name: 'project folders re-read on its save',
        value: (r.reReadOnSave as { dirs?: string[] }[])[0]?.dirs?.length ?? PROJECTS,
        unit: 'dirs',
        goal: '1 (no rescan)',
        note: saved,
      },
    ];
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
