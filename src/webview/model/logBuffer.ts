// A bounded ring buffer of log lines. The panel keeps at most `capacity` lines (oldest dropped first), so a
// chatty apply or container can stream for hours without the webview growing without bound.

import type { LogLine } from '../protocol';
import { stripAnsi } from './ansi';

export const DEFAULT_LOG_CAPACITY = 200_000;

export class LogBuffer {
  private items: (LogLine | undefined)[];
  private head = 0;
  private size = 0;
  /** Lines dropped off the front since the last reset (shown as "N earlier lines dropped"). */
  dropped = 0;
  /** Bumped whenever content changes, so caches (search results) know they are stale. */
  version = 0;

  constructor(readonly capacity = DEFAULT_LOG_CAPACITY) {
    this.items = new Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(lines: readonly LogLine[]): void {
    for (const l of lines) {
      if (this.size < this.capacity) {
        this.items[(this.head + this.size) % this.capacity] = l;
        this.size++;
      } else {
        this.items[this.head] = l;
        this.head = (this.head + 1) % this.capacity;
        this.dropped++;
      }
    }
    if (lines.length) this.version++;
  }

  /**
   * Older lines before the oldest kept one ("load older"), as many as there is room for: the newest lines are
   * never pushed out for old ones. Returns how many were added (the last ones of `lines`).
   */
  prepend(lines: readonly LogLine[]): number {
    const n = Math.min(lines.length, this.capacity - this.size);
    for (let i = lines.length - 1; i >= lines.length - n; i--) {
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.items[this.head] = lines[i];
      this.size++;
    }
    if (n) this.version++;
    return n;
  }

  /** i-th line from the oldest kept one. */
  at(i: number): LogLine | undefined {
    if (i < 0 || i >= this.size) return undefined;
    return this.items[(this.head + i) % this.capacity];
  }

  clear(): void {
    this.items = new Array(this.capacity);
    this.head = this.size = this.dropped = 0;
    this.version++;
  }

  /** Indices of lines whose text (colours stripped) contains `query`, case-insensitive. */
  search(query: string, limit = 100_000): number[] {
    const q = query.toLowerCase();
    const hits: number[] = [];
    if (!q) return hits;
    for (let i = 0; i < this.size && hits.length < limit; i++) {
      if (stripAnsi(this.at(i)!.text).toLowerCase().includes(q)) hits.push(i);
    }
    return hits;
  }

  /** Plain text of every kept line with ISO timestamps, for copy and save. */
  toText(timestamps = true): string {
    const out: string[] = new Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const l = this.at(i)!;
      out[i] = timestamps ? `${new Date(l.t).toISOString()} ${stripAnsi(l.text)}` : stripAnsi(l.text);
    }
    return out.join('\n');
  }
}
