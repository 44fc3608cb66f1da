// Label and field selectors as the API server parses them (equality, set-based, existence).

type Req = (labels: Record<string, string>) => boolean;

export function parseLabelSelector(sel: string | null | undefined): Req {
  if (!sel) return () => true;
  const reqs: Req[] = [];
  // Split on commas that are not inside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of sel) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const [, key, op, vals] = m;
      const set = new Set(vals.split(',').map((v) => v.trim()));
      reqs.push(op === 'in' ? (l) => key in l && set.has(l[key]) : (l) => !(key in l) || !set.has(l[key]));
    } else if ((m = p.match(/^([^\s!=]+)\s*!=\s*(.*)$/))) {
      const [, key, val] = m;
      reqs.push((l) => l[key] !== val);
    } else if ((m = p.match(/^([^\s!=]+)\s*==?\s*(.*)$/))) {
      const [, key, val] = m;
      reqs.push((l) => l[key] === val);
    } else if ((m = p.match(/^!\s*(\S+)$/))) {
      const key = m[1];
      reqs.push((l) => !(key in l));
    } else {
      reqs.push((l) => p in l);
    }
  }
  return (labels) => reqs.every((r) => r(labels ?? {}));
}

export function parseFieldSelector(sel: string | null | undefined): (obj: any) => boolean {
  if (!sel) return () => true;
  const reqs = sel.split(',').map((p) => {
    const neg = p.includes('!=');
    const [path, value] = p.split(neg ? '!=' : /==?/);
    return (obj: any) => {
      const v = path
        .trim()
        .split('.')
        .reduce((o: any, k) => (o == null ? undefined : o[k]), obj);
      const eq = String(v ?? '') === (value ?? '').trim();
      return neg ? !eq : eq;
    };
  });
  return (obj) => reqs.every((r) => r(obj));
}
