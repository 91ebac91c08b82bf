// Number formats and statistics shared by the report's sections.

/** min / median / max of a list of numbers (median of an even count: mean of the middle two). */
export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted.at(-1), n: sorted.length };
}

export const ms = (value) => (value == null ? 'n/a' : `${Math.round(value)} ms`);
/** KiB → MB (10^6 bytes). */
export const mb = (kib) => (kib == null ? 'n/a' : `${((kib * 1024) / 1e6).toFixed(1)} MB`);
export const mib = (bytes) => {
  const value = bytes / 1024 ** 2;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} MiB`;
};
export const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** A target's verdict; null when it could not be measured. */
export const yes = (ok) => (ok === 'reference' ? 'reference only' : ok === null ? '**not measured**' : ok ? '**met**' : '**NOT met**');

/** Why a goal has no figure when its whole section is missing from the results. */
export const NO_SECTION = 'the section did not run, or failed (see Notes)';

/**
 * One row of issue 18's goals table. `measure()` returns the row's figures ({ measured, figure,
 * met }), or a string saying why they could not be measured: a missing section or a failed run
 * gives a row that says so, never a crash.
 */
export function goalRow(id, goal, measure) {
  const figures = measure();
  if (typeof figures === 'string') return { id, goal, measured: `not measured: ${figures}`, figure: '–', met: null };
  return { id, goal, ...figures };
}

/** A ratio of two medians, as the goals table shows it. */
export const times = (value) => `${value.toFixed(2)} ×`;
