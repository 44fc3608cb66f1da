// Mocha reporter: the usual spec output, plus the run's counts written to $HELIX_TEST_STATS
// so scripts/test.mjs can print one summary line over every layer.
const Mocha = require('mocha');
const fs = require('node:fs');

class StatsSpec extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    runner.on('fail', (test, err) =>
      failures.push({ title: test.fullTitle(), error: String((err && err.message) || err) }),
    );
    runner.once('end', () => {
      const file = process.env.HELIX_TEST_STATS;
      if (!file) return;
      const s = runner.stats;
      fs.writeFileSync(file, JSON.stringify({ passed: s.passes, failed: s.failures, pending: s.pending, failures }));
    });
  }
}
module.exports = StatsSpec;
