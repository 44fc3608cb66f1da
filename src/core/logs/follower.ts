import { Emitter, type Disposable, type Event } from '../engine/emitter';
import type { ContainerEngine, LogLine } from '../local/engine';

// Follows a container's logs by name, across restarts and re-creations: when the stream ends it waits
// for the engine's `start` event for that name (no polling) and re-attaches from the last line seen.

export type FollowState = 'following' | 'waiting' | 'stopped';

export interface FollowOptions {
  /** Epoch seconds: only lines after this (first attach). */
  since?: number;
  /** Last N lines (first attach; default 200). */
  tail?: number;
}

export class LogFollower implements Disposable {
  private readonly lines = new Emitter<LogLine>();
  private readonly states = new Emitter<FollowState>();
  readonly onLine: Event<LogLine> = this.lines.event;
  readonly onDidChangeState: Event<FollowState> = this.states.event;
  private ac = new AbortController();
  private lastAt = 0;
  private lastText = '';
  private disposed = false;
  state: FollowState = 'waiting';

  constructor(
    private readonly engine: ContainerEngine,
    readonly container: string,
    private readonly opts: FollowOptions = {},
  ) {}

  /** Starts following; returns once the follower is stopped (dispose). */
  start(): Promise<void> {
    return this.loop();
  }

  private setState(s: FollowState) {
    if (s === this.state) return;
    this.state = s;
    this.states.fire(s);
  }

  private async loop(): Promise<void> {
    let first = true;
    while (!this.disposed) {
      const c = await this.engine.inspect(this.container).catch(() => undefined);
      if (c) {
        this.setState('following');
        const since = first ? this.opts.since : this.lastAt ? this.lastAt / 1000 : undefined;
        try {
          await this.engine.logs(
            c.id,
            {
              follow: true,
              since,
              tail: first && since === undefined ? (this.opts.tail ?? 200) : undefined,
              signal: this.ac.signal,
            },
            (l) => this.emit(l),
          );
        } catch {
          /* engine went away: fall through to waiting */
        }
        first = false;
        if (this.disposed) break;
        // A stopped container ends the stream; a still-running one means the stream broke: re-attach.
        const again = await this.engine.inspect(this.container).catch(() => undefined);
        if (again && again.state === 'running' && again.id === c.id) continue;
      }
      this.setState('waiting');
      await this.waitForStart();
    }
    this.setState('stopped');
  }

  private emit(l: LogLine) {
    // `since` has second resolution on some engines: drop what we already delivered.
    if (l.at < this.lastAt || (l.at === this.lastAt && l.text === this.lastText)) return;
    this.lastAt = l.at;
    this.lastText = l.text;
    this.lines.fire(l);
  }

  /** Resolves on the next `start` of our container (or when disposed); re-subscribes if the daemon restarts. */
  private waitForStart(): Promise<void> {
    return new Promise((resolve) => {
      let sub: Disposable | undefined;
      let retry: NodeJS.Timeout | undefined;
      const done = () => {
        sub?.dispose();
        if (retry) clearTimeout(retry);
        this.ac.signal.removeEventListener('abort', done);
        resolve();
      };
      this.ac.signal.addEventListener('abort', done, { once: true });
      const subscribe = (delay: number) => {
        sub = this.engine.events(
          (e) => {
            if (e.action === 'start' && e.name === this.container) done();
          },
          () => {
            sub = undefined;
            retry = setTimeout(() => subscribe(Math.min(delay * 2, 10_000)), delay);
          },
        );
        // It may have started between the stream's end and our subscription.
        void this.engine.inspect(this.container).then(
          (c) => c?.state === 'running' && done(),
          () => undefined,
        );
      };
      subscribe(500);
    });
  }

  dispose(): void {
    this.disposed = true;
    this.ac.abort();
    this.lines.dispose();
    this.states.dispose();
  }
}
