// Workspace trust at one boundary: in Restricted Mode every panel message that acts, every process spawn, every
// Docker request and every cluster client is refused with the one typed error, and nothing leaves this process.

import assert from 'node:assert/strict';
import childProcess from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { run } from '../../../../src/core/process/spawn';
import {
  installTrustGate,
  RESTRICTED_MESSAGE,
  RESTRICTED_MODE_COMMANDS,
  RestrictedModeError,
  TrustGate,
} from '../../../../src/core/trust/gate';
import { dockerClient } from '../../../../src/providers/docker/client';
import { DockerEngine } from '../../../../src/providers/docker/engine';
import { KubernetesProvider } from '../../../../src/providers/kubernetes/provider';
import { PanelSession } from '../../../../src/webview/host/session';
import {
  WEBVIEW_MESSAGE_TYPES,
  type HostMessage,
  type WebviewMessage,
  type WebviewMessageType,
} from '../../../../src/webview/protocol';
import { FakeBackend, loadFixture, planFiles } from '../../webview/fixtures';

const root = join(__dirname, '..', '..', '..', '..');

/** Counts child processes started through node:child_process while installed. */
function countSpawns() {
  // The module object itself (what compiled sources call through), not an import namespace.
  const cp = childProcess as unknown as Record<string, (...a: unknown[]) => unknown>;
  const names = ['spawn', 'execFile', 'exec', 'fork'] as const;
  const saved = names.map((n) => cp[n]);
  const seen: string[] = [];
  names.forEach((n, i) => (cp[n] = (...a: unknown[]) => (seen.push(`${n} ${String(a[0])}`), saved[i]!(...a))));
  return { seen, restore: () => names.forEach((n, i) => (cp[n] = saved[i]!)) };
}

/** A unix socket that records every connection (a Docker engine that must never be contacted). */
async function recordingSocket() {
  const dir = mkdtempSync(join(tmpdir(), 'hd-trust-'));
  const path = join(dir, 'docker.sock');
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.once('data', () =>
      s.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}'),
    );
  });
  await new Promise<void>((r) => server.listen(path, r));
  return {
    path,
    connections: () => connections,
    close: () => new Promise<void>((r) => server.close(() => (rmSync(dir, { recursive: true, force: true }), r()))),
  };
}

