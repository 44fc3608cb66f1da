// Container logs as the kubelet keeps them: one buffer per container instance (current and previous),
// and followers that receive new lines until that instance stops (a restart ends a `follow=true` stream,
// exactly as `kubectl logs -f` ends when the container restarts).

interface Instance {
  lines: { time: string; text: string }[];
  ended: boolean;
  followers: Set<Follower>;
}

export interface Follower {
  line(time: string, text: string): void;
  end(): void;
}

export class Logs {
  private readonly containers = new Map<string, Instance[]>();

  private key(ns: string, pod: string, c: string): string {
    return `${ns}/${pod}/${c}`;
  }

  startContainer(ns: string, pod: string, c: string): void {
    const k = this.key(ns, pod, c);
    const list = this.containers.get(k) ?? [];
    list.push({ lines: [], ended: false, followers: new Set() });
    this.containers.set(k, list.slice(-2));
  }

  append(ns: string, pod: string, c: string, text: string): void {
    const cur = this.current(ns, pod, c);
    if (!cur || cur.ended) return;
    const time = new Date().toISOString();
    cur.lines.push({ time, text });
    for (const f of cur.followers) f.line(time, text);
  }

  endContainer(ns: string, pod: string, c: string): void {
    const cur = this.current(ns, pod, c);
    if (!cur) return;
    cur.ended = true;
    for (const f of cur.followers) f.end();
    cur.followers.clear();
  }

  podGone(ns: string, pod: string): void {
    for (const [k, list] of this.containers) {
      if (!k.startsWith(`${ns}/${pod}/`)) continue;
      for (const i of list) {
        for (const f of i.followers) f.end();
        i.followers.clear();
      }
      this.containers.delete(k);
    }
  }

  current(ns: string, pod: string, c: string): Instance | undefined {
    return this.containers.get(this.key(ns, pod, c))?.at(-1);
  }

  previous(ns: string, pod: string, c: string): Instance | undefined {
    const list = this.containers.get(this.key(ns, pod, c));
    return list && list.length > 1 ? list[list.length - 2] : undefined;
  }
}
