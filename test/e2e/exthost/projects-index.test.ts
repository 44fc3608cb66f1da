import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api } from './helpers';
import { poll } from '../../support/poll';

// In a monorepo of hundreds of projects a save must not rescan the workspace: the index re-reads only the
// folder whose helix.toml or helix.deploy.toml changed, and says which folders it re-read.

/**
 * A folder the file watcher already follows: a file written into a folder created the same instant can land
 * before the recursive watcher has added the new folder (inotify), and its event is then never reported.
 */
async function newFolder(dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await new Promise((r) => setTimeout(r, 1000));
}

/** The extension's container once the workspace was scanned, and the workspace folder the probes go into. */
async function indexed(): Promise<{ container: any; root: string }> {
  const { container } = await api();
  await container.projects.ready();
  return { container, root: vscode.workspace.workspaceFolders![0]!.uri.fsPath };
}

describe('project index (extension host)', () => {
  it('re-reads only the project whose files changed, and follows creation and deletion', async () => {
    const { container, root } = await indexed();
    const dir = path.join(root, 'index-probe');
    const changes: { dirs?: string[] }[] = [];
    const sub = container.projects.onDidChange((e: { dirs?: string[] }) => changes.push(e));
    try {
      await newFolder(dir);
      fs.writeFileSync(path.join(dir, 'helix.toml'), '[project]\nname = "index-probe"\n\n[local.dev]\nport = 7311\n');
      await poll(() => container.projects.find(dir), { what: 'the new project in the index' });
      // Only folders whose files changed (other tests' edits may still be arriving), never the whole workspace.
      const reread = () => [...new Set(changes.flatMap((c) => c.dirs ?? ['(all)']))];
      assert.ok(
        changes.every((c) => c.dirs !== undefined),
        'a new helix.toml caused a rescan of the whole workspace',
      );
      assert.ok(reread().includes(dir) && reread().length < container.projects.projects.length, reread().join(', '));

      changes.length = 0;
      fs.writeFileSync(
        path.join(dir, 'helix.deploy.toml'),
        '[environments.qa]\ninstance = "dev"\nregistry = "127.0.0.1:5000/index-probe"\n',
      );
      await poll(() => container.projects.find(dir)?.environments.some((e: { name: string }) => e.name === 'qa'), {
        what: 'the environment of the new helix.deploy.toml',
      });
      assert.ok(
        reread().includes(dir) && !reread().includes('(all)') && reread().length < container.projects.projects.length,
        reread().join(', '),
      );

      changes.length = 0;
      fs.rmSync(path.join(dir, 'helix.toml'));
      await poll(() => !container.projects.find(dir), { what: 'the deleted project gone from the index' });
      assert.ok(
        reread().includes(dir) && !reread().includes('(all)') && reread().length < container.projects.projects.length,
        reread().join(', '),
      );
      assert.ok(container.projects.projects.length > 0, 'the other projects stay');
    } finally {
      sub.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens no history for a project without runs, and follows the history its first run creates', async () => {
    const { container, root } = await indexed();
    const dir = path.join(root, 'history-probe');
    try {
      await newFolder(dir);
      fs.writeFileSync(path.join(dir, 'helix.toml'), '[project]\nname = "history-probe"\n\n[local.dev]\nport = 7312\n');
      await poll(() => container.projects.find(dir), { what: 'the new project in the index' });
      // Give the histories opened on the index change their time, then check nothing was written.
      await (await container.journal).list();
      await new Promise((r) => setTimeout(r, 1000));
      assert.ok(
        !fs.existsSync(path.join(dir, '.helix')),
        'opening the editor created .helix/ in a project without runs',
      );

      // The CLI's first run in this project creates the history; the window follows it.
      const id = `29990102000000-${Date.now().toString(16).slice(-8)}`;
      const at = new Date().toISOString();
      const run = {
        id,
        kind: 'apply',
        project: 'history-probe',
        projectDir: dir,
        environment: 'qa',
        who: 'ci',
        startedAt: at,
        updatedAt: at,
        state: 'Applied',
      };
      fs.mkdirSync(path.join(dir, '.helix'));
      fs.writeFileSync(path.join(dir, '.helix', 'runs.jsonl'), JSON.stringify({ t: 'begin', run }) + '\n');
      await poll(async () => (await container.journal).list().some((r: { id: string }) => r.id === id), {
        what: "the first run of the project in the window's history",
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a helix.toml saved with a byte order mark, and a folder named helix.toml stops nothing', async () => {
    const { container, root } = await indexed();
    const bom = path.join(root, 'bom-probe');
    const odd = path.join(root, 'odd-probe');
    try {
      await newFolder(bom);
      await newFolder(odd);
      // Windows editors save UTF-8 with a BOM; the CLI reads such a file, so the sidebar must too.
      fs.writeFileSync(
        path.join(bom, 'helix.toml'),
        '\uFEFF[project]\nname = "bom-probe"\n\n[local.dev]\nport = 7313\n',
      );
      fs.mkdirSync(path.join(odd, 'helix.toml'));
      await poll(() => container.projects.find(bom), { what: 'the project whose helix.toml starts with a BOM' });
      assert.equal(container.projects.find(bom).name, 'bom-probe');
      await container.projects.refresh();
      assert.ok(container.projects.find(bom), 'a full scan lost the project with a BOM');
      assert.equal(container.projects.find(odd), undefined);
    } finally {
      fs.rmSync(bom, { recursive: true, force: true });
      fs.rmSync(odd, { recursive: true, force: true });
    }
  });

  it('finds a project whose folders were created the same instant as its helix.toml (a branch checkout, a scaffold)', async () => {
    const { container, root } = await indexed();
    const top = path.join(root, 'checkout-probe');
    const dir = path.join(top, 'services', 'graph');
    const changes: { dirs?: string[] }[] = [];
    const sub = container.projects.onDidChange((e: { dirs?: string[] }) => changes.push(e));
    try {
      fs.mkdirSync(path.join(dir, 'db'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'helix.toml'),
        '[project]\nname = "checkout-probe"\n\n[local.dev]\nport = 7314\n',
      );
      fs.writeFileSync(path.join(dir, 'db', 'schema.hx'), 'N::User { name: String }\n');
      await poll(() => container.projects.find(dir), { what: 'the project in the new folders, without Refresh' });
      assert.ok(
        changes.every((c) => c.dirs !== undefined),
        'a new folder caused a rescan of the whole workspace',
      );
    } finally {
      sub.dispose();
      fs.rmSync(top, { recursive: true, force: true });
    }
  });

  it('follows a project folder renamed with its files: found under the new name, gone under the old one', async () => {
    const { container, root } = await indexed();
    // One level below the workspace folder: a sub-folder of a folder created in the same step may never be
    // followed by the recursive watcher, and a file written into it later never reported.
    const dir = path.join(root, 'rename-probe');
    const renamed = path.join(root, 'rename-probe-v2');
    try {
      await newFolder(dir);
      fs.writeFileSync(path.join(dir, 'helix.toml'), '[project]\nname = "rename-probe"\n\n[local.dev]\nport = 7315\n');
      await poll(() => container.projects.find(dir), { what: 'the project before the rename' });
      // The watcher reports the folders (one deleted, one created), not the config files inside them.
      fs.renameSync(dir, renamed);
      await poll(() => container.projects.find(renamed) && !container.projects.find(dir), {
        what: 'the renamed project under its new folder only',
      });
    } finally {
      for (const d of [dir, renamed]) fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
