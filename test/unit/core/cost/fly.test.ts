import * as assert from 'node:assert/strict';
import {
  flyEnvironmentCostLine,
  flyEnvironmentMonthly,
  flyMachineMonthly,
  flyTerraformMonthly,
  flyVolumeMonthly,
  FLY_SOURCE,
} from '../../../../src/core/cost/fly';
import { FLY_PRICE_TABLE } from '../../../../src/core/cost/fly-prices';
import { estimateCost } from '../../../../src/core/cost/estimate';
import { summarize, type PlanModel, type ResourceChange } from '../../../../src/core/plan/model';

function model(resources: Partial<ResourceChange>[]): PlanModel {
  const rs = resources.map((r) => ({ name: 'x', mode: 'managed' as const, ...r }) as ResourceChange);
  return {
    source: 'terraform',
    summary: summarize({ resources: rs, drift: [], outputs: [] }),
    resources: rs,
    drift: [],
    outputs: [],
    errored: false,
    diagnostics: [],
  };
}

describe('cost: the shipped Fly.io price table', () => {
  it('is dated and names its source (the UI shows both)', () => {
    assert.match(FLY_PRICE_TABLE.date, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(FLY_PRICE_TABLE.url, 'https://fly.io/docs/about/pricing/');
    assert.ok(FLY_SOURCE.label.includes(FLY_PRICE_TABLE.date));
  });

  it('prices a preset, extra memory, a GPU and a volume', () => {
    assert.deepEqual(flyMachineMonthly({ cpuKind: 'performance', cpus: 4, memoryMb: 8192 }), {
      monthly: 124,
      note: 'performance-4x, 8 GB',
    });
    assert.equal(flyMachineMonthly({ cpuKind: 'shared', cpus: 4, memoryMb: 2048 }).monthly, 12.78); // 7.78 + 1 GB x 5
    assert.equal(
      flyMachineMonthly({ cpuKind: 'performance', cpus: 8, memoryMb: 32768, gpuKind: 'a10' }).monthly,
      248 + 16 * 5 + 1.5 * 730,
    );
    assert.deepEqual(flyVolumeMonthly(20), { monthly: 3, note: 'volume, 20 GB' });
  });

  it('a guest the table has no preset or GPU price for is not estimated', () => {
    assert.equal(flyMachineMonthly({ cpuKind: 'shared', cpus: 3, memoryMb: 768 }).monthly, undefined);
    assert.match(flyMachineMonthly({ cpuKind: 'performance', cpus: 8, memoryMb: 32768, gpuKind: 'h100' }).note, /h100/);
  });

  it('prices a helix.toml [cloud.<name>.fly] environment: its vm_size and its volume', () => {
    const e = flyEnvironmentMonthly({ vm_size: 'performance-4x', volume: 'data:/data', volume_initial_size: 20 });
    assert.equal(e.machine.monthly, 124);
    assert.equal(e.volume?.monthly, 3);
    assert.equal(flyEnvironmentMonthly({ vm_size: 'tiny' }).machine.monthly, undefined);
  });

  it('fly_machine / fly_volume of a Terraform plan: values stated in the plan only, never the provider default', () => {
    assert.equal(flyTerraformMonthly('aws_instance', {}), undefined);
    assert.equal(flyTerraformMonthly('fly_machine', { cputype: 'performance', cpus: 2, memorymb: 4096 })?.monthly, 62);
    assert.equal(
      flyTerraformMonthly('fly_machine', { cputype: 'shared', cpus: null, memorymb: 256 })?.monthly,
      undefined,
    );
    assert.equal(flyTerraformMonthly('fly_volume', { size: null })?.monthly, undefined);
  });

  it('estimates a plan: a created Machine, a grown volume (delta), an unknown size and an unpriced type', () => {
    const m = model([
      { address: 'fly_machine.db', type: 'fly_machine', action: 'create' },
      { address: 'fly_volume.data', type: 'fly_volume', action: 'update' },
      { address: 'fly_volume.new', type: 'fly_volume', action: 'create' },
      { address: 'fly_ip.ip', type: 'fly_ip', action: 'create' },
      { address: 'data.fly_app.a', type: 'fly_app', action: 'read', mode: 'data' },
    ]);
    const values = new Map<string, { before?: Record<string, unknown>; after?: Record<string, unknown> }>([
      ['fly_machine.db', { after: { cputype: 'performance', cpus: 2, memorymb: 4096 } }],
      ['fly_volume.data', { before: { size: 10 }, after: { size: 20 } }],
      ['fly_volume.new', { after: { size: null } }],
    ]);
    const e = estimateCost({ model: m, values });
    assert.deepEqual(
      e.resources.map((r) => [r.address, r.monthly, r.pastMonthly]),
      [
        ['fly_machine.db', 62, 0],
        ['fly_volume.data', 3, 1.5],
        ['fly_volume.new', undefined, undefined],
        ['fly_ip.ip', undefined, undefined],
      ],
    );
    assert.equal(e.totalMonthly, 65);
    assert.equal(e.pastTotalMonthly, 1.5);
    assert.equal(e.diffMonthly, 63.5);
    assert.deepEqual(e.notEstimated, ['fly_volume.new', 'fly_ip.ip']);
    assert.deepEqual(e.sources, [FLY_SOURCE]);
  });
});

describe('cost: a Fly deploy says what it costs', () => {
  it('logs the Machine and volume by the dated table, or why not', () => {
    assert.equal(
      flyEnvironmentCostLine({ vm_size: 'performance-4x', volume: 'data:/data', volume_initial_size: 20 }),
      `Estimated cost by the ${FLY_SOURCE.label}: Machine $124.00/month (performance-4x, 8 GB) + volume $3.00/month (volume, 20 GB) = $127.00/month.`,
    );
    assert.match(
      flyEnvironmentCostLine({ vm_size: 'huge' }),
      /Machine not estimated \(vm_size "huge" is not in the Fly.io price table\)\.$/,
    );
  });
});
