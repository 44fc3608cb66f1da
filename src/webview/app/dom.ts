// Minimal DOM helpers. Text always goes in through textContent or text nodes (never as markup), so plan values and log
// lines can hold any characters without becoming markup.

type Attrs = Record<string, string | number | boolean | undefined | null>;
type Child = Node | string | false | null | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) setAttr(el, k, v);
  for (const c of children) if (c !== false && c != null) el.append(c);
  return el;
}

export function setAttr(el: Element, k: string, v: string | number | boolean | undefined | null): void {
  if (v === undefined || v === null || v === false) el.removeAttribute(k);
  else el.setAttribute(k, v === true ? '' : String(v));
}

export function clear(el: Element): void {
  while (el.firstChild) el.firstChild.remove();
}

/** Coalesces many calls in one frame into one callback (log batches, filter typing). */
export function frameScheduler(fn: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      fn();
    });
  };
}

export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): (...a: A) => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return (...a: A) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...a), ms);
  };
}

export function clockTime(t: number): string {
  const d = new Date(t);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
