import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { historyFile, RunHistory } from '../../../../src/core/engine/history';
import type { RunRecord } from '../../../../src/core/engine/records';
import { envKey, isOfProject, parseEnvKey } from '../../../../src/core/model/environment-ref';
import type { Project } from '../../../../src/core/model/types';
import { lastPush } from '../../../../src/core/push/service';
import { DeployPanelBackend, type DeployRunnerLike } from '../../../../src/webview/host/engineBackend';
import type { BackendEvent } from '../../../../src/webview/host/backend';

// Two projects of a monorepo both named "app": each keeps its own history, panel and health.

const project = (dir: string): Project => ({
  name: 'app',
  dir,
  configFile: path.join(dir, 'helix.toml'),
  generation: 'v3.4',
  containerRuntime: 'docker',
  errorCount: 0,
  environments: [{ name: 'staging', kind: 'terraform', source: 'helix.deploy.toml', settings: {} }],
});

/** A run line as versions before the project folder was recorded wrote it: the project by name only. */
function writeOldRun(dir: string, id: string): void {
  const at = '2026-01-01T00:00:00.000Z';
  const run = {
    id,
    kind: 'deploy',
    project: 'app',
    environment: 'staging',
    who: 'old',
    state: 'Succeeded',
    startedAt: at,
    updatedAt: at,
    endedAt: at,
    meta: { url: 'http://b' },
  };
  fs.mkdirSync(path.dirname(historyFile(dir)), { recursive: true });
  fs.writeFileSync(historyFile(dir), JSON.stringify({ t: 'begin', run }) + '\n');
}

describe('run history: projects are told apart by folder', () => {
  let tmp: string;
  let a: Project;
  let b: Project;
  let history: RunHistory;

  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'helix-same-name-'));
    a = project(path.join(tmp, 'services', 'app'));
    b = project(path.join(tmp, 'tools', 'app'));
    writeOldRun(b.dir, 'old-b');
    history = await RunHistory.open([a.dir, b.dir]);
  });

  afterEach(async () => {
    await history.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('reads a record of an older version (project name only) as a run of its own folder', () => {
    assert.equal(history.get('old-b')?.projectDir, path.resolve(b.dir));
    assert.deepEqual(
      history.list({ projectDir: b.dir }).map((r) => r.id),
      ['old-b'],
    );
    assert.deepEqual(history.list({ projectDir: a.dir }), []);
    assert.equal(isOfProject(history.get('old-b')!, a), false);
    assert.equal(isOfProject(history.get('old-b')!, b), true);
  });

  it('a push of one project is never the last push of its same-named neighbour', async () => {
    const run = await history.begin({
      kind: 'push',
      project: 'app',
      projectDir: a.dir,
      environment: 'staging',
      who: 't',
    });
    await history.end(run.id, 'Succeeded', undefined, {
      tag: 'v1',
      digest: 'sha256:' + 'a'.repeat(64),
      reference: 'r/app:v1',
    });
    assert.equal(lastPush(history, 'app', 'staging', a.dir)?.tag, 'v1');
    assert.equal(lastPush(history, 'app', 'staging', b.dir), undefined);
  });

  it("the panel shows a run under its own project's environment, old records included", async () => {
    const listeners: ((e: { type: 'log'; runId: string; lines: string[] }) => void)[] = [];
    const engine = {
      onRunEvent: (l: (e: { type: 'log'; runId: string; lines: string[] }) => void) => {
        listeners.push(l);
        return { dispose() {} };
      },
      snapshot: (id: string) => {
        const run = history.get(id);
        return run && ({ run } as { run: RunRecord });
      },
      list: () => [],
    } as unknown as DeployRunnerLike;
    const backend = new DeployPanelBackend({ engine, projects: () => [a, b] });
    const seen: string[] = [];
    backend.subscribe((e: BackendEvent) => void (e.type === 'log' && seen.push(e.envKey)));
    const fresh = await history.begin({
      kind: 'plan',
      project: 'app',
      projectDir: b.dir,
      environment: 'staging',
      who: 't',
    });
    for (const id of [fresh.id, 'old-b']) for (const l of listeners) l({ type: 'log', runId: id, lines: ['x'] });
    const keyB = envKey(path.resolve(b.dir), 'staging');
    assert.deepEqual(seen, [keyB, keyB]);
    assert.deepEqual(parseEnvKey(keyB), { projectDir: path.resolve(b.dir), environment: 'staging' });
  });
});
