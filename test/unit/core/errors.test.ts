import { strict as assert } from 'node:assert';
import { CancelledError, HelixError, codeOf, isCancelled, messageOf } from '../../../src/core/errors';
import { DeployError } from '../../../src/core/engine/errors';
import { KubeError } from '../../../src/core/kubernetes/cluster';
import { LocalError } from '../../../src/core/local/errors';
import { PushCancelledError, PushError, RegistryAuthError } from '../../../src/core/push/types';
import { ToolNotFoundError } from '../../../src/core/process/spawn';

describe('core/errors', () => {
  it('carries code, message, actions, cause and cancellation', () => {
    const cause = new Error('ECONNREFUSED');
    const e = new HelixError('daemon-stopped', 'Docker is not running. Start it and retry.', {
      actions: ['Start Docker'],
      cause,
    });
    assert.equal(e.code, 'daemon-stopped');
    assert.equal(e.userMessage, 'Docker is not running. Start it and retry.');
    assert.deepEqual(e.actions, ['Start Docker']);
    assert.equal(e.cause, cause);
    assert.equal(e.cancelled, false);
    assert.equal(e.name, 'HelixError');
    assert.equal(codeOf(e), 'daemon-stopped');
  });

  it('subclasses keep their own name', () => {
    class PushError extends HelixError {}
    assert.equal(new PushError('auth', 'x').name, 'PushError');
  });

  it('messageOf never throws and never shows a stack', () => {
    assert.equal(messageOf(new Error('boom')), 'boom');
    assert.equal(messageOf('plain'), 'plain');
    assert.equal(messageOf(42), '42');
    assert.equal(
      messageOf({
        toString() {
          throw new Error('x');
        },
      }),
      'Unknown error',
    );
  });

  it('isCancelled recognises every cancellation shape', () => {
    assert.equal(isCancelled(new CancelledError()), true);
    assert.equal(isCancelled(new HelixError('x', 'y', { cancelled: true })), true);
    const abort = new Error('aborted');
    abort.name = 'AbortError';
    assert.equal(isCancelled(abort), true);
    const vs = new Error('Canceled');
    vs.name = 'Canceled';
    assert.equal(isCancelled(vs), true);
    assert.equal(isCancelled(new Error('failed')), false);
    assert.equal(isCancelled(new HelixError('x', 'y')), false);
    assert.equal(isCancelled('cancelled'), false);
  });

  it('the feature errors are HelixErrors that keep their own fields', () => {
    const engine = new DeployError('stale', 'Plan is stale. Re-plan.', ['Re-plan'], { runId: 'r1' });
    assert.ok(engine instanceof HelixError);
    assert.deepEqual(
      [engine.code, engine.actions, engine.details.runId, engine.name],
      ['stale', ['Re-plan'], 'r1', 'DeployError'],
    );
    const local = new LocalError('port-in-use', 'Port 6969 is in use.', { port: 6969 });
    assert.deepEqual([codeOf(local), local.detail.port, local.name], ['port-in-use', 6969, 'LocalError']);
    const auth = new RegistryAuthError('ghcr.io', '401');
    assert.ok(auth instanceof PushError && auth instanceof HelixError);
    assert.deepEqual([auth.kind, auth.code], ['auth', 'auth']);
    const kube = new KubeError('forbidden', 'Forbidden', 403);
    assert.deepEqual([kube.kind, kube.code, kube.status], ['forbidden', 'forbidden', 403]);
    assert.equal(codeOf(new ToolNotFoundError('terraform')), 'tool-missing');
  });

  it('every feature cancellation is recognised by isCancelled, and nothing else is', () => {
    assert.equal(isCancelled(new LocalError('cancelled', 'Build cancelled.')), true);
    assert.equal(isCancelled(new PushCancelledError()), true);
    assert.equal(isCancelled(new PushError('Push cancelled', 'cancelled')), true);
    assert.equal(isCancelled(new KubeError('cancelled', 'cancelled')), true);
    assert.equal(isCancelled(new LocalError('build-failed', 'Build failed.')), false);
    assert.equal(isCancelled(new PushError('nope', 'failed')), false);
    assert.equal(isCancelled(new KubeError('timeout', 'slow')), false);
  });
});
