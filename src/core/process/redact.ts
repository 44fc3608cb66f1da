import { SENSITIVE } from '../plan/model';

/**
 * Masks known secret values in free text (log lines, error messages, journal entries).
 * Second line of defence behind the sensitive masks of the plan formats, which are known to be
 * incomplete (provider-computed copies of a secret are not flagged; docs/plan-formats.md).
 * One instance per engine: a value added for one run is masked everywhere, which is harmless.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  /** Values shorter than this are only masked when a whole value equals them (see isSecret). */
  static readonly MIN_TEXT_LENGTH = 4;

  add(...values: unknown[]): this {
    let changed = false;
    for (const v of values) {
      if (typeof v !== 'string' || v.length === 0) continue;
      for (const form of forms(v)) {
        if (!this.secrets.has(form)) {
          this.secrets.add(form);
          changed = true;
        }
      }
    }
    if (changed) this.pattern = undefined;
    return this;
  }

  get size(): number {
    return this.secrets.size;
  }

  /** True when a whole value equals a known secret (used on model values, any length). */
  isSecret(value: unknown): boolean {
    return typeof value === 'string' && this.secrets.has(value);
  }

  redact(text: string): string {
    if (this.secrets.size === 0 || !text) return text;
    const re = this.regex();
    return re ? text.replace(re, SENSITIVE) : text;
  }

  private regex(): RegExp | undefined {
    if (this.pattern) return this.pattern;
    const list = [...this.secrets].filter((s) => s.length >= Redactor.MIN_TEXT_LENGTH);
    if (!list.length) return undefined;
    // Longest first so a secret that contains another is masked whole.
    list.sort((a, b) => b.length - a.length);
    this.pattern = new RegExp(list.map(escapeRegExp).join('|'), 'g');
    return this.pattern;
  }
}

/** The value itself and how it looks inside a JSON string (quotes/backslashes/newlines escaped). */
function forms(v: string): string[] {
  const json = JSON.stringify(v).slice(1, -1);
  return json === v ? [v] : [v, json];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
