// The Logs tab: run output (and container logs for local environments) in a bounded buffer, rendered through
// the virtual list, ANSI colours as styled spans. Follow mode sticks to the end and pauses as soon as the user
// scrolls up; it resumes when they scroll back to the end or press "Follow".

import { parseAnsi } from '../model/ansi';
import { DEFAULT_LOG_CAPACITY, LogBuffer } from '../model/logBuffer';
import type { LogLine, LogSource, WebviewMessage } from '../protocol';
import { clear, clockTime, debounce, frameScheduler, h, setAttr } from './dom';
import { VirtualList } from './virtualList';

export const LOG_ROW_HEIGHT = 18;

/** Array-like view over the ring buffer so the virtual list can index it without copying 100k lines. */
function view(buf: LogBuffer): readonly LogLine[] {
  return new Proxy([] as LogLine[], {
    get: (_t, p) =>
      p === 'length' ? buf.length : typeof p === 'string' && /^\d+$/.test(p) ? buf.at(Number(p)) : undefined,
  });
}

export class LogTab {
  readonly el: HTMLElement;
  buffers: Record<LogSource, LogBuffer> = { run: new LogBuffer(), container: new LogBuffer() };
  private source: LogSource = 'run';
  private follow = true;
  private lastTop = 0;
  private hits: number[] = [];
  private hitSet = new Set<number>();
  private hitIdx = -1;
  private query = '';
  private readonly list: VirtualList<LogLine>;
  private readonly followBtn = h(
    'vscode-button',
    { id: 'log-follow', secondary: true, 'aria-pressed': 'true' },
    'Following',
  );
  private readonly status = h('span', { class: 'log-status', id: 'log-status', role: 'status' });
  private readonly searchStatus = h('span', {
    class: 'log-search-status',
    id: 'log-search-status',
    'aria-live': 'polite',
  });
  private readonly sourceSel = h('div', {
    class: 'log-sources',
    role: 'radiogroup',
    'aria-label': 'Log source',
    hidden: true,
  });
  private readonly schedule = frameScheduler(() => this.flush());
  /** The run whose output is shown, and the index in its whole log of the run buffer's line 0 (before drops). */
  runId: string | undefined;
  private runBase = 0;
  private readonly olderBtn = h(
    'vscode-button',
    { id: 'log-older', secondary: true, hidden: true, title: 'Load the 5,000 lines before these' },
    'Load older',
  );

  /** The line each recycled row element shows now. */
  private readonly rendered = new WeakMap<HTMLElement, LogLine>();

