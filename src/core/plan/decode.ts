import { HelixError, type HelixErrorOptions } from '../errors';

// Plan files arrive in whatever encoding the tool or shell wrote: Windows PowerShell's `>` writes UTF-16LE
// with a BOM (docs/plan-formats.md). Decode bytes to text once, here, before any JSON parsing.

export function decodePlanBytes(bytes: Uint8Array): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return new TextDecoder('utf-8').decode(bytes.subarray(3));
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  // UTF-16 without a BOM: JSON starts with an ASCII char, so one of the first two bytes is 0.
  if (bytes.length >= 2 && bytes[0] !== 0 && bytes[1] === 0) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes.length >= 2 && bytes[0] === 0 && bytes[1] !== 0) return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder('utf-8').decode(bytes);
}

/** Strips a BOM left in an already decoded string. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export class PlanFormatError extends HelixError {
  constructor(message: string, options?: HelixErrorOptions) {
    super('plan-format', message, options);
  }
}

/**
 * Deepest nesting of arrays and objects a plan may have. Real plans nest attribute values a few dozen levels;
 * the decoders walk values recursively, so a hand-made or corrupted plan nested thousands deep would overflow
 * the stack. Checked before decoding (iteratively), with a clear error.
 */
export const MAX_PLAN_DEPTH = 256;

function tooDeep(): PlanFormatError {
  return new PlanFormatError(
    `the plan nests values more than ${MAX_PLAN_DEPTH} levels deep; Helix Deploy reads plans nested up to ${MAX_PLAN_DEPTH} levels (is the file a real plan?)`,
  );
}

/** Throws PlanFormatError when a parsed document nests deeper than MAX_PLAN_DEPTH. Linear, no recursion. */
export function assertPlanDepth(doc: unknown): void {
  // Two parallel stacks and for-in: a 50,000-resource plan has millions of nodes, so no tuple or
  // Object.values array per node.
  const values: unknown[] = [doc];
  const depths: number[] = [0];
  while (values.length) {
    const v = values.pop();
    const d = depths.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (d >= MAX_PLAN_DEPTH) throw tooDeep();
    if (Array.isArray(v)) {
      for (const x of v) {
        if (!x || typeof x !== 'object') continue;
        values.push(x);
        depths.push(d + 1);
      }
    } else {
      for (const k in v) {
        const x = (v as Record<string, unknown>)[k];
        if (!x || typeof x !== 'object') continue;
        values.push(x);
        depths.push(d + 1);
      }
    }
  }
}

/** The same for JSON text (one document or JSON lines), before it is parsed: brackets outside strings. */
export function assertPlanTextDepth(text: string): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const q = text.charCodeAt(i);
        if (q === 92 /* \ */) i++;
        else if (q === 34) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > MAX_PLAN_DEPTH) throw tooDeep();
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
}
