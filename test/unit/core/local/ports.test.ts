import { strict as assert } from 'node:assert';
import { PortAllocator } from '../../../../src/core/local/ports';
import { check, fix } from '../config/helpers';

// Free ports offered for clashing local instances: each clash gets its own free port, found without walking
// the taken ports one by one.

const P = '[project]\nname = "x"\n';

describe('free ports for clashing local instances', () => {
  it('hands out the lowest free port at or after a start, never twice, jumping over taken runs', () => {
    const a = new PortAllocator([7000, 7001, 7002, 7004]);
    assert.deepEqual(
      [a.allocate(7000), a.allocate(7000), a.allocate(7000), a.allocate(6999)],
      [7003, 7005, 7006, 6999],
    );
    const full = new PortAllocator([65534, 65535]);
    assert.equal(full.allocate(65534), undefined, 'nothing past 65535');
  });

  it('offers two instances that clash on the default port two different free ports', () => {
    const t = P + '[local.a]\n[local.b]\n[local.c]\nport = 6970\n[local.d]\n';
    const titles = check(t)
      .filter((s) => s.code === 'port-clash')
      .map((s) => s.d.fixes?.[0]?.title);
    assert.deepEqual(titles, ["Change port of 'b' to 6971", "Change port of 'd' to 6972"]);
    assert.equal(fix(t, 'port-clash'), P + '[local.a]\n[local.b]\nport = 6971\n[local.c]\nport = 6970\n[local.d]\n');
  });

  it('finds a port for each of 36,000 clashes behind a run of 64,000 taken ports', () => {
    const taken = Array.from({ length: 64_000 }, (_, i) => 1024 + i);
    const a = new PortAllocator(taken);
    let steps = 0;
    // Count how often the allocator looks a port up: about a constant per allocation, not the run's length.
    const next = (a as unknown as { next: Map<number, number> }).next;
    const get = next.get.bind(next);
    next.get = (k: number) => (steps++, get(k));
    for (let i = 0; i < 36_000; i++) a.allocate(1024 + (i % 64_000) + 1);
    assert.ok(steps < 36_000 * 16, `${steps} lookups`);
  });
});
