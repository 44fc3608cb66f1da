import { strict as assert } from 'node:assert';
import { CancelledError, HelixError, codeOf, isCancelled, messageOf } from '../../../src/core/errors';

describe('core/errors', () => {
  it('carries code, message, actions, cause and cancellation', () => {
    const cause = new Error('ECONNREFUSED');
    const e = new HelixError('daemon-stopped', 'Docker is not running. Start it and retry.', { actions: ['Start Docker'], cause });
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
    assert.equal(messageOf({ toString() { throw new Error('x'); } }), 'Unknown error');
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
});
