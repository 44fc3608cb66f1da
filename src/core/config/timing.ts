/**
 * Delay between the last keystroke and re-validation in the editor. 100 ms plus a few ms of validation keeps
 * updates inside the 150 ms budget while not validating on every key of a fast typist.
 */
export const DIAGNOSTICS_DEBOUNCE_MS = 100;
