// Reads a BuildKit client's progress (stderr) into the lines the build log shows, in the docker CLI's
// plain format ("#5 [2/3] RUN make", "#5 0.27 output", "#5 DONE 0.3s"), and remembers which step failed
// and the final error. Two inputs: `--progress=plain` text (classic docker CLI with DOCKER_BUILDKIT=1, or
// buildx without rawjson) and buildx's `--progress=rawjson` (one BuildKit SolveStatus as JSON per line).

interface RawVertex {
  digest?: string;
  name?: string;
  started?: string;
  completed?: string;
  cached?: boolean;
  error?: string;
}

interface RawStatus {
  vertexes?: RawVertex[];
  logs?: { vertex?: string; data?: string }[];
  warnings?: { vertex?: string; short?: string }[];
}

export class BuildKitProgress {
  /** The step that failed, as the legacy builder names steps ("Step 2/3 : RUN make"), for Show Failing Step. */
  failedStep?: string;
  /** The client's closing error line ("executor failed running ...: exit code: 1"). */
  error?: string;
  private readonly names = new Map<string, string>();
  private readonly numbers = new Map<string, number>();
  private readonly shown = new Map<string, 'started' | 'done'>();
  private readonly partial = new Map<string, string>();

  constructor(private readonly emit: (line: string) => void) {}

  /** One line of the client's stderr. */
  line(raw: string): void {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('{')) {
      try {
        this.status(JSON.parse(line) as RawStatus);
        return;
      } catch {
        /* not JSON after all: plain text */
      }
    }
    this.plain(line);
  }

  private plain(line: string): void {
    if (!line.trim() || /^#\d+ sha256:[0-9a-f]+$/.test(line)) return;
    const head = /^#(\d+) (\[.*)$/.exec(line);
    if (head && !this.names.has(head[1])) this.names.set(head[1], head[2]);
    const err = /^#(\d+) ERROR: (.*)$/.exec(line);
    if (err) this.fail(this.names.get(err[1]), err[2]);
    else if (
      !line.startsWith('#') &&
      line !== '------' &&
      !line.startsWith(' > ') &&
      !/^\s*\d+ \|/.test(line) &&
      !/^-{8,}$/.test(line)
    ) {
      // After the step output, the client closes with the error itself (buildx: "ERROR: failed to solve: ...").
      this.error = line.replace(/^ERROR:\s*/, '').trim();
    }
    this.emit(line);
  }

  private status(s: RawStatus): void {
    for (const v of s.vertexes ?? []) {
      if (!v.digest) continue;
      if (v.name) this.names.set(v.digest, v.name);
      const n = this.number(v.digest);
      const name = this.names.get(v.digest) ?? v.digest;
      if ((v.started || v.cached) && !this.shown.has(v.digest)) {
        this.shown.set(v.digest, 'started');
        this.emit(`#${n} ${name}`);
      }
      if (v.error) {
        this.flush(v.digest);
        this.emit(`#${n} ERROR: ${v.error}`);
        this.fail(name, v.error);
        this.shown.set(v.digest, 'done');
      } else if ((v.completed || v.cached) && this.shown.get(v.digest) !== 'done') {
        this.flush(v.digest);
        this.shown.set(v.digest, 'done');
        this.emit(`#${n} ${v.cached ? 'CACHED' : 'DONE'}`);
      }
    }
    for (const l of s.logs ?? []) {
      if (!l.vertex || !l.data) continue;
      const text = (this.partial.get(l.vertex) ?? '') + Buffer.from(l.data, 'base64').toString('utf8');
      const parts = text.split('\n');
      this.partial.set(l.vertex, parts.pop() ?? '');
      for (const p of parts) this.emit(`#${this.number(l.vertex)} ${p.replace(/\r$/, '')}`);
    }
    for (const w of s.warnings ?? [])
      if (w.short) this.emit(`WARNING: ${Buffer.from(w.short, 'base64').toString('utf8')}`);
  }

  private flush(digest: string): void {
    const rest = this.partial.get(digest);
    if (rest) this.emit(`#${this.number(digest)} ${rest}`);
    this.partial.delete(digest);
  }

  private number(digest: string): number {
    let n = this.numbers.get(digest);
    if (n === undefined) this.numbers.set(digest, (n = this.numbers.size + 1));
    return n;
  }

  private fail(name: string | undefined, error: string): void {
    this.error ??= error;
    if (this.failedStep || !name) return;
    // "[stage-0 2/3] RUN make" / "[2/3] RUN make" -> "Step 2/3 : RUN make", the legacy builder's words.
    const m = /^\[(?:[^\]]*\s)?(\d+)\/(\d+)\]\s+(.*)$/s.exec(name);
    this.failedStep = m ? `Step ${m[1]}/${m[2]} : ${m[3]}` : name;
  }
}
