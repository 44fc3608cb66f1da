import { strict as assert } from 'node:assert';
import { DeployError } from '../../../../src/core/engine/errors';
import { errorNotice } from '../../../../src/webview/host/session';

describe('webview/host errorNotice', () => {
  it('offers Re-plan from the error code, not from words in the message', () => {
    // A missing tool whose path happens to contain "stale": the fix is the path setting, never a new plan.
    const tool = errorNotice(
      new DeployError('tool-missing', 'terraform at /opt/stale-tools/terraform is not executable.', ['Set Path']),
    );
    assert.equal(tool.action, undefined);
    assert.equal(tool.message, 'terraform at /opt/stale-tools/terraform is not executable.');
    // A missing plan file is fixed by planning again, though the message never says "stale" or "re-plan".
    const missing = errorNotice(
      new DeployError('not-found', 'No plan file plan.out. Make one with: helix-deploy plan dev', ['Re-plan']),
    );
    assert.equal(missing.action, 'replan');
  });

  it('still reads an uncoded tool message', () => {
    assert.equal(errorNotice(new Error('Saved plan is stale: the state changed.')).action, 'replan');
    assert.equal(errorNotice('boom').action, undefined);
  });
});
