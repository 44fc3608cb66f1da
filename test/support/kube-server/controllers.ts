// Just enough of kube-controller-manager, the scheduler and the kubelet for rollouts:
// Deployment -> ReplicaSet (pod-template-hash, revision annotation) -> Pods that are scheduled, start and
// become ready - or never ready, crash-loop or fail to pull, depending on the image - plus Events and
// container logs. Deployment status and conditions follow pkg/controller/deployment/util.

import { createHash, randomBytes } from 'node:crypto';
import { byKind } from './resources';
import type { Change, KObj, Store } from './store';
import type { Logs } from './logs';
import { canonical } from './apply';

export type Behavior = 'ready' | 'never-ready' | 'crashloop' | 'image-pull';

export interface ControllerOptions {
  /** Milliseconds per simulated kubelet step (schedule, pull, start, ready). */
  stepMs: number;
  /** How long one second of `progressDeadlineSeconds` lasts here, in ms (tests shrink time). */
  secondMs: number;
  behavior(image: string): Behavior;
}

export function defaultBehavior(image: string): Behavior {
  if (/crashloop/.test(image)) return 'crashloop';
  if (/never-ready|notready/.test(image)) return 'never-ready';
  if (/does-not-exist|badimage/.test(image)) return 'image-pull';
  return 'ready';
}

const DEP = byKind('apps/v1', 'Deployment')!;
const RS = byKind('apps/v1', 'ReplicaSet')!;
const POD = byKind('v1', 'Pod')!;
const EVENT = byKind('v1', 'Event')!;

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const REV = 'deployment.kubernetes.io/revision';

export function templateHash(template: any): string {
  // Like ComputeHash: a short stable hash of the pod template, in the alphabet of rand.SafeEncodeString.
  const h = createHash('sha256').update(canonical(template)).digest();
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...h.subarray(0, 10)].map((b) => alphabet[b % alphabet.length]).join('');
}

function ownedBy(obj: KObj, owner: KObj): boolean {
  return (obj.metadata.ownerReferences ?? []).some((r: any) => r.uid === owner.metadata.uid);
}

function ownerRef(owner: KObj) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

