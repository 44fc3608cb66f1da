// Offset <-> line/column for the CLI and tests (VS Code has TextDocument.positionAt for the editor).

export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // A line ends at \n, \r\n, or a lone \r (VS Code counts all three).
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.starts.push(i + 1);
    }
  }

  /** Zero-based line and character. */
  position(offset: number): { line: number; character: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  offset(line: number, character: number): number {
    if (line >= this.starts.length) return this.text.length;
    return Math.min(this.starts[Math.max(0, line)] + character, this.text.length);
  }

  lineStart(offset: number): number {
    return this.starts[this.position(offset).line];
  }

  /** Offset of the end of the line holding `offset`, before its line break. */
  lineEnd(offset: number): number {
    const line = this.position(offset).line;
    let end = line + 1 < this.starts.length ? this.starts[line + 1] : this.text.length;
    if (end > this.starts[line] && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > this.starts[line] && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** The file's line break, for inserted lines. */
  get eol(): string {
    return this.text.includes('\r\n') ? '\r\n' : '\n';
  }
}