describe('workspace trust gate', () => {
  let trusted = false;
  let gate: TrustGate;
  let uninstall: () => void;
  beforeEach(() => {
    trusted = false;
    gate = new TrustGate(() => trusted);
    uninstall = installTrustGate(gate);
  });
  afterEach(() => uninstall());

  it('throws the one typed error, with the actionable message, only while untrusted', () => {
    assert.throws(
      () => gate.assert('spawn terraform'),
      (e: unknown) =>
        e instanceof RestrictedModeError &&
        e.message === RESTRICTED_MESSAGE &&
        e.what === 'spawn terraform' &&
        e.actions.includes('Manage Workspace Trust'),
    );
    trusted = true;
    gate.assert('spawn terraform');
    assert.deepEqual(gate.refused, ['spawn terraform']);
  });

  it('the spawner starts no process in Restricted Mode (and does once trusted)', async () => {
    const spawns = countSpawns();
    try {
      await assert.rejects(run(process.execPath, ['-e', '0']), RestrictedModeError);
      await assert.rejects(
        run(process.execPath, ['-e', '0'], { outputBase: join(tmpdir(), `hd-trust-${process.pid}`) }),
        RestrictedModeError,
      );
      assert.deepEqual(spawns.seen, []);
      trusted = true;
      const r = await run(process.execPath, ['-e', 'process.stdout.write("ran")']);
      assert.equal(r.stdout, 'ran');
      assert.equal(spawns.seen.length, 1, 'the counter sees a real spawn');
    } finally {
      spawns.restore();
    }
  });

  it('no Docker request reaches the engine in Restricted Mode, whichever client makes it', async () => {
    const sock = await recordingSocket();
    try {
      const ep = { socketPath: sock.path, url: `unix://${sock.path}`, source: 'setting' as const };
      await assert.rejects(dockerClient(ep).version(), RestrictedModeError);
      await assert.rejects(new DockerEngine(ep).ping(), RestrictedModeError);
      await assert.rejects(new DockerEngine(ep).list([]), RestrictedModeError);
      assert.equal(sock.connections(), 0);
      trusted = true;
      await dockerClient(ep).version();
      assert.equal(sock.connections(), 1, 'the recorder sees a real request');
    } finally {
      await sock.close();
    }
  });

  it('no cluster client is created in Restricted Mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hd-trust-kube-'));
    try {
      const kubeconfig = join(dir, 'config');
      writeFileSync(
        kubeconfig,
        'apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\n',
      );
      const provider = new KubernetesProvider({ kubeconfig: () => kubeconfig });
      assert.throws(() => provider.cluster(undefined, kubeconfig), RestrictedModeError);
      trusted = true;
      assert.equal(provider.cluster(undefined, kubeconfig).context, 'c');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every panel message in Restricted Mode: nothing reaches the backend, the panel says why', async () => {
    const samples: Record<WebviewMessageType, WebviewMessage> = {
      ready: { type: 'ready', version: 1 },
      expand: { type: 'expand', section: 'resources', address: 'x' },
      openDiff: { type: 'openDiff', section: 'resources', address: 'x' },
      plan: { type: 'plan' },
      approve: { type: 'approve', runId: 'run-1', planHash: 'hash-1', confirmation: 'prod' },
      discard: { type: 'discard', runId: 'run-1' },
      cancel: { type: 'cancel', runId: 'run-1' },
      rollback: { type: 'rollback' },
      checkDrift: { type: 'checkDrift' },
      copy: { type: 'copy', text: 'x' },
      saveLogs: { type: 'saveLogs', source: 'run' },
      followContainer: { type: 'followContainer', on: true },
      copyRunSummary: { type: 'copyRunSummary', runId: 'run-1' },
      planMore: { type: 'planMore', pageId: 'run-1/1' },
      logOlder: { type: 'logOlder', runId: 'run-1', before: 10 },
    };
    const b = new FakeBackend();
    let followed = 0;
    b.followContainer = () => (followed++, { dispose() {} });
    b.setRun('Planned', loadFixture(planFiles().find((f) => f.endsWith('generated/tf-local-1.json'))!).model);
    const posted: HostMessage[] = [];
    const refused: string[] = [];
    const spawns = countSpawns();
    const s = new PanelSession(b.envView.key, b, {
      post: (m) => void posted.push(m),
      openDiff: () => {},
      copy: async () => {},
      save: async () => {},
      log: () => {},
      restricted: (e) => void refused.push(e.what),
    });
    try {
      assert.deepEqual(Object.keys(samples).sort(), [...WEBVIEW_MESSAGE_TYPES].sort());
      for (const t of WEBVIEW_MESSAGE_TYPES) await s.handle(samples[t]);
      assert.deepEqual(b.calls, [], 'no panel message reached the engine');
      assert.equal(followed, 0);
      assert.deepEqual(spawns.seen, []);
      assert.deepEqual(
        refused,
        ['plan', 'approve', 'discard', 'cancel', 'rollback', 'checkDrift', 'followContainer'].map(
          (t) => `panel message ${t}`,
        ),
      );
      const notice = posted.filter((m) => m.type === 'notice').pop();
      assert.ok(notice?.type === 'notice' && notice.notice?.message === RESTRICTED_MESSAGE);
      // The same walk trusted reaches the backend: the gate, not something else, stopped it.
      trusted = true;
      await s.handle(samples.plan);
      assert.deepEqual(b.calls, [`plan ${b.envView.key}`]);
    } finally {
      spawns.restore();
      s.dispose();
    }
  });

  it('every command goes through the one registrar, and the Restricted Mode allow-list names only contributed commands', () => {
    const contributed = new Set<string>(
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).contributes.commands.map(
        (c: { command: string }) => c.command,
      ),
    );
    for (const id of RESTRICTED_MODE_COMMANDS) assert.ok(contributed.has(id), `${id} is not a contributed command`);
    const files = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && d.name.endsWith('.ts'))
      .map((d) => join(d.parentPath ?? (d as any).path, d.name));
    const bypass = files.filter(
      (f) => !f.endsWith('container.ts') && /commands\.registerCommand\(/.test(readFileSync(f, 'utf8')),
    );
    assert.deepEqual(
      bypass.map((f) => relative(root, f)),
      [],
    );
  });
});
