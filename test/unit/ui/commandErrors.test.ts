import { strict as assert } from 'node:assert';
import { CancelledError, HelixError } from '../../../src/core/errors';
import { RestrictedModeError } from '../../../src/core/trust/gate';
import { commandNotice } from '../../../src/ui/commandErrors';

const handles = (a: string) => ['Show Log', 'Re-plan'].includes(a);

describe('command registrar: errors into messages', () => {
  it("a cancellation (ours, an AbortSignal's, VS Code's) is never an error message", () => {
    const abort = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
    const canceled = Object.assign(new Error('Canceled'), { name: 'Canceled' });
    for (const err of [new CancelledError(), abort, canceled, new HelixError('x', 'stopped', { cancelled: true })]) {
      assert.deepEqual(commandNotice(err, { prefix: 'Helix Deploy', handles }), { kind: 'cancelled' });
    }
  });

  it('a Restricted Mode refusal from anywhere below is the one Restricted Mode message', () => {
    assert.deepEqual(commandNotice(new RestrictedModeError('docker build'), { prefix: 'Helix Deploy', handles }), {
      kind: 'restricted',
    });
  });

  it('a HelixError shows its own message and the actions something can act on', () => {
    const err = new HelixError('plan-stale', 'The plan is stale: re-plan.', {
      actions: ['Re-plan', 'Fly to the moon'],
    });
    const n = commandNotice(err, { prefix: 'Helix Deploy', handles });
    assert.deepEqual(n, {
      kind: 'error',
      message: 'The plan is stale: re-plan.',
      actions: ['Re-plan'],
      log: 'plan-stale: The plan is stale: re-plan.',
      level: 'warn',
    });
  });

  it('anything else: the prefixed message with Show Log, its stack only in the log', () => {
    const err = new TypeError('x is undefined');
    const n = commandNotice(err, { prefix: 'Kubernetes', handles });
    assert.equal(n.kind, 'error');
    if (n.kind !== 'error') return;
    assert.equal(n.message, 'Kubernetes: x is undefined');
    assert.deepEqual(n.actions, ['Show Log']);
    assert.match(n.log, /TypeError: x is undefined\n\s+at /);
    assert.equal(n.level, 'error');
    assert.equal(
      (commandNotice('plain text', { prefix: undefined, handles }) as { message: string }).message,
      'plain text',
    );
  });
});
