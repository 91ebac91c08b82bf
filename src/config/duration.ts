/**
 * Durations in the config: `10m`, `1h`, `90s`, `500ms`, `2d`, or a whole number of milliseconds.
 * Used where a delay is minutes or hours long (`soak`, `location_timeout`): a number of
 * milliseconds there is hard to read and easy to get wrong by a factor of 1000.
 */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The milliseconds a duration stands for, or null when it is not one. */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  if (typeof value !== 'string') return null;
  const match = /^(\d{1,9})(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) return null;
  const ms = Number(match[1]) * (UNITS[match[2] as string] as number);
  return ms > 0 ? ms : null;
}

/** A duration as people write it back: `10m`, `1h`, `90s`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
