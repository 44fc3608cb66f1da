import { messageOf } from '../errors';
import type { KubeCluster } from './cluster';
import { Informer, type InformerEvent } from './informer';
import type { ContainerStatus, KubeObject, ObjectRef } from './objects';
import { evaluateRollout, ownedBy, revisionOf, type RolloutState } from './rollout';

// Watches one Deployment's rollout through watches on the deployment, its ReplicaSets, its pods and the
// namespace's events, writing what happens to the run log (new ReplicaSet, pods scheduled/ready/restarting,
// probe failures and other events) until the rollout completes or fails. Cancel = stop every watch.

export type RolloutOutcome =
  RolloutState | { phase: 'cancelled'; message: string } | { phase: 'error'; message: string };

export interface WatchRolloutOptions {
  signal: AbortSignal;
  log(line: string): void;
  crashLoopRestarts?: number;
  /** After a failure, keep logging events this long: the events that explain it often arrive just after. */
  lingerMs?: number;
  /** Safety net beyond the deployment's own progress deadline (default: deadline + 60 s). */
  timeoutMs?: number;
  onState?(s: RolloutState): void;
}

function selectorOf(d: KubeObject): string {
  return Object.entries((d.spec?.selector?.matchLabels ?? {}) as Record<string, string>)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function podLine(p: KubeObject): string {
  const cs: ContainerStatus[] = p.status?.containerStatuses ?? [];
  const ready = cs.filter((c) => c.ready).length;
  const restarts = cs.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const waiting = cs.find((c) => c.state?.waiting)?.state?.waiting?.reason;
  const phase = waiting ?? p.status?.phase ?? 'Pending';
  const scheduled = p.spec?.nodeName ? ` on ${p.spec.nodeName}` : '';
  return `pod ${p.metadata.name}: ${phase}${scheduled}, ready ${ready}/${p.spec?.containers?.length ?? cs.length}, restarts ${restarts}`;
}

export async function watchRollout(
  cluster: KubeCluster,
  ref: ObjectRef,
  opts: WatchRolloutOptions,
): Promise<RolloutOutcome> {
  const ns = ref.namespace!;
  const first = await cluster.get(ref);
  if (!first) return { phase: 'error', message: `${ref.kind} ${ns}/${ref.name} not found` };
  const selector = selectorOf(first);
  let deployment = first;
  const informers: Informer[] = [];
  const lastPod = new Map<string, string>();
  let lastMessage = '';
  let knownRs = new Set<string>();
  let lingering = false;

  return new Promise<RolloutOutcome>((resolve) => {
    let settled = false;
    const finish = (o: RolloutOutcome) => {
      if (settled) return;
      settled = true;
      for (const i of informers) i.stop();
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      resolve(o);
    };
    const onAbort = () => finish({ phase: 'cancelled', message: `stopped watching the rollout of ${ns}/${ref.name}` });
    if (opts.signal.aborted) return onAbort();
    opts.signal.addEventListener('abort', onAbort);
    const deadline = opts.timeoutMs ?? ((first.spec?.progressDeadlineSeconds ?? 600) + 60) * 1000;
    const timer = setTimeout(
      () =>
        finish({
          phase: 'error',
          message: `rollout of ${ns}/${ref.name} still not finished after ${Math.round(deadline / 1000)} s`,
        }),
      deadline,
    );

    const [depInf, rsInf, podInf] = [
      new Informer(cluster, ref.apiVersion, ref.kind, ns, { fieldSelector: `metadata.name=${ref.name}` }, (e) =>
        onDep(e),
      ),
      new Informer(cluster, 'apps/v1', 'ReplicaSet', ns, { labelSelector: selector }, (e) => onOther(e)),
      new Informer(cluster, 'v1', 'Pod', ns, { labelSelector: selector }, (e) => onPod(e)),
    ];
    const evInf = new Informer(cluster, 'v1', 'Event', ns, {}, (e) => onEvent(e));
    informers.push(depInf, rsInf, podInf, evInf);

    const evaluate = () => {
      if (settled) return;
      const rss = rsInf.items().filter((r) => ownedBy(r, deployment));
      for (const r of rss) {
        if (!knownRs.has(r.metadata.name)) {
          knownRs.add(r.metadata.name);
          if (r.spec?.replicas > 0 && started)
            opts.log(
              `replicaset ${r.metadata.name} (revision ${r.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '?'})`,
            );
        }
      }
      const state = evaluateRollout(
        { deployment, replicaSets: rss, pods: podInf.items() },
        { crashLoopRestarts: opts.crashLoopRestarts },
      );
      opts.onState?.(state);
      if (state.message !== lastMessage) {
        lastMessage = state.message;
        opts.log(`${ref.name}: ${state.message}`);
      }
      if (state.phase === 'complete') finish(state);
      else if (state.phase === 'failed' && !lingering) {
        lingering = true;
        setTimeout(() => finish(state), opts.lingerMs ?? 300);
      }
    };
    const onError = (e: InformerEvent) => {
      if (e.type === 'ERROR') opts.log(`watch interrupted (${e.error.message}); reconnecting`);
    };
    const onDep = (e: InformerEvent) => {
      onError(e);
      if (e.type === 'DELETED')
        return finish({
          phase: 'failed',
          reason: 'Deleted',
          message: `${ref.name} was deleted during the rollout`,
          desired: 0,
          updated: 0,
          ready: 0,
          available: 0,
        });
      const d = e.type === 'RESYNC' ? e.objects[0] : e.type !== 'ERROR' ? e.object : undefined;
      if (e.type === 'RESYNC' && started)
        opts.log(`watch expired (410 Gone); re-listed ${ref.kind.toLowerCase()}s and continuing`);
      if (d) deployment = d;
      if (started) evaluate();
    };
    const onOther = (e: InformerEvent) => {
      onError(e);
      if (started) evaluate();
    };
    const onPod = (e: InformerEvent) => {
      onError(e);
      const pods = e.type === 'RESYNC' ? e.objects : e.type !== 'ERROR' ? [e.object] : [];
      for (const p of pods) {
        const line = e.type === 'DELETED' ? `pod ${p.metadata.name}: deleted` : podLine(p);
        if (lastPod.get(p.metadata.name) !== line) {
          lastPod.set(p.metadata.name, line);
          if (started) opts.log(line);
        }
      }
      if (started) evaluate();
    };
    const logEvent = (ev: KubeObject) =>
      opts.log(
        `event ${ev.type === 'Warning' ? 'Warning ' : ''}${ev.reason} ${ev.involvedObject.kind.toLowerCase()}/${ev.involvedObject.name}: ${ev.message}${ev.count > 1 ? ` (x${ev.count})` : ''}`,
      );
    const onEvent = (e: InformerEvent) => {
      onError(e);
      if (!started || (e.type !== 'ADDED' && e.type !== 'MODIFIED')) return; // the initial list is handled at start
      const ev = e.object;
      const names = new Set([ref.name, ...knownRs, ...podInf.items().map((p) => p.metadata.name)]);
      if (names.has(ev.involvedObject?.name)) logEvent(ev);
    };
    /** Events that happened before our watches were up, about the pods of the new ReplicaSet only. */
    const earlyEvents = () => {
      const rs = rsInf
        .items()
        .filter((r) => ownedBy(r, deployment))
        .sort((a, b) => revisionOf(b) - revisionOf(a))[0];
      if (!rs) return;
      const names = new Set([
        rs.metadata.name,
        ...podInf
          .items()
          .filter((p) => ownedBy(p, rs))
          .map((p) => p.metadata.name),
      ]);
      for (const ev of evInf.items()) if (names.has(ev.involvedObject?.name)) logEvent(ev);
    };

    let started = false;
    Promise.all(informers.map((i) => i.start())).then(
      () => {
        started = true;
        knownRs = new Set(
          rsInf
            .items()
            .filter((r) => ownedBy(r, deployment) && !(r.spec?.replicas > 0))
            .map((r) => r.metadata.name),
        );
        for (const p of podInf.items()) opts.log(lastPod.get(p.metadata.name) ?? podLine(p));
        earlyEvents();
        evaluate();
      },
      (err) => finish({ phase: 'error', message: messageOf(err) }),
    );
  });
}
