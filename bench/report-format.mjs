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
