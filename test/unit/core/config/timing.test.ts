import * as assert from 'node:assert/strict';
import {
  DIAGNOSTICS_DEBOUNCE_MS,
  DIAGNOSTICS_MIN_DELAY_MS,
  diagnosticsDelay,
} from '../../../../src/core/config/timing';

// The wait between a keystroke and re-validation follows what validating the document costs: a usual helix.toml
// gets its squiggles almost at once, a huge one is not re-validated on every key of a fast typist.
describe('diagnostics delay', () => {
  it('a document that validates in a few ms waits the shortest delay, not the whole debounce', () => {
    assert.equal(diagnosticsDelay(0.4), DIAGNOSTICS_MIN_DELAY_MS);
    assert.equal(diagnosticsDelay(2), DIAGNOSTICS_MIN_DELAY_MS);
    assert.ok(diagnosticsDelay(2) < 20);
  });
  it('grows with the cost and stops at the longest wait', () => {
    assert.equal(diagnosticsDelay(8), 40);
    assert.equal(diagnosticsDelay(20), DIAGNOSTICS_DEBOUNCE_MS);
    assert.equal(diagnosticsDelay(900), DIAGNOSTICS_DEBOUNCE_MS);
  });
  it('an unknown or nonsensical cost waits the longest', () => {
    for (const c of [undefined, NaN, Infinity, -1]) assert.equal(diagnosticsDelay(c), DIAGNOSTICS_DEBOUNCE_MS);
  });
});
