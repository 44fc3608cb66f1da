// A fixed-row-height virtual list: only the rows in (and just around) the viewport exist in the DOM, so a
// 5,000-resource plan or 100,000 log lines cost the same to render as 30. Rows are recycled by position and
// re-rendered only when the item they show changed.

export interface VirtualListOptions<T> {
  rowHeight: number;
  /** Fill `el` for `item`. `el` may have shown another item before: set everything. */
  render(el: HTMLElement, item: T, index: number): void;
  className: string;
  rowClassName: string;
  overscan?: number;
}

type RowEl = HTMLElement & { __item?: unknown; __index?: number };

export class VirtualList<T> {
  readonly scroller: HTMLElement;
  private readonly sizer: HTMLElement;
  private readonly pool: RowEl[] = [];
  private items: readonly T[] = [];
  private pending = false;
  private readonly overscan: number;
  /** Height of the viewport, cached (reading clientHeight every frame forces layout). */
  private viewport = 0;
  /** Bump to force every visible row to re-render even when the item object is the same. */
  private generation = 0;

  constructor(private readonly opts: VirtualListOptions<T>) {
    this.overscan = opts.overscan ?? 8;
    this.scroller = document.createElement('div');
    this.scroller.className = opts.className;
    this.sizer = document.createElement('div');
    this.sizer.className = 'vlist-sizer';
    this.scroller.append(this.sizer);
    this.scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => {
      this.viewport = this.scroller.clientHeight;
      this.schedule();
    }).observe(this.scroller);
  }

  get length(): number {
    return this.items.length;
  }

  item(i: number): T | undefined {
    return this.items[i];
  }

  setItems(items: readonly T[]): void {
    this.items = items;
    this.sizer.style.height = `${items.length * this.opts.rowHeight}px`;
    this.generation++;
    this.renderNow();
  }

  /** Items were appended/dropped in place (log buffer): resize and re-render. */
  refresh(length: number, itemsView: readonly T[]): void {
    this.items = itemsView;
    this.sizer.style.height = `${length * this.opts.rowHeight}px`;
    this.generation++;
    this.renderNow();
  }

  /** Re-render visible rows (e.g. the active row or search highlight changed). */
  invalidate(): void {
    this.generation++;
    this.schedule();
  }

  scrollToIndex(i: number, align: 'nearest' | 'end' = 'nearest'): void {
    const rh = this.opts.rowHeight;
    const vh = this.viewport || this.scroller.clientHeight;
    const top = i * rh;
    if (align === 'end') this.scroller.scrollTop = Math.max(0, this.items.length * rh - vh);
    else if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + rh > this.scroller.scrollTop + vh) this.scroller.scrollTop = top + rh - vh;
    this.renderNow();
  }

  scrollToEnd(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.renderNow();
  }

  isAtEnd(slack = 4): boolean {
    const vh = this.viewport || this.scroller.clientHeight;
    return this.scroller.scrollTop + vh >= this.items.length * this.opts.rowHeight - slack;
  }

  rowElement(i: number): HTMLElement | undefined {
    return this.pool.find((r) => r.__index === i && r.isConnected && !r.hidden);
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.renderNow();
    });
  }

  renderNow(): void {
    const rh = this.opts.rowHeight;
    const vh = this.viewport || this.scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / rh) - this.overscan);
    const last = Math.min(this.items.length, Math.ceil((this.scroller.scrollTop + vh) / rh) + this.overscan);
    const n = Math.max(0, last - first);
    while (this.pool.length < n) {
      const el = document.createElement('div') as RowEl;
      el.className = this.opts.rowClassName;
      el.style.height = `${rh}px`;
      this.sizer.append(el);
      this.pool.push(el);
    }
    for (let k = 0; k < this.pool.length; k++) {
      const el = this.pool[k]!;
      if (k >= n) {
        el.hidden = true;
        el.__index = -1;
        continue;
      }
      const i = first + k;
      const item = this.items[i]!;
      el.hidden = false;
      const stamp = `${this.generation}`;
      if (el.__item === item && el.__index === i && el.dataset.gen === stamp) continue;
      el.__item = item;
      el.__index = i;
      el.dataset.gen = stamp;
      el.style.transform = `translateY(${i * rh}px)`;
      this.opts.render(el, item, i);
    }
  }
}
