import assert from 'node:assert/strict';
import type { Environment } from '../../../../src/core/model/types';
import { healthEndpointsFor } from '../../../../src/webview/host/engineBackend';
import { envKey } from '../../../../src/core/model/environment-ref';
import { PanelSession } from '../../../../src/webview/host/session';
import type { HostMessage, LogLine } from '../../../../src/webview/protocol';
import { FakeBackend } from '../fixtures';

const env = (health: unknown): Environment => ({
  name: 'staging',
  kind: 'terraform',
  source: 'helix.deploy.toml',
  settings: { health },
});

describe('engine adapter helpers', () => {
  it('keys environments like the health service does', () => {
    assert.equal(envKey('/ws/demo', 'staging'), '/ws/demo#staging');
  });
  it('fills health URLs from the applied outputs, and gives up when an output is missing', () => {
    const e = env({ liveness: '${outputs.url}/healthz', readiness: '${outputs.url}/readyz' });
    assert.deepEqual(healthEndpointsFor(e, { url: 'http://127.0.0.1:1' }), {
      liveness: 'http://127.0.0.1:1/healthz',
      readiness: 'http://127.0.0.1:1/readyz',
    });
    assert.equal(healthEndpointsFor(e, {}), undefined);
    assert.equal(healthEndpointsFor(env(undefined), { url: 'x' }), undefined);
    assert.deepEqual(healthEndpointsFor(env({ liveness: 'http://127.0.0.1:2/healthz' }), undefined), {
      liveness: 'http://127.0.0.1:2/healthz',
      readiness: undefined,
    });
  });
});

describe('container logs in the panel session', () => {
  it('follows on request, streams lines as the container source, and stops when asked', async () => {
    const b = new FakeBackend();
    let push: ((l: LogLine[]) => void) | undefined;
    let disposed = 0;
    b.followContainer = (_k: string, onLines: (l: LogLine[]) => void) => {
      push = onLines;
      return { dispose: () => void disposed++ };
    };
    const posted: HostMessage[] = [];
    const s = new PanelSession(b.envView.key, b, {
      post: (m) => void posted.push(m),
      openDiff() {},
      copy: async () => {},
      save: async () => {},
      log() {},
    });
    await s.handle({ type: 'ready', version: 1 });
    await s.handle({ type: 'followContainer', on: true });
    push!([{ t: 1, text: 'GET /healthz 200', err: false }]);
    await new Promise((r) => setTimeout(r, 60));
    const m = posted.find((x) => x.type === 'log') as Extract<HostMessage, { type: 'log' }>;
    assert.equal(m.source, 'container');
    assert.equal(m.lines[0]!.text, 'GET /healthz 200');
    await s.handle({ type: 'followContainer', on: false });
    assert.equal(disposed, 1);
    s.dispose();
  });
});
