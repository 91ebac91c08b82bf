/** How the board writes times, durations and long text: pure, so pages and tests agree. */

/** "just now", "4 min ago", "3 h ago", "2 d ago" (future times: "in 5 min"). */
export function formatAgo(iso: string, now: Date): string {
  const seconds = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  const amount = s < 45 ? null : s < 3600 ? `${Math.round(s / 60)} min` : s < 86_400 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86_400)} d`;
  if (amount === null) return 'just now';
  return future ? `in ${amount}` : `${amount} ago`;
}

/** "2026-11-21 14:05 UTC" */
export function formatUtc(iso: string): string {
  // The ledger hands out UTC ISO strings already: no Date needed (a board renders hundreds).
  const utc = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(iso) ? iso : new Date(iso).toISOString();
  return `${utc.slice(0, 10)} ${utc.slice(11, 16)} UTC`;
}

/** "812 ms", "4.2 s", "2m 05s" */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}m ${String(total % 60).padStart(2, '0')}s`;
}

/** Text cut to `max` characters, saying how much was left out. */
export function capText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… (${text.length - max} more characters not shown)`;
}

/** Any evidence value as readable text, capped. */
export function evidenceText(value: unknown, max = 8000): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2) ?? String(value);
  return capText(text, max);
}

/** A board path to a release. */
export function releasePath(app: string, version: string): string {
  return `/releases/${encodeURIComponent(app)}/${encodeURIComponent(version)}`;
}
