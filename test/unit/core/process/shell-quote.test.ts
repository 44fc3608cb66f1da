import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { shellQuote } from '../../../../src/core/process/shell-quote';

// Printed command lines are pasted into shells: each argument must come back as exactly itself.
describe('shellQuote', () => {
  it('round-trips hostile arguments through a real sh, running nothing', () => {
    const args = [
      'plain',
      'with space',
      "it's",
      '$(touch pwned)',
      '`id`',
      'a;b|c&d',
      '"q"',
      '',
      '\\',
      'new\nline',
      '*',
      '~',
      '-n',
      'é',
    ];
    const r = spawnSync('sh', ['-c', `printf '%s\\0' ${shellQuote(args)}`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\0').slice(0, -1), args);
  });
  it('leaves safe words bare (readable hints)', () => {
    assert.equal(
      shellQuote(['helix-deploy', 'apply', 'staging', '--plan', '/p/.helix/staging.plan']),
      'helix-deploy apply staging --plan /p/.helix/staging.plan',
    );
  });
});
