import * as assert from 'node:assert/strict';
import { kubernetesMonthly, parseQuantity, type KubernetesRates } from '../../../../src/core/cost/kubernetes';
import { estimateCost, kubernetesValues } from '../../../../src/core/cost/estimate';
import { kubernetesRatesFrom } from '../../../../src/core/cost/settings';
import { buildPlan } from '../../../../src/core/kubernetes/plan';
import type { KubeObject } from '../../../../src/core/kubernetes/objects';

const RATES: KubernetesRates = { cpuCoreHour: 0.05, memoryGibHour: 0.01, storageGibMonth: 0.1 };

const deployment = (
  replicas: number | undefined,
  requests: Record<string, string> | undefined,
  name = 'helix',
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'n' },
  spec: {
    ...(replicas === undefined ? {} : { replicas }),
    template: { spec: { containers: [{ name: 'db', image: 'x', ...(requests ? { resources: { requests } } : {}) }] } },
  },
});
const pvc = (size: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'n' },
  spec: { resources: { requests: { storage: size } } },
});

describe('cost: Kubernetes requests × rates', () => {
  it('reads resource quantities as Kubernetes writes them', () => {
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('2'), 2);
    assert.equal(parseQuantity(1.5), 1.5);
    assert.equal(parseQuantity('512Mi'), 512 * 2 ** 20);
    assert.equal(parseQuantity('1G'), 1e9);
    assert.equal(parseQuantity('1e3'), 1000);
    assert.equal(parseQuantity('10Gi'), 10 * 2 ** 30);
    assert.equal(parseQuantity('ten'), undefined);
    assert.equal(parseQuantity(undefined), undefined);
  });

  it('prices workloads by replicas × requests, claims by size; free kinds cost 0', () => {
    assert.deepEqual(kubernetesMonthly(deployment(2, { cpu: '1', memory: '2Gi' }), RATES), {
      monthly: 102.2,
      note: '2 × (1 CPU, 2 GiB)',
    }); // 2 x (0.05 + 0.02) x 730
    assert.equal(
      kubernetesMonthly(deployment(undefined, { cpu: '1', memory: '2Gi' }), RATES).monthly,
      51.1,
      'replicas default to 1',
    );
    assert.equal(kubernetesMonthly(pvc('10Gi'), RATES).monthly, 1);
    assert.equal(kubernetesMonthly({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, RATES).monthly, 0);
    const sts: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 's' },
      spec: {
        replicas: 3,
        template: { spec: { containers: [{ name: 'db', resources: { requests: { cpu: '1', memory: '1Gi' } } }] } },
        volumeClaimTemplates: [{ metadata: { name: 'd' }, spec: { resources: { requests: { storage: '10Gi' } } } }],
      },
    };
    assert.equal(kubernetesMonthly(sts, RATES).monthly, Math.round((3 * 0.06 * 730 + 3) * 100) / 100);
  });

  it('never guesses: no requests, a DaemonSet, a LoadBalancer or a missing rate is not estimated, with the reason', () => {
    assert.match(kubernetesMonthly(deployment(1, undefined), RATES).note, /requests no cpu/);
    assert.equal(kubernetesMonthly(deployment(1, { cpu: '1' }), RATES).monthly, undefined);
    assert.match(
      kubernetesMonthly({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd' }, spec: {} }, RATES).note,
      /node count/,
    );
    assert.equal(
      kubernetesMonthly(
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'LoadBalancer' } },
        RATES,
      ).monthly,
      undefined,
    );
    assert.match(kubernetesMonthly(pvc('1Gi'), { cpuCoreHour: 1, memoryGibHour: 1 }).note, /storage_gib_month not set/);
  });

  it('estimates a real plan model: a scaled Deployment (delta from the diff), a new claim, a pruned ConfigMap', () => {
    const live = deployment(1, { cpu: '1', memory: '2Gi' });
    const desired = [deployment(2, { cpu: '1', memory: '2Gi' }), pvc('10Gi')];
    const owned = [
      live,
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'old', namespace: 'n' },
        data: { a: '1' },
      } as KubeObject,
    ];
    const { model, record } = buildPlan({
      context: 'c',
      namespace: 'n',
      environment: 'e',
      desired,
      dryRun: new Map(),
      live: new Map([['n/Deployment/helix', live]]),
      owned,
    });
    const values = kubernetesValues(model, new Map(record.objects.map((o) => [o.address, o.desired])));
    const e = estimateCost({ model, values, kubernetesRates: RATES });
    assert.deepEqual(
      e.resources.map((r) => [r.address, r.monthly, r.pastMonthly]),
      [
        ['n/Deployment/helix', 102.2, 51.1],
        ['n/PersistentVolumeClaim/data', 1, 0],
        ['n/ConfigMap/old', 0, 0],
      ],
    );
    assert.equal(e.diffMonthly, 52.1);
    assert.equal(e.sources[0].id, 'kubernetes-rates');
  });

  it('without [cost.kubernetes] every object is not estimated, saying where the rates go', () => {
    const { model, record } = buildPlan({
      context: 'c',
      namespace: 'n',
      environment: 'e',
      desired: [pvc('1Gi')],
      dryRun: new Map(),
      live: new Map(),
      owned: [],
    });
    const e = estimateCost({
      model,
      values: kubernetesValues(model, new Map(record.objects.map((o) => [o.address, o.desired]))),
    });
    assert.equal(e.totalMonthly, undefined);
    assert.deepEqual(e.resources, [
      { address: 'n/PersistentVolumeClaim/data', note: 'no [cost.kubernetes] rates in helix.deploy.toml' },
    ]);
  });

  it('reads the rates from helix.deploy.toml [cost.kubernetes]', () => {
    assert.deepEqual(
      kubernetesRatesFrom('[cost.kubernetes]\ncpu_core_hour = 0.05\nmemory_gib_hour = 0.01\nstorage_gib_month = 0.1\n'),
      RATES,
    );
    assert.equal(kubernetesRatesFrom('[environments.a]\nregistry = "x"\n'), undefined);
    assert.equal(kubernetesRatesFrom(undefined), undefined);
  });
});
