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
  if (typeof value === 'string') return capText(value, max);
  const text = boundedJson(value, max);
  // How much more there was is not known: it was never serialised.
  return text.length <= max ? text : `${text.slice(0, max)}\n… (the rest not shown)`;
}

/**
 * `JSON.stringify(value, null, 2)`, but made without recursion and stopped a little past `max`
 * characters: the work is bounded by what is shown, not by the size of the value. A run the API
 * accepts can hold megabytes of evidence nested 64 deep, and serialising all of it, pretty, for
 * every field of every check, is what once held the board for 30 s.
 */
export function boundedJson(value: unknown, max: number): string {
  let out = '';
  const stack: (string | { readonly value: unknown; readonly indent: string })[] = [{ value, indent: '' }];
  // More entries than this cannot fit in `max` characters (each takes at least two): the rest are never looked at.
  const room = Math.ceil(max / 2) + 1;
  while (stack.length > 0 && out.length <= max) {
    const item = stack.pop() as (typeof stack)[number];
    if (typeof item === 'string') {
      out += item;
      continue;
    }
    const current = item.value;
    if (typeof current === 'string') {
      const left = max - out.length + 1;
      out += JSON.stringify(current.length > left ? current.slice(0, left) : current);
      continue;
    }
    if (current === null || typeof current !== 'object') {
      out += JSON.stringify(current) ?? 'null';
      continue;
    }
    const inner = `${item.indent}  `;
    const entries: [string | null, unknown][] = [];
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length && entries.length < room; i++) entries.push([null, current[i]]);
    } else {
      for (const key in current) {
        if (entries.length >= room) break;
        const inside = (current as Record<string, unknown>)[key];
        if (Object.prototype.hasOwnProperty.call(current, key) && inside !== undefined && typeof inside !== 'function') entries.push([key, inside]);
      }
    }
    const [open, close] = Array.isArray(current) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) {
      out += `${open}${close}`;
      continue;
    }
    stack.push(`\n${item.indent}${close}`);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, inside] = entries[i] as [string | null, unknown];
      stack.push({ value: inside, indent: inner });
      stack.push(`${i === 0 ? `${open}\n` : ',\n'}${inner}${key === null ? '' : `${JSON.stringify(key)}: `}`);
    }
  }
  return out;
}

/** A board path to a release. */
export function releasePath(app: string, version: string): string {
  return `/releases/${encodeURIComponent(app)}/${encodeURIComponent(version)}`;
}
