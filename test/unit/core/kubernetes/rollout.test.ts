import * as assert from 'node:assert/strict';
import { evaluateRollout } from '../../../../src/core/kubernetes/rollout';
import type { KubeObject } from '../../../../src/core/kubernetes/objects';

const REV = 'deployment.kubernetes.io/revision';
function snapshot(o: { status?: any; pod?: any; generation?: number; observed?: number } = {}) {
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'helix', namespace: 'n', uid: 'd', generation: o.generation ?? 2, annotations: { [REV]: '2' } },
    spec: { replicas: 2, progressDeadlineSeconds: 600 },
    status: {
      observedGeneration: o.observed ?? 2,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      ...o.status,
    },
  };
  const rs = (name: string, rev: string): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      uid: name,
      annotations: { [REV]: rev },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'helix', uid: 'd' }],
    },
  });
  const pods: KubeObject[] = o.pod
    ? [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: 'helix-new-1',
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'new', uid: 'new' }],
          },
          status: { containerStatuses: [o.pod] },
        },
      ]
    : [];
  return { deployment, replicaSets: [rs('old', '1'), rs('new', '2')], pods };
}

describe('kubernetes rollout evaluation', () => {
  it('complete only when observed, updated, no old replicas and available (kubectl rollout status rules)', () => {
    assert.equal(evaluateRollout(snapshot()).phase, 'complete');
    assert.match(
      evaluateRollout(snapshot({ observed: 1 })).message,
      /waiting for the deployment spec update to be observed/,
    );
    assert.match(evaluateRollout(snapshot({ status: { updatedReplicas: 1 } })).message, /1 of 2 updated replicas/);
    assert.match(
      evaluateRollout(snapshot({ status: { replicas: 3 } })).message,
      /1 old replicas are pending termination/,
    );
    assert.match(
      evaluateRollout(snapshot({ status: { availableReplicas: 1 } })).message,
      /1 of 2 updated replicas are available/,
    );
    assert.equal(evaluateRollout(snapshot()).newReplicaSet, 'new');
  });

  it('fails with ProgressDeadlineExceeded and the pod hint', () => {
    const s = evaluateRollout(
      snapshot({
        status: {
          availableReplicas: 0,
          conditions: [
            {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: 'ReplicaSet "new" has timed out progressing.',
            },
          ],
        },
        pod: { name: 'helix', ready: false, restartCount: 0, state: { running: {} } },
      }),
    );
    assert.equal(s.phase, 'failed');
    assert.equal(s.reason, 'ProgressDeadlineExceeded');
    assert.match(
      s.message,
      /\(600s\): ReplicaSet "new" has timed out progressing. \(pod helix-new-1: container helix not ready\)/,
    );
  });

  it('fails on CrashLoopBackOff after the restart threshold, and on image pull errors at once', () => {
    const crash = (restartCount: number) =>
      snapshot({
        status: { availableReplicas: 0 },
        pod: {
          name: 'helix',
          image: 'i',
          ready: false,
          restartCount,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 2 } },
        },
      });
    assert.equal(evaluateRollout(crash(1), { crashLoopRestarts: 3 }).phase, 'progressing');
    const f = evaluateRollout(crash(3), { crashLoopRestarts: 3 });
    assert.equal(f.reason, 'CrashLoopBackOff');
    assert.match(f.message, /crash-looping \(3 restarts, last exit code 2\)/);
    const pull = evaluateRollout(
      snapshot({
        status: { availableReplicas: 0 },
        pod: {
          name: 'helix',
          image: 'bad:1',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ErrImagePull', message: 'not found' } },
        },
      }),
    );
    assert.equal(pull.reason, 'ImagePullBackOff');
    assert.match(pull.message, /ErrImagePull for image "bad:1": not found/);
  });
});