  constructor(private readonly post: (m: WebviewMessage) => void) {
    this.list = new VirtualList<LogLine>({
      rowHeight: LOG_ROW_HEIGHT,
      className: 'vlist log-list',
      rowClassName: 'lrow',
      overscan: 12,
      render: (el, line, i) => this.renderLine(el, line, i),
    });
    const sc = this.list.scroller;
    sc.tabIndex = 0;
    sc.setAttribute('role', 'log');
    sc.setAttribute('aria-live', 'off'); // 1,000 lines/s read aloud helps nobody; the status line summarises.
    sc.setAttribute('aria-label', 'Log output');
    sc.addEventListener('scroll', () => this.onScroll(), { passive: true });

    const search = h('vscode-textfield', {
      id: 'log-search',
      placeholder: 'Search logs',
      label: 'Search logs',
      type: 'search',
    }) as HTMLElement & { value: string };
    search.addEventListener(
      'input',
      debounce(() => this.setQuery(search.value ?? ''), 150),
    );
    search.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') this.jump((e as KeyboardEvent).shiftKey ? -1 : 1);
    });
    const prev = h(
      'vscode-button',
      { id: 'log-prev', secondary: true, title: 'Previous match (Shift+Enter)', 'aria-label': 'Previous match' },
      '↑',
    );
    const next = h(
      'vscode-button',
      { id: 'log-next', secondary: true, title: 'Next match (Enter)', 'aria-label': 'Next match' },
      '↓',
    );
    prev.addEventListener('click', () => this.jump(-1));
    next.addEventListener('click', () => this.jump(1));
    const copy = h('vscode-button', { id: 'log-copy', secondary: true }, 'Copy');
    copy.addEventListener('click', () => {
      const text = this.buffers[this.source].toText();
      if (text) this.post({ type: 'copy', text });
    });
    const save = h('vscode-button', { id: 'log-save', secondary: true }, 'Save…');
    save.addEventListener('click', () => this.post({ type: 'saveLogs', source: this.source }));
    this.followBtn.addEventListener('click', () => this.setFollow(!this.follow));
    this.olderBtn.addEventListener('click', () => {
      const before = this.runFirst();
      if (!this.runId || before <= 0) return;
      this.olderBtn.setAttribute('disabled', '');
      this.post({ type: 'logOlder', runId: this.runId, before });
    });
    for (const s of ['run', 'container'] as const) {
      const b = h(
        'button',
        { class: 'seg', role: 'radio', 'data-source': s, 'aria-checked': String(s === this.source) },
        s === 'run' ? 'Run output' : 'Container',
      );
      b.addEventListener('click', () => this.setSource(s));
      this.sourceSel.append(b);
    }
    this.el = h(
      'section',
      { class: 'tab-panel log-tab', id: 'panel-logs', role: 'tabpanel', 'aria-labelledby': 'tab-logs', hidden: true },
      h(
        'div',
        { class: 'log-toolbar' },
        this.sourceSel,
        search,
        prev,
        next,
        this.searchStatus,
        h('span', { class: 'spacer' }),
        this.olderBtn,
        this.followBtn,
        copy,
        save,
      ),
      sc,
      h('div', { class: 'log-footer' }, this.status),
    );
  }

  /** `label`: what the second source is called ("Container" for local Docker, "Pods" for Kubernetes). */
  setContainerAvailable(on: boolean, label = 'Container'): void {
    this.sourceSel.hidden = !on;
    const b = this.sourceSel.querySelector('[data-source="container"]');
    if (b) b.textContent = label;
  }

  /** Bounded by the user's setting; a change takes effect with the next snapshot (which refills the buffers). */
  setCapacity(n: number | undefined): void {
    const cap = Math.max(1000, Math.min(n ?? DEFAULT_LOG_CAPACITY, 2_000_000));
    if (cap !== this.buffers.run.capacity) this.buffers = { run: new LogBuffer(cap), container: new LogBuffer(cap) };
  }

  /** Replace a stream's content (snapshot); `from`: index of the first line in the run's whole log. */
  reset(source: LogSource, lines: readonly LogLine[], from = 0): void {
    this.buffers[source].clear();
    if (source === 'run') this.runBase = from;
    this.append(source, lines);
  }

  /** Index in the run's whole log of the oldest run line held. */
  private runFirst(): number {
    return this.runBase + this.buffers.run.dropped;
  }

  /** Older lines of the run arrived ("Load older"): above the ones shown, the view staying where it was. */
  prependOlder(from: number, lines: readonly LogLine[]): void {
    this.olderBtn.removeAttribute('disabled');
    if (from + lines.length !== this.runFirst()) return; // not the lines before ours (the log was reset meanwhile)
    const n = this.buffers.run.prepend(lines);
    this.runBase -= n;
    if (this.source !== 'run' || !n) return this.updateStatus();
    if (this.follow) this.setFollow(false);
    const top = this.list.scroller.scrollTop;
    this.list.refresh(this.buffers.run.length, view(this.buffers.run));
    this.list.scroller.scrollTop = top + n * LOG_ROW_HEIGHT;
    this.lastTop = this.list.scroller.scrollTop;
    if (this.query) this.recomputeHits();
    this.list.invalidate();
    this.updateStatus();
  }

  append(source: LogSource, lines: readonly LogLine[]): void {
    this.buffers[source].push(lines);
    if (source === this.source) this.schedule();
  }

  /** Render once per frame however many batches arrived. */
  private flush(): void {
    const buf = this.buffers[this.source];
    if (this.query) this.recomputeHits();
    this.list.refresh(buf.length, view(buf));
    if (this.follow) {
      this.list.scrollToEnd();
      this.lastTop = this.list.scroller.scrollTop;
    }
    this.updateStatus();
  }

  private renderLine(el: HTMLElement, line: LogLine, i: number): void {
    const cls = `lrow${line.err ? ' err' : ''}${this.hitSet.has(i) ? ' match' : ''}${this.hits[this.hitIdx] === i ? ' match-current' : ''}`;
    // The same line in the same row: keep its nodes, or new lines arriving would take away the user's selection.
    if (this.rendered.get(el) === line && el.className === cls) return;
    this.rendered.set(el, line);
    clear(el);
    el.className = cls;
    el.append(h('span', { class: 'ts' }, line.t ? clockTime(line.t) : '')); // older lines from disk have no time
    const text = h('span', { class: 'text' });
    for (const seg of parseAnsi(line.text)) {
      if (
        seg.fg === undefined &&
        seg.bg === undefined &&
        !seg.bold &&
        !seg.italic &&
        !seg.underline &&
        !seg.dim &&
        !seg.inverse
      ) {
        text.append(seg.text);
        continue;
      }
      const span = document.createElement('span');
      span.textContent = seg.text;
      const cls: string[] = [];
      if (typeof seg.fg === 'number') cls.push(`fg${seg.fg}`);
      else if (seg.fg) span.style.color = seg.fg; // CSSOM, allowed by the CSP (no inline style attribute parsed)
      if (typeof seg.bg === 'number') cls.push(`bg${seg.bg}`);
      else if (seg.bg) span.style.backgroundColor = seg.bg;
      if (seg.bold) cls.push('b');
      if (seg.dim) cls.push('dim');
      if (seg.italic) cls.push('i');
      if (seg.underline) cls.push('u');
      if (seg.inverse) cls.push('inv');
      span.className = cls.join(' ');
      text.append(span);
    }
    el.append(text);
  }

  private onScroll(): void {
    const top = this.list.scroller.scrollTop;
    if (this.follow && top < this.lastTop - 2)
      this.setFollow(false); // the user scrolled up: pause
    else if (!this.follow && this.list.isAtEnd()) this.setFollow(true); // back at the end: resume
    this.lastTop = top;
  }

  /** The tab became visible: a hidden scroller cannot scroll, so catch up with the end now. */
  shown(): void {
    if (this.follow) {
      this.list.scrollToEnd();
      this.lastTop = this.list.scroller.scrollTop;
    } else this.list.renderNow();
  }

  setFollow(on: boolean): void {
    this.follow = on;
    this.followBtn.textContent = on ? 'Following' : 'Paused — follow';
    setAttr(this.followBtn, 'aria-pressed', String(on));
    if (on) this.list.scrollToEnd();
    this.lastTop = this.list.scroller.scrollTop;
    this.updateStatus();
  }

  get following(): boolean {
    return this.follow;
  }

  private setSource(s: LogSource): void {
    this.source = s;
    for (const b of this.sourceSel.querySelectorAll<HTMLElement>('[data-source]'))
      b.setAttribute('aria-checked', String(b.dataset.source === s));
    if (s === 'container') this.post({ type: 'followContainer', on: true });
    this.hitIdx = -1;
    this.schedule();
  }

  private setQuery(q: string): void {
    this.query = q;
    this.hitIdx = -1;
    this.recomputeHits();
    if (this.hits.length) this.jump(1);
    else this.list.invalidate();
    this.updateStatus();
  }

  private recomputeHits(): void {
    this.hits = this.query ? this.buffers[this.source].search(this.query) : [];
    this.hitSet = new Set(this.hits);
  }

  private jump(dir: 1 | -1): void {
    if (!this.hits.length) return;
    this.hitIdx = (this.hitIdx + dir + this.hits.length) % this.hits.length;
    if (this.follow) this.setFollow(false); // looking at a match: do not yank the view away
    this.list.scrollToIndex(this.hits[this.hitIdx]!);
    this.list.invalidate();
    this.updateStatus();
  }

  private updateStatus(): void {
    const buf = this.buffers[this.source];
    const older = this.source === 'run' ? this.runFirst() : buf.dropped;
    this.olderBtn.hidden = !(this.source === 'run' && this.runId && older > 0 && buf.length < buf.capacity);
    this.status.textContent = `${buf.length.toLocaleString()} lines${older ? ` (${older.toLocaleString()} earlier lines ${this.olderBtn.hidden ? 'not shown' : 'on disk'})` : ''} · ${this.follow ? 'following' : 'paused'}`;
    this.searchStatus.textContent = this.query
      ? this.hits.length
        ? `${this.hitIdx + 1} of ${this.hits.length}`
        : 'No matches'
      : '';
  }
}
