import assert from 'node:assert/strict';
import { MAX_STRING, parseWebviewMessage, PROTOCOL_VERSION } from '../../../src/webview/protocol';

describe('panel protocol validation', () => {
  const ok = [
    { type: 'ready', version: PROTOCOL_VERSION },
    { type: 'expand', section: 'resources', address: 'aws_s3_bucket.b' },
    { type: 'openDiff', section: 'drift', address: 'module.x.y.z[0]' },
    { type: 'plan' },
    { type: 'approve', runId: 'r1', planHash: 'h1' },
    { type: 'approve', runId: 'r1', planHash: 'h1', confirmation: 'prod' },
    { type: 'discard', runId: 'r1' },
    { type: 'cancel', runId: 'r1' },
    { type: 'rollback' },
    { type: 'copy', text: 'hello' },
    { type: 'saveLogs', source: 'container' },
    { type: 'followContainer', on: false },
  ];
  for (const m of ok)
    it(`accepts ${JSON.stringify(m)}`, () => assert.deepEqual(parseWebviewMessage(m), { ok: true, message: m }));

  const bad: [string, unknown][] = [
    ['null', null],
    ['a string', 'approve'],
    ['an array', [{ type: 'plan' }]],
    ['no type', { runId: 'r1' }],
    ['unknown type', { type: 'rm -rf' }],
    ['numeric type', { type: 1 }],
    ['wrong protocol version', { type: 'ready', version: 99 }],
    ['extra field', { type: 'plan', command: 'terraform destroy' }],
    ['approve without hash', { type: 'approve', runId: 'r1' }],
    ['approve with numeric hash', { type: 'approve', runId: 'r1', planHash: 5 }],
    [
      'approve with object confirmation',
      { type: 'approve', runId: 'r1', planHash: 'h', confirmation: { toString: 'x' } },
    ],
    ['expand of an unknown section', { type: 'expand', section: 'state', address: 'a' }],
    ['expand with empty address', { type: 'expand', section: 'resources', address: '' }],
    ['oversized address', { type: 'openDiff', section: 'resources', address: 'a'.repeat(MAX_STRING + 1) }],
    ['cancel without run', { type: 'cancel' }],
    ['saveLogs of a file path', { type: 'saveLogs', source: '/etc/passwd' }],
    ['followContainer with a string', { type: 'followContainer', on: 'yes' }],
    ['empty copy', { type: 'copy', text: '' }],
    ['prototype pollution key', JSON.parse('{"type":"plan","__proto__":{"x":1}}')],
  ];
  for (const [name, m] of bad)
    it(`rejects ${name}`, () => {
      const r = parseWebviewMessage(m);
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.error.length > 0);
    });
});
