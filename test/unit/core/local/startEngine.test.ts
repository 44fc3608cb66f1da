import { strict as assert } from 'node:assert';
import { startAttempts, startEngine, type StartEngineDeps } from '../../../../src/core/local/startEngine';

// "Start Docker": the attempts in order, the first that works wins, then wait until the engine answers.

function deps(
  over: Partial<StartEngineDeps> & { codes?: Record<string, number | 'missing'>; answersAfter?: number },
): StartEngineDeps & { ran: string[] } {
  const ran: string[] = [];
  let pings = 0;
  return {
    platform: 'linux',
    run: async (cmd, args) => {
      const line = [cmd, ...args].join(' ');
      ran.push(line);
      const code = over.codes?.[line] ?? 1;
      if (code === 'missing') throw new Error(`spawn ${cmd} ENOENT`);
      return { code };
    },
    ping: async () => ++pings > (over.answersAfter ?? 0),
    hasSystemService: () => false,
    sleep: async () => undefined,
    ...over,
    ran,
  };
}

describe('start engine (Start Docker)', () => {
  it('tries the user units in order and stops at the first that starts; waits until the engine answers', async () => {
    const d = deps({
      codes: { 'systemctl --user start docker-desktop': 'missing', 'systemctl --user start docker': 0 },
      answersAfter: 3,
    });
    assert.deepEqual(await startEngine(d), { state: 'started', by: 'systemctl --user start docker' });
    assert.deepEqual(d.ran, ['systemctl --user start docker-desktop', 'systemctl --user start docker']);
  });

  it('says "starting" when the command worked but the engine does not answer in time', async () => {
    const d = deps({ platform: 'darwin', codes: { 'open -a Docker': 0 }, answersAfter: Infinity });
    assert.deepEqual(await startEngine(d, { waitMs: 0 }), { state: 'starting', by: 'open -a Docker' });
  });

  it('stops waiting when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    const d = deps({ codes: { 'systemctl --user start podman.socket': 0 }, answersAfter: Infinity });
    assert.equal((await startEngine(d, { signal: ac.signal })).state, 'starting');
  });

  it('leaves a system service to the user (root), else lists what it tried', async () => {
    assert.deepEqual(await startEngine(deps({ hasSystemService: () => true })), {
      state: 'needs-root',
      command: ['sudo', 'systemctl', 'start', 'docker'],
    });
    const r = await startEngine(deps({ platform: 'win32' }));
    assert.deepEqual(r, { state: 'failed', tried: ['cmd.exe /c start  Docker Desktop', 'podman machine start'] });
  });

  it('uses argument arrays per platform, as helix start does', () => {
    assert.deepEqual(
      startAttempts('darwin').map(([c]) => c),
      ['open', 'colima', 'podman'],
    );
    for (const p of ['darwin', 'win32', 'linux'] as const)
      for (const [cmd, args] of startAttempts(p)) assert.ok(!/\s/.test(cmd) && Array.isArray(args));
  });
});
