// Which Dockerfile constructs only BuildKit understands. The engine's legacy builder (the /build API
// without a BuildKit session) rejects them with errors that do not say so ("unknown flag: mount",
// "unknown instruction: ECHO" for a heredoc body), so a build that needs BuildKit is routed to a BuildKit
// client, or refused before it starts with the feature and its line.

export interface BuildKitFeature {
  /** What it is, in the Dockerfile's own words, e.g. "RUN --mount". */
  feature: string;
  /** 1-based line of the Dockerfile. */
  line: number;
  /** The instruction as written (first physical line), for "Show Failing Step". */
  text: string;
}

// Instruction flags the legacy builder does not know (it knows FROM --platform and COPY/ADD --chown, --from).
const FLAGS: Record<string, RegExp> = {
  RUN: /^--(mount|network|security)\b/i,
  COPY: /^--(link|chmod|parents|exclude)\b/i,
  ADD: /^--(link|chmod|checksum|keep-git-dir|exclude)\b/i,
};

/** Every BuildKit-only construct of a Dockerfile, in file order (empty: the legacy builder can build it). */
export function buildKitFeatures(dockerfile: string): BuildKitFeature[] {
  const lines = dockerfile.split(/\r?\n/);
  const found: BuildKitFeature[] = [];
  let i = 0;
  // Parser directives: only in the leading comment block, before any instruction or blank line.
  for (; i < lines.length; i++) {
    const m = /^\s*#\s*([a-z]+)\s*=\s*(\S*)/i.exec(lines[i]);
    if (!m) break;
    if (m[1].toLowerCase() === 'syntax')
      found.push({ feature: `# syntax=${m[2]} (a frontend image)`, line: i + 1, text: lines[i].trim() });
  }
  let escape = '\\';
  const esc = /^\s*#\s*escape\s*=\s*(\S)/im.exec(lines.slice(0, i).join('\n'));
  if (esc) escape = esc[1];
  while (i < lines.length) {
    const start = i;
    const raw = lines[i];
    if (/^\s*(#|$)/.test(raw)) {
      i++;
      continue;
    }
    // One logical instruction: physical lines joined while they end with the escape character
    // (comment lines inside a continuation are dropped, as the parser does).
    let logical = '';
    for (;;) {
      const l = lines[i++] ?? '';
      if (/^\s*#/.test(l) && logical) continue;
      const cont = l.trimEnd().endsWith(escape);
      logical += cont ? l.trimEnd().slice(0, -1) + ' ' : l;
      if (!cont || i >= lines.length) break;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(logical);
    if (!m) continue;
    const keyword = m[1].toUpperCase();
    const at = { line: start + 1, text: raw.trim() };
    const flagRule = FLAGS[keyword];
    if (flagRule) {
      for (const word of m[2].split(/\s+/)) {
        if (!word.startsWith('--')) break;
        const f = flagRule.exec(word);
        if (f) found.push({ feature: `${keyword} --${f[1].toLowerCase()}`, ...at });
      }
      // A heredoc: `<<EOF` (or <<-EOF, <<"EOF") whose delimiter closes on a later line. The legacy builder
      // would read the body lines as instructions.
      const h = /<<-?(["']?)([A-Za-z_][A-Za-z0-9_]*)\1/.exec(m[2]);
      if (h) {
        const end = lines.findIndex((l, k) => k >= i && l.trim() === h[2]);
        if (end >= 0) {
          found.push({ feature: `${keyword} heredoc (<<${h[2]})`, ...at });
          i = end + 1;
        }
      }
    }
  }
  return found;
}

/** "RUN --mount (line 4)", for messages. */
export function describeFeature(f: BuildKitFeature): string {
  return `${f.feature} (line ${f.line}: ${f.text.length > 80 ? `${f.text.slice(0, 77)}...` : f.text})`;
}
