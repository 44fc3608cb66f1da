import * as assert from 'node:assert/strict';
import { Informer, type InformerEvent } from '../../../../src/core/kubernetes/informer';
import { KubeError, type KubeCluster, type WatchEventType } from '../../../../src/core/kubernetes/cluster';

// A scripted cluster: each watch() call takes the next script step.
function fakeCluster(steps: ((emit: (t: WatchEventType, o: any) => void, done: (e?: unknown) => void) => void)[]) {
  const calls: { rv?: string }[] = [];
  let lists = 0;
  const cluster: KubeCluster = {
    context: 'fake',
    apply: async () => {
      throw new Error('unused');
    },
    get: async () => undefined,
    delete: async () => {},
    logs: async () => {},
    list: async () => ({
      items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${lists}`, resourceVersion: `${100 * ++lists}` } }],
      resourceVersion: `${100 * lists}`,
    }),
    watch: async (_v, _k, _n, opts, onEvent, onDone) => {
      calls.push({ rv: opts.resourceVersion });
      const step = steps.shift();
      if (step) setImmediate(() => step(onEvent, onDone));
      return { stop: () => {} };
    },
  };
  return { cluster, calls, lists: () => lists };
}

describe('kubernetes informer (list + watch)', () => {
  it('resumes from the last resourceVersion (bookmarks included) and re-lists on 410 Gone', async () => {
    const events: InformerEvent[] = [];
    let inf!: Informer;
    const finished = new Promise<void>((resolve) => {
      const f = fakeCluster([
        (emit, done) => {
          emit('ADDED', { metadata: { name: 'a', resourceVersion: '101' } });
          emit('BOOKMARK', { metadata: { resourceVersion: '150' } });
          done();
        },
        (emit, done) => {
          emit('ERROR', { code: 410, reason: 'Expired' });
          done();
        },
        () => resolve(),
      ]);
      inf = new Informer(f.cluster, 'v1', 'Pod', 'n', {}, (e) => events.push(e));
      void inf.start();
      (inf as any).__f = f;
    });
    await finished;
    const f = (inf as any).__f;
    inf.stop();
    assert.deepEqual(
      f.calls.map((c: any) => c.rv),
      ['100', '150', '200'],
    );
    assert.equal(f.lists(), 2);
    assert.deepEqual(
      events.map((e) => e.type),
      ['RESYNC', 'ADDED', 'RESYNC'],
    );
    assert.equal(inf.stats.gone, 1);
  });

  it('reports a connection error as a state and retries with back-off', async () => {
    const events: InformerEvent[] = [];
    let inf!: Informer;
    await new Promise<void>((resolve) => {
      const f = fakeCluster([(_e, done) => done(new KubeError('unreachable', 'connection refused')), () => resolve()]);
      inf = new Informer(f.cluster, 'v1', 'Pod', 'n', { minBackoffMs: 5 }, (e) => events.push(e));
      void inf.start();
    });
    inf.stop();
    const err = events.find((e) => e.type === 'ERROR') as Extract<InformerEvent, { type: 'ERROR' }>;
    assert.equal(err.error.kind, 'unreachable');
    assert.equal(err.retrying, true);
  });
});
