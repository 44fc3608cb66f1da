// A tiny ANSI SGR parser for log lines: colours and bold/italic/underline become styled segments, every other
// escape sequence is dropped. Written here instead of a dependency because we need segments (to build DOM
// nodes with textContent - never innerHTML of log text) rather than an HTML string.

export interface Segment {
  text: string;
  /** 0-15: themed terminal colour (--vscode-terminal-ansi*), or a CSS colour string for 256/truecolour. */
  fg?: number | string;
  bg?: number | string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

type Style = Omit<Segment, 'text'>;

// CSI ... final byte, OSC ... BEL/ST, and lone ESC + one char.
// eslint-disable-next-line no-control-regex
const ESC_RE = /\x1b\[([0-9;?]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function hasAnsi(s: string): boolean {
  return s.includes('\x1b');
}

export function stripAnsi(s: string): string {
  return hasAnsi(s) ? s.replace(ESC_RE, '') : s;
}

export function parseAnsi(line: string): Segment[] {
  if (!hasAnsi(line)) return [{ text: line }];
  const out: Segment[] = [];
  let style: Style = {};
  let last = 0;
  ESC_RE.lastIndex = 0;
  for (let m = ESC_RE.exec(line); m; m = ESC_RE.exec(line)) {
    if (m.index > last) out.push({ ...style, text: line.slice(last, m.index) });
    last = ESC_RE.lastIndex;
    if (m[2] === 'm') style = applySgr(style, m[1] ?? '');
  }
  if (last < line.length) out.push({ ...style, text: line.slice(last) });
  return out.filter((s) => s.text.length > 0);
}

function applySgr(prev: Style, params: string): Style {
  const s: Style = { ...prev };
  const codes = params === '' ? [0] : params.split(';').map((p) => (p === '' ? 0 : Number(p)));
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c === 0) for (const k of Object.keys(s)) delete s[k as keyof Style];
    else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 7) s.inverse = true;
    else if (c === 22) {
      delete s.bold;
      delete s.dim;
    } else if (c === 23) delete s.italic;
    else if (c === 24) delete s.underline;
    else if (c === 27) delete s.inverse;
    else if (c >= 30 && c <= 37) s.fg = c - 30;
    else if (c >= 90 && c <= 97) s.fg = c - 90 + 8;
    else if (c === 39) delete s.fg;
    else if (c >= 40 && c <= 47) s.bg = c - 40;
    else if (c >= 100 && c <= 107) s.bg = c - 100 + 8;
    else if (c === 49) delete s.bg;
    else if (c === 38 || c === 48) {
      const key = c === 38 ? 'fg' : 'bg';
      if (codes[i + 1] === 5 && codes[i + 2] !== undefined) {
        s[key] = xterm256(codes[i + 2]!);
        i += 2;
      } else if (codes[i + 1] === 2 && codes[i + 4] !== undefined) {
        s[key] = `rgb(${clamp(codes[i + 2]!)}, ${clamp(codes[i + 3]!)}, ${clamp(codes[i + 4]!)})`;
        i += 4;
      }
    }
  }
  return s;
}

const clamp = (n: number) => Math.max(0, Math.min(255, n | 0));

/** 0-15 stay themed; 16-231 colour cube; 232-255 greys. */
function xterm256(n: number): number | string {
  if (n < 16) return n;
  if (n < 232) {
    const v = n - 16;
    const lv = (x: number) => (x === 0 ? 0 : 55 + x * 40);
    return `rgb(${lv(Math.floor(v / 36))}, ${lv(Math.floor(v / 6) % 6)}, ${lv(v % 6)})`;
  }
  const g = 8 + (Math.min(n, 255) - 232) * 10;
  return `rgb(${g}, ${g}, ${g})`;
}
