/**
 * The longest wait between the last keystroke and re-validation in the editor: what a large file waits, so a
 * fast typist does not re-validate it on every key.
 */
export const DIAGNOSTICS_DEBOUNCE_MS = 100;
/** The shortest wait: keys a typist presses together (or a paste's burst of changes) are validated once. */
export const DIAGNOSTICS_MIN_DELAY_MS = 10;

/**
 * The wait after a change before a document is validated again: five times what its last validation cost,
 * between DIAGNOSTICS_MIN_DELAY_MS and DIAGNOSTICS_DEBOUNCE_MS. A usual helix.toml (about 2 ms) shows its
 * squiggles 10 ms after the key; one that takes 20 ms or more waits the whole 100 ms. Unknown cost: the longest.
 */
export function diagnosticsDelay(lastCostMs: number | undefined): number {
  if (lastCostMs === undefined || !Number.isFinite(lastCostMs) || lastCostMs < 0) return DIAGNOSTICS_DEBOUNCE_MS;
  return Math.min(DIAGNOSTICS_DEBOUNCE_MS, Math.max(DIAGNOSTICS_MIN_DELAY_MS, Math.ceil(lastCostMs * 5)));
}
