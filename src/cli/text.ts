/** Times in the listing commands' text output: in the reader's own zone. Tables: reporters/columns.ts. */

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * `2026-11-30 22:03 UTC`, or `2026-11-30 23:03 +01:00` where the local zone (TZ) is not UTC;
 * `-` for no time. JSON keeps ISO 8601 in UTC; this is only for people.
 */
export function localTime(iso: string | null | undefined, options: { seconds?: boolean } = {}): string {
  if (!iso) return '-';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const offset = -date.getTimezoneOffset();
  const zone = offset === 0 ? 'UTC' : `${offset > 0 ? '+' : '-'}${pad2(Math.floor(Math.abs(offset) / 60))}:${pad2(Math.abs(offset) % 60)}`;
  const time = `${pad2(date.getHours())}:${pad2(date.getMinutes())}${options.seconds ? `:${pad2(date.getSeconds())}` : ''}`;
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${time} ${zone}`;
}