const podReady = (p: KObj) => (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

export class Controllers {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<string>();
  private closed = false;
  /** Last time each deployment made progress (drives ProgressDeadlineExceeded). */
  private readonly progressAt = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly logs: Logs,
    private readonly opts: ControllerOptions,
  ) {}

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }

  /** Coalesces reconciles of one object into one timer tick. */
  private queue(kind: 'dep' | 'rs', ns: string, name: string, delay = 0): void {
    const key = `${kind}/${ns}/${name}`;
    if (this.pending.has(key)) return;
    this.pending.add(key);
    this.later(delay, () => {
      this.pending.delete(key);
      if (kind === 'dep') this.syncDeployment(ns, name);
      else this.syncReplicaSet(ns, name);
    });
  }

  onChange(c: Change): void {
    const o = c.object;
    const ns = o.metadata.namespace;
    if (c.res === DEP && c.type !== 'DELETED') this.queue('dep', ns, o.metadata.name);
    if (c.res === RS) {
      if (c.type !== 'DELETED') this.queue('rs', ns, o.metadata.name);
      for (const r of o.metadata.ownerReferences ?? []) if (r.kind === 'Deployment') this.queue('dep', ns, r.name);
    }
    if (c.res === POD)
      for (const r of o.metadata.ownerReferences ?? []) if (r.kind === 'ReplicaSet') this.queue('rs', ns, r.name);
    if (c.type === 'DELETED') this.cascade(o);
  }

  /** Garbage collection: dependents of a deleted owner go too (background propagation). */
  private cascade(owner: KObj): void {
    for (const res of [RS, POD]) {
      for (const o of this.store.list(res, owner.metadata.namespace)) {
        if (ownedBy(o, owner)) this.store.remove(res, o.metadata.namespace, o.metadata.name);
      }
    }
    if (owner.kind === 'Pod') this.logs.podGone(owner.metadata.namespace, owner.metadata.name);
  }

  event(obj: KObj, type: 'Normal' | 'Warning', reason: string, message: string, component: string): void {
    const ns = obj.metadata.namespace ?? 'default';
    const existing = this.store
      .list(EVENT, ns)
      .find((e) => e.involvedObject.uid === obj.metadata.uid && e.reason === reason && e.message === message);
    if (existing) {
      const e = structuredClone(existing);
      e.count = (e.count ?? 1) + 1;
      e.lastTimestamp = now();
      this.store.put(EVENT, e);
      return;
    }
    this.store.put(EVENT, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: ns },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: ns,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component },
      reportingComponent: component,
      reportingInstance: '',
      firstTimestamp: now(),
      lastTimestamp: now(),
      count: 1,
    });
  }

  private syncDeployment(ns: string, name: string): void {
    const d = this.store.get(DEP, ns, name);
    if (!d) return;
    const spec = d.spec;
    const hash = templateHash(spec.template);
    const owned = this.store.list(RS, ns).filter((r) => ownedBy(r, d));
    const maxRev = Math.max(0, ...owned.map((r) => Number(r.metadata.annotations?.[REV] ?? 0)));
    let cur = owned.find((r) => r.metadata.labels?.['pod-template-hash'] === hash);
    const key = `${ns}/${name}`;
    if (!cur) {
      const labels = { ...(spec.template.metadata?.labels ?? {}), 'pod-template-hash': hash };
      const template = structuredClone(spec.template);
      template.metadata = { ...(template.metadata ?? {}), labels };
      cur = this.store.put(RS, {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${name}-${hash}`,
          namespace: ns,
          labels,
          annotations: {
            [REV]: String(maxRev + 1),
            'deployment.kubernetes.io/desired-replicas': String(spec.replicas),
            'deployment.kubernetes.io/max-replicas': String(spec.replicas + 1),
          },
          ownerReferences: [ownerRef(d)],
          generation: 1,
        },
        spec: {
          replicas: spec.replicas,
          selector: { matchLabels: { ...(spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash } },
          template,
        },
        status: { replicas: 0 },
      });
      this.progressAt.set(key, Date.now());
      this.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${cur.metadata.name} from 0 to ${spec.replicas}`,
        'deployment-controller',
      );
      return; // the RS change re-queues this deployment
    }
    if (Number(cur.metadata.annotations?.[REV]) !== maxRev && owned.length > 1) {
      // Rolling back to an older template: its ReplicaSet becomes the newest revision (as in the real controller).
      const c = structuredClone(cur);
      c.metadata.annotations[REV] = String(maxRev + 1);
      cur = this.store.put(RS, c);
      this.progressAt.set(key, Date.now());
      return;
    }
    if (cur.spec.replicas !== spec.replicas) {
      const c = structuredClone(cur);
      c.spec.replicas = spec.replicas;
      c.metadata.generation = (c.metadata.generation ?? 1) + 1;
      this.store.put(RS, c);
      return;
    }
    const pods = this.store.list(POD, ns);
    const podsOf = (rs: KObj) => pods.filter((p) => ownedBy(p, rs));
    const newPods = podsOf(cur);
    const newReady = newPods.filter(podReady).length;
    const old = owned.filter((r) => r !== cur && r.metadata.uid !== cur!.metadata.uid);
    // Old ReplicaSets go to zero once the new one is fully available (maxUnavailable 25% of a small count is 0).
    if (newReady >= spec.replicas) {
      for (const r of old) {
        if (r.spec.replicas !== 0) {
          const c = structuredClone(r);
          c.spec.replicas = 0;
          this.store.put(RS, c);
          this.event(
            d,
            'Normal',
            'ScalingReplicaSet',
            `Scaled down replica set ${r.metadata.name} from ${r.spec.replicas} to 0`,
            'deployment-controller',
          );
        }
      }
    }
    const allPods = owned.flatMap(podsOf);
    const ready = allPods.filter(podReady).length;
    const oldPods = old.flatMap(podsOf).length;
    const complete = newReady >= spec.replicas && newPods.length === spec.replicas && oldPods === 0;
    const prev = d.status ?? {};
    if (ready !== (prev.readyReplicas ?? 0) || newPods.length !== (prev.updatedReplicas ?? 0))
      this.progressAt.set(key, Date.now());
    const since = this.progressAt.get(key) ?? Date.now();
    const deadlineMs = spec.progressDeadlineSeconds * this.opts.secondMs;
    const prevProgressing = (prev.conditions ?? []).find((c: any) => c.type === 'Progressing');
    let progressing;
    if (complete)
      progressing = {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${cur.metadata.name}" has successfully progressed.`,
      };
    else if (
      Date.now() - since > deadlineMs ||
      (prevProgressing?.reason === 'ProgressDeadlineExceeded' && prev.observedGeneration === d.metadata.generation)
    )
      progressing = {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: `ReplicaSet "${cur.metadata.name}" has timed out progressing.`,
      };
    else
      progressing = {
        type: 'Progressing',
        status: 'True',
        reason: 'ReplicaSetUpdated',
        message: `ReplicaSet "${cur.metadata.name}" is progressing.`,
      };
    const available = ready >= spec.replicas - Math.floor(spec.replicas * 0.25);
    const cond = (c: any) => {
      const was = (prev.conditions ?? []).find((p: any) => p.type === c.type);
      const changed = !was || was.status !== c.status || was.reason !== c.reason;
      return {
        ...c,
        lastUpdateTime: changed ? now() : was.lastUpdateTime,
        lastTransitionTime: !was || was.status !== c.status ? now() : was.lastTransitionTime,
      };
    };
    const status: any = {
      observedGeneration: d.metadata.generation,
      replicas: allPods.length,
      updatedReplicas: newPods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(allPods.length - ready > 0 ? { unavailableReplicas: allPods.length - ready } : {}),
      conditions: [
        cond(
          available
            ? {
                type: 'Available',
                status: 'True',
                reason: 'MinimumReplicasAvailable',
                message: 'Deployment has minimum availability.',
              }
            : {
                type: 'Available',
                status: 'False',
                reason: 'MinimumReplicasUnavailable',
                message: 'Deployment does not have minimum availability.',
              },
        ),
        cond(progressing),
      ],
    };
    if (status.readyReplicas === 0) delete status.readyReplicas;
    if (status.availableReplicas === 0) delete status.availableReplicas;
    const annotations = { ...(d.metadata.annotations ?? {}), [REV]: cur.metadata.annotations[REV] };
    if (
      JSON.stringify(status) !== JSON.stringify(d.status) ||
      JSON.stringify(annotations) !== JSON.stringify(d.metadata.annotations)
    ) {
      const c = structuredClone(d);
      c.status = status;
      c.metadata.annotations = annotations;
      this.store.put(DEP, c);
    }
    if (progressing.reason === 'ReplicaSetUpdated')
      this.queue('dep', ns, name, Math.max(20, Math.min(deadlineMs, 250)));
  }

  private syncReplicaSet(ns: string, name: string): void {
    const rs = this.store.get(RS, ns, name);
    if (!rs) return;
    const pods = this.store.list(POD, ns).filter((p) => ownedBy(p, rs));
    const want = rs.spec.replicas ?? 1;
    for (let i = pods.length; i < want; i++) this.createPod(rs);
    for (const p of pods.slice(want)) {
      this.event(p, 'Normal', 'Killing', `Stopping container ${p.spec.containers[0].name}`, 'kubelet');
      this.store.remove(POD, ns, p.metadata.name);
      this.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, 'replicaset-controller');
    }
    const ready = pods.slice(0, want).filter(podReady).length;
    const status = {
      replicas: Math.min(pods.length, want),
      fullyLabeledReplicas: Math.min(pods.length, want),
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    if (JSON.stringify(status) !== JSON.stringify(rs.status)) {
      const c = structuredClone(rs);
      c.status = status;
      this.store.put(RS, c);
    }
  }

  private createPod(rs: KObj): void {
    const suffix = [...randomBytes(5)].map((b) => 'bcdfghjklmnpqrstvwxz2456789'[b % 27]).join('');
    const tpl = rs.spec.template;
    const pod = this.store.put(POD, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${rs.metadata.name}-${suffix}`,
        namespace: rs.metadata.namespace,
        labels: { ...(tpl.metadata?.labels ?? {}) },
        ownerReferences: [ownerRef(rs)],
        generateName: `${rs.metadata.name}-`,
      },
      spec: structuredClone(tpl.spec),
      status: { phase: 'Pending', qosClass: 'Burstable' },
    });
    this.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'replicaset-controller');
    this.later(this.opts.stepMs, () => this.schedule(pod.metadata.namespace, pod.metadata.name));
  }

  private mutatePod(ns: string, name: string, fn: (p: KObj) => void): KObj | undefined {
    const p = this.store.get(POD, ns, name);
    if (!p) return undefined;
    const c = structuredClone(p);
    fn(c);
    return this.store.put(POD, c);
  }

  private schedule(ns: string, name: string): void {
    const p = this.mutatePod(ns, name, (p) => {
      p.spec.nodeName = 'helix-node-1';
      p.status.conditions = [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now() }];
    });
    if (!p) return;
    this.event(p, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to helix-node-1`, 'default-scheduler');
    const c = p.spec.containers[0];
    const behavior = this.opts.behavior(c.image);
    this.event(p, 'Normal', 'Pulling', `Pulling image "${c.image}"`, 'kubelet');
    if (behavior === 'image-pull') return this.later(this.opts.stepMs, () => this.pullFails(ns, name));
    this.later(this.opts.stepMs, () => this.start(ns, name, behavior));
  }

  private pullFails(ns: string, name: string): void {
    const p = this.mutatePod(ns, name, (p) => {
      p.status.containerStatuses = p.spec.containers.map((c: any) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } },
        lastState: {},
      }));
    });
    if (!p) return;
    const image = p.spec.containers[0].image;
    this.event(
      p,
      'Warning',
      'Failed',
      `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found`,
      'kubelet',
    );
    this.event(p, 'Warning', 'Failed', 'Error: ErrImagePull', 'kubelet');
    this.event(p, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, 'kubelet');
    this.event(p, 'Warning', 'Failed', 'Error: ImagePullBackOff', 'kubelet');
  }

  private start(ns: string, name: string, behavior: Behavior): void {
    const p = this.mutatePod(ns, name, (p) => {
      const prev = p.status.containerStatuses?.[0];
      p.status.phase = 'Running';
      p.status.podIP = `10.244.0.${(Math.random() * 250) | 0}`;
      p.status.startTime ??= now();
      p.status.containerStatuses = p.spec.containers.map((c: any) => ({
        name: c.name,
        image: c.image,
        imageID: `docker.io/library/${c.image}@sha256:${'0'.repeat(64)}`,
        containerID: `containerd://${randomBytes(32).toString('hex')}`,
        ready: false,
        started: true,
        restartCount: prev?.restartCount ?? 0,
        state: { running: { startedAt: now() } },
        lastState: prev?.lastState ?? {},
      }));
      p.status.conditions = [
        ...(p.status.conditions ?? []).filter((c: any) => c.type === 'PodScheduled'),
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: now() },
        {
          type: 'Ready',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: now(),
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${p.spec.containers[0].name}]`,
        },
        {
          type: 'ContainersReady',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: now(),
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${p.spec.containers[0].name}]`,
        },
      ];
    });
    if (!p) return;
    const c = p.spec.containers[0];
    const restarts = p.status.containerStatuses[0].restartCount;
    this.event(p, 'Normal', 'Pulled', `Successfully pulled image "${c.image}"`, 'kubelet');
    this.event(p, 'Normal', 'Created', `Created container ${c.name}`, 'kubelet');
    this.event(p, 'Normal', 'Started', `Started container ${c.name}`, 'kubelet');
    this.logs.startContainer(ns, name, c.name);
    this.logs.append(ns, name, c.name, `helix-db starting (pod ${name}, restart ${restarts})`);
    this.logs.append(ns, name, c.name, 'listening on 0.0.0.0:8080');
    if (behavior === 'ready') this.later(this.opts.stepMs, () => this.becomeReady(ns, name));
    if (behavior === 'never-ready') this.later(this.opts.stepMs, () => this.probeFails(ns, name));
    if (behavior === 'crashloop') this.later(this.opts.stepMs, () => this.crash(ns, name));
  }

  private becomeReady(ns: string, name: string): void {
    this.mutatePod(ns, name, (p) => {
      for (const s of p.status.containerStatuses) s.ready = true;
      for (const c of p.status.conditions) {
        if (c.type === 'Ready' || c.type === 'ContainersReady') {
          c.status = 'True';
          c.lastTransitionTime = now();
          delete c.reason;
          delete c.message;
        }
      }
    });
    this.logs.append(
      ns,
      name,
      this.store.get(POD, ns, name)?.spec.containers[0].name ?? 'helix',
      'ready: indexes loaded',
    );
  }

  private probeFails(ns: string, name: string): void {
    const p = this.store.get(POD, ns, name);
    if (!p) return;
    this.event(p, 'Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', 'kubelet');
    this.logs.append(ns, name, p.spec.containers[0].name, 'GET /readyz 503 (indexes not ready)');
    this.later(this.opts.stepMs * 2, () => this.probeFails(ns, name));
  }

  private crash(ns: string, name: string): void {
    const cname = this.store.get(POD, ns, name)?.spec.containers[0].name;
    if (!cname) return;
    this.logs.append(ns, name, cname, 'panic: failed to open data directory /var/lib/helix: permission denied');
    this.logs.endContainer(ns, name, cname);
    const p = this.mutatePod(ns, name, (p) => {
      const s = p.status.containerStatuses[0];
      s.lastState = {
        terminated: {
          exitCode: 1,
          reason: 'Error',
          startedAt: s.state.running?.startedAt,
          finishedAt: now(),
          containerID: s.containerID,
        },
      };
      s.state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off 10s restarting failed container=${cname} pod=${name}`,
        },
      };
      s.restartCount += 1;
      s.ready = false;
      s.started = false;
    });
    if (!p) return;
    this.event(p, 'Warning', 'BackOff', `Back-off restarting failed container ${cname} in pod ${name}`, 'kubelet');
    this.later(this.opts.stepMs * 4, () => this.start(ns, name, 'crashloop'));
  }

  /** Test hook: the liveness probe fails once, the kubelet restarts the container (restartCount+1). */
  restartPod(ns: string, name: string): void {
    const p = this.store.get(POD, ns, name);
    if (!p) throw new Error(`pod ${ns}/${name} not found`);
    const cname = p.spec.containers[0].name;
    this.event(
      p,
      'Warning',
      'Unhealthy',
      'Liveness probe failed: Get "http://10.244.0.1:8080/healthz": context deadline exceeded',
      'kubelet',
    );
    this.event(p, 'Normal', 'Killing', `Container ${cname} failed liveness probe, will be restarted`, 'kubelet');
    this.logs.append(ns, name, cname, 'received SIGTERM, shutting down');
    this.logs.endContainer(ns, name, cname);
    this.mutatePod(ns, name, (p) => {
      const s = p.status.containerStatuses[0];
      s.lastState = {
        terminated: {
          exitCode: 143,
          reason: 'Error',
          startedAt: s.state.running?.startedAt,
          finishedAt: now(),
          containerID: s.containerID,
        },
      };
      s.restartCount += 1;
      s.ready = false;
      s.state = { waiting: { reason: 'ContainerCreating' } };
    });
    this.later(this.opts.stepMs, () => this.start(ns, name, this.opts.behavior(p.spec.containers[0].image)));
  }
}
