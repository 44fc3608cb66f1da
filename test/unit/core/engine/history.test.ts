import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeployRunner } from '../../../../src/core/engine/engine';
import { historyFile, plansDir, projectLocks, projectStateDir, RunHistory } from '../../../../src/core/engine/history';
import { formatWarning, Journal } from '../../../../src/core/engine/journal';

function tmpDir(prefix = 'history-'): string {
  return fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), prefix));
}

const head = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    t: 'begin',
    run: {
      id,
      kind: 'plan',
      project: 'p',
      environment: 'e',
      who: 'me',
      startedAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      state: 'Planned',
      ...extra,
    },
  });

/** Runs begun by a process that is then killed (no cleanup at all); their ids. */
function killedRuns(file: string, ...states: string[]): string[] {
  const script = `
    const { Journal } = require(${JSON.stringify(path.resolve('src/core/engine/journal.ts'))});
    (async () => {
      const j = await Journal.open(${JSON.stringify(file)});
      const ids = [];
      for (const state of ${JSON.stringify(states)}) ids.push((await j.begin({ kind: 'apply', project: 'p', environment: 'prod', who: 'ci', state })).id);
      process.stdout.write(ids.join(' '));
      process.kill(process.pid, 'SIGKILL');
    })();`;
  const res = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(res.signal, 'SIGKILL', res.stderr);
  return res.stdout.split(' ');
}

describe('run history: records checked on read', () => {
  it('reports a line of the wrong shape with its file and line, skips it, and runs go on', async () => {
    const file = path.join(tmpDir(), 'runs.jsonl');
    fs.writeFileSync(
      file,
      [
        head('good'),
        head('bad', { log: 'oops' }), // 2: "log" must be a list
        JSON.stringify({ t: 'log', id: 'bad', lines: ['x'] }), // 3: its begin was skipped
        JSON.stringify({ t: 'state', id: 'good', state: 'Exploded', at: '2026-01-01T00:01:00.000Z' }), // 4
        JSON.stringify({ t: 'state', state: 'Applied', at: '2026-01-01T00:01:00.000Z' }), // 5: no id
        'not json at all', // 6
        JSON.stringify({ t: 'log', id: 'good', lines: ['still read'] }),
        '',
      ].join('\n'),
    );
    const j = await Journal.open(file);
    try {
      assert.deepEqual(
        j.warnings.map((w) => [w.line, w.file]),
        [2, 3, 4, 5, 6].map((n) => [n, file]),
      );
      assert.match(
        formatWarning(j.warnings[0]!),
        new RegExp(
          `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: run bad: "log" must be a list of strings; line skipped$`,
        ),
      );
      assert.match(j.warnings[2]!.message, /"Exploded", not a run state/);
      assert.match(j.warnings[3]!.message, /missing run "id"/);
      assert.equal(j.get('bad'), undefined);
      // The good run kept its state (Interrupted now: its owner is unknown) and its log.
      assert.deepEqual(j.get('good')!.log, ['still read']);
      // Plans go on.
      const r = await j.begin({ kind: 'plan', project: 'p', environment: 'e', who: 'me', state: 'Draft' });
      await j.transition(r.id, 'Planning');
      await j.appendLog(r.id, 'planning');
      await j.transition(r.id, 'Planned');
      await j.end(r.id, 'Cancelled');
    } finally {
      await j.close();
    }
    // Reported once per line: a second open reports the same lines, not more.
    const j2 = await Journal.open(file);
    assert.equal(j2.warnings.length, 5);
    await j2.close();
  });
});

describe('run history: recovery hook', () => {
  it('recoverRun decides the outcome of a run whose process died (default Interrupted; keep leaves it)', async () => {
    const file = path.join(tmpDir(), 'runs.jsonl');
    const [applied, kept] = killedRuns(file, 'Applying', 'Applying') as [string, string];
    const seen: string[] = [];
    const j = await Journal.open(file, {
      recoverRun: async (run) => {
        seen.push(run.id);
        return run.id === kept ? 'keep' : { state: 'Applied', meta: { recoveredBy: 'hook' } };
      },
    });
    assert.deepEqual(seen.sort(), [applied, kept].sort());
    assert.equal(j.get(applied)!.state, 'Applied');
    assert.equal(j.get(applied)!.meta?.recoveredBy, 'hook');
    assert.equal(j.get(kept)!.state, 'Applying');
    await j.close();
    const j2 = await Journal.open(file);
    assert.equal(j2.get(applied)!.state, 'Applied');
    assert.equal(j2.get(kept)!.state, 'Interrupted', 'without the hook: Interrupted, as before');
    await j2.close();
  });
});

