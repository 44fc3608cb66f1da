import { Emitter, type Disposable, type Event } from '../engine/emitter';
import type { ContainerEngine, ContainerInfo } from './engine';
import { LocalError } from './errors';

// What runs now, kept current by the engine's event stream: one list call after a burst of events
// (debounced), none while idle. Active only while someone looks (a visible view); when the daemon goes
// away the state says so and we reconnect with backoff until it is back.

export type EngineState = 'idle' | 'connecting' | 'up' | 'down';

export interface WatchOptions {
  debounceMs?: number;
  /** First reconnect delay; doubles up to 30 s. */
  reconnectMs?: number;
}

export class EngineWatch implements Disposable {
  private readonly changed = new Emitter<void>();
  readonly onDidChange: Event<void> = this.changed.event;
  state: EngineState = 'idle';
  error?: LocalError;
  containers: readonly ContainerInfo[] = [];
  /** Engine API calls made (list/ping), for the idle benchmark and tests. */
  apiCalls = 0;
  private sub?: Disposable;
  private debounce?: NodeJS.Timeout;
  private reconnect?: NodeJS.Timeout;
  private delay: number;
  private active = false;
  private listing?: Promise<void>;
  private relist = false;

  constructor(
    readonly engine: ContainerEngine,
    private readonly opts: WatchOptions = {},
  ) {
    this.delay = opts.reconnectMs ?? 1000;
  }

  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    if (active) this.connect();
    else this.disconnect();
  }

  /** Lists now (e.g. the Refresh button, or after our own run). */
  refresh(): Promise<void> {
    if (this.state === 'down' || this.state === 'idle') {
      this.connect();
      return this.listing ?? Promise.resolve();
    }
    return this.list();
  }

  private connect(): void {
    this.clearTimers();
    this.sub?.dispose();
    this.state = 'connecting';
    this.sub = this.engine.events(
      () => this.schedule(),
      (err) => this.lost(err),
    );
    void this.list();
  }

  private disconnect(): void {
    this.clearTimers();
    this.sub?.dispose();
    this.sub = undefined;
    this.state = 'idle';
  }

  private lost(err?: Error): void {
    this.sub = undefined;
    if (!this.active) return;
    this.setDown(err);
    this.reconnect = setTimeout(() => {
      this.delay = Math.min(this.delay * 2, 30_000);
      this.connect();
    }, this.delay);
  }

  private setDown(err?: unknown): void {
    this.state = 'down';
    this.error =
      err instanceof LocalError
        ? err
        : new LocalError(
            'daemon-stopped',
            `Lost the connection to ${this.engine.endpoint}${err instanceof Error ? `: ${err.message}` : ''}.`,
          );
    this.containers = [];
    this.changed.fire();
  }

  private schedule(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.list();
    }, this.opts.debounceMs ?? 150);
  }

  private list(): Promise<void> {
    if (this.listing) {
      this.relist = true;
      return this.listing;
    }
    this.listing = (async () => {
      do {
        this.relist = false;
        this.apiCalls++;
        try {
          this.containers = await this.engine.list([]);
          if (this.state !== 'up') this.delay = this.opts.reconnectMs ?? 1000;
          this.state = 'up';
          this.error = undefined;
        } catch (err) {
          // The event stream reports the loss too; make it visible now and let `lost` reconnect.
          if (this.sub) {
            this.sub.dispose();
            this.lost(err instanceof Error ? err : undefined);
            this.error = err instanceof LocalError ? err : this.error;
          } else this.setDown(err);
          return;
        }
        this.changed.fire();
      } while (this.relist);
    })().finally(() => (this.listing = undefined));
    return this.listing;
  }

  private clearTimers(): void {
    if (this.debounce) clearTimeout(this.debounce);
    if (this.reconnect) clearTimeout(this.reconnect);
    this.debounce = this.reconnect = undefined;
  }

  dispose(): void {
    this.active = false;
    this.disconnect();
    this.changed.dispose();
  }
}