describe('run history: one per project folder', () => {
  it('keeps projects of the same name in different folders apart', async () => {
    const root = tmpDir('monorepo-');
    const a = path.join(root, 'services', 'a');
    const b = path.join(root, 'services', 'b');
    const h = await RunHistory.open([a, b]);
    try {
      const ra = await h.begin({ kind: 'build', project: 'demo', projectDir: a, environment: 'dev', who: 'me' });
      const rb = await h.begin({ kind: 'build', project: 'demo', projectDir: b, environment: 'dev', who: 'me' });
      await h.appendLog(ra.id, 'in a');
      await h.end(ra.id, 'Succeeded');
      await h.end(rb.id, 'Failed', 'boom');
      assert.deepEqual(
        h.list({ projectDir: a }).map((r) => r.id),
        [ra.id],
      );
      assert.deepEqual(
        h.list({ projectDir: b }).map((r) => r.id),
        [rb.id],
      );
      assert.equal(h.list({ project: 'demo' }).length, 2, 'merged across the open projects');
      assert.equal(h.get(rb.id)!.projectDir, b);
    } finally {
      await h.close();
    }
    const ja = await Journal.open(historyFile(a));
    assert.deepEqual(
      ja.list().map((r) => [r.state, r.log]),
      [['Succeeded', ['in a']]],
    );
    await ja.close();
    const jb = await Journal.open(historyFile(b));
    assert.deepEqual(
      jb.list().map((r) => r.state),
      ['Failed'],
    );
    await jb.close();
  });

  it('creates .helix with a .gitignore of its own, and keeps a .gitignore the user wrote', async () => {
    const dir = tmpDir();
    const h = await RunHistory.open([dir]);
    await h.close();
    assert.equal(
      fs
        .readFileSync(path.join(dir, '.helix', '.gitignore'), 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .join(),
      '*',
    );
    assert.equal(fs.statSync(path.join(dir, '.helix')).mode & 0o777, 0o700);
    fs.writeFileSync(path.join(dir, '.helix', '.gitignore'), 'plans/\n');
    await (await RunHistory.open([dir])).close();
    assert.equal(fs.readFileSync(path.join(dir, '.helix', '.gitignore'), 'utf8'), 'plans/\n');
  });

  it('deletes plan files of runs that are over when a history opens, and keeps those of live runs', async () => {
    const dir = tmpDir();
    const live = await RunHistory.open([dir]);
    const waiting = await live.begin({
      kind: 'plan',
      project: 'p',
      projectDir: dir,
      environment: 'e',
      who: 'me',
      state: 'Planned',
    });
    const done = await live.begin({
      kind: 'plan',
      project: 'p',
      projectDir: dir,
      environment: 'f',
      who: 'me',
      state: 'Planned',
    });
    await live.end(done.id, 'Cancelled');
    const [killed] = killedRuns(historyFile(dir), 'Approved') as [string];
    const plans = plansDir(dir);
    fs.mkdirSync(plans, { recursive: true });
    for (const f of [
      `${waiting.id}.tfplan`,
      `${done.id}.tfplan`,
      `${killed}.plan.json`,
      '20200101000000-deadbeef.tfplan',
    ])
      fs.writeFileSync(path.join(plans, f), 'secret');

    // Another process (here: another history object) opens the project.
    const other = await RunHistory.open([dir]);
    assert.deepEqual(fs.readdirSync(plans), [`${waiting.id}.tfplan`]);
    assert.equal(other.get(killed)!.state, 'Interrupted');
    assert.equal(other.get(waiting.id)!.state, 'Planned', 'a run of a live process is not interrupted');
    await other.close();
    await live.close();
  });
});

describe('run history: opening takes no lock without plan files', () => {
  it('opens while another live process holds the history lock, when there are no plan files to delete', async () => {
    const dir = tmpDir();
    const first = await RunHistory.open([dir]);
    const r = await first.begin({ kind: 'build', project: 'p', projectDir: dir, environment: 'e', who: 'me' });
    await first.end(r.id, 'Succeeded');
    await first.close();
    // The CLI is in the middle of a write: its lock file names a live process of this host.
    const holder = { pid: process.pid, host: os.hostname(), nonce: 'the-cli', at: new Date().toISOString() };
    fs.writeFileSync(`${historyFile(dir)}.lock`, JSON.stringify(holder));
    const opened = RunHistory.open([dir]).then((h) => h);
    const timer = new Promise<'waited'>((res) => setTimeout(() => res('waited'), 3000).unref());
    const h = await Promise.race([opened, timer]);
    assert.notEqual(h, 'waited', 'opening waited for the lock although there was nothing to clean');
    assert.equal((h as RunHistory).get(r.id)!.state, 'Succeeded');
    fs.rmSync(`${historyFile(dir)}.lock`);
    await (h as RunHistory).close();
  });
});

describe('run history: runs of other processes', () => {
  it('an engine refuses to cancel a run that another live process (e.g. the CLI) owns', async () => {
    const dir = tmpDir();
    const h = await RunHistory.open([dir], { follow: true });
    const script = `
      const { Journal } = require(${JSON.stringify(path.resolve('src/core/engine/journal.ts'))});
      (async () => {
        const j = await Journal.open(${JSON.stringify(historyFile(dir))});
        const r = await j.begin({ kind: 'apply', project: 'p', projectDir: ${JSON.stringify(dir)}, environment: 'prod', who: 'ci', state: 'Applying' });
        process.stdout.write(r.id + '\\n');
        setInterval(() => undefined, 1000);
      })();`;
    const cliLike = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const id = await new Promise<string>((resolve) => cliLike.stdout.once('data', (d) => resolve(String(d).trim())));
      await h.reload();
      const engine = new DeployRunner({
        journal: h,
        locks: projectLocks(dir),
        stateDir: (p) => projectStateDir(p.dir),
        providers: {},
        who: () => 'me',
      });
      await assert.rejects(engine.cancel(id, 'me'), /belongs to another process/);
      assert.equal(h.get(id)!.state, 'Applying');
      await engine.dispose();
    } finally {
      cliLike.kill('SIGKILL');
      await h.close();
    }
  });
});

describe('run history: the lock file', () => {
  it('takes over the lock of a process that died holding it', async () => {
    const file = path.join(tmpDir(), 'runs.jsonl');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.writeFileSync(
      `${file}.lock`,
      JSON.stringify({
        pid: Number(dead.stdout),
        host: os.hostname(),
        nonce: 'left-behind',
        at: new Date().toISOString(),
      }),
    );
    const j = await Journal.open(file);
    const r = await j.begin({ kind: 'build', project: 'p', environment: 'e', who: 'me' });
    await j.end(r.id, 'Succeeded');
    await j.close();
    assert.ok(!fs.existsSync(`${file}.lock`), 'released after each write');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['runs.jsonl']);
  });
});
