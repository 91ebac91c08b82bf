/**
 * A copy of plain data with a bound on its depth, its width and its size, made without
 * recursion: production's answers (a JSON body nested 100,000 deep, an array of a million
 * items) reach the run result through assertions and evidence, and every later step
 * (redaction, JSON for the store, the board, notifiers) must be able to walk what is kept.
 *
 * What is cut is replaced by a marker string that says what was cut. Strings are kept whole or
 * dropped whole, never cut in the middle: a cut could leave part of a secret that the redactor
 * would no longer recognise.
 */

/** How much of a value is kept. */
export interface DataLimits {
  /** Containers nested deeper than this are replaced by a marker. */
  readonly depth: number;
  /** Items of one array, or keys of one object, kept; a marker says how many more there were. */
  readonly entries: number;
  /** Values kept in all (strings, numbers, containers…); the rest are markers. */
  readonly nodes: number;
  /** UTF-16 code units of all strings kept together; later strings become markers. */
  readonly chars: number;
}

/** The run result's limits: far above any check's own evidence, far below what breaks a walk. */
export const DATA_LIMITS: DataLimits = { depth: 32, entries: 1_000, nodes: 20_000, chars: 4 * 1024 * 1024 };

/** What a copy does to strings and to values under some keys (the redactor's rules), beyond bounding. */
export interface CopyRules {
  readonly text?: (value: string) => string;
  /** Replacement for a string or array under this key, or undefined to copy it as usual. */
  readonly replaceUnder?: (key: string) => string | undefined;
}

/** The key under which a cut object's count of left-out keys is given. */
export const CUT_KEY = '…';

type Slot = { readonly into: Record<string, unknown> | unknown[]; readonly key: string | number };

/** Copies `value` within `limits`, applying `rules`; no recursion, whatever the depth. */
export function boundedCopy<T>(value: T, limits: DataLimits = DATA_LIMITS, rules: CopyRules = {}): T {
  const holder: Record<string, unknown> = {};
  const stack: { from: unknown; slot: Slot; depth: number }[] = [{ from: value, slot: { into: holder, key: 'value' }, depth: 0 }];
  let nodes = 0;
  let chars = 0;
  const put = (slot: Slot, v: unknown): void => {
    (slot.into as Record<string | number, unknown>)[slot.key] = v;
  };
  for (let task = stack.pop(); task; task = stack.pop()) {
    const { from, slot, depth } = task;
    nodes++;
    if (nodes > limits.nodes) {
      put(slot, `[cut: more than ${limits.nodes} values in all]`);
      continue;
    }
    if (typeof from === 'string') {
      const out = rules.text ? rules.text(from) : from;
      chars += out.length;
      put(slot, chars > limits.chars ? `[cut: a string of ${out.length} characters, past ${limits.chars} in all]` : out);
      continue;
    }
    if (typeof from === 'bigint') {
      put(slot, String(from));
      continue;
    }
    const array = Array.isArray(from);
    if (from === null || typeof from !== 'object' || (!array && !isPlainObject(from))) {
      // Numbers, booleans, null, undefined, and objects that are not plain data (a RegExp an
      // assertion expects, a Date) are kept as they are: they are leaves here.
      put(slot, from);
      continue;
    }
    if (depth >= limits.depth) {
      put(slot, `[cut: nested deeper than ${limits.depth} levels]`);
      continue;
    }
    if (array) {
      const items = from as readonly unknown[];
      const kept = Math.min(items.length, limits.entries);
      const out: unknown[] = new Array<unknown>(kept).fill(null);
      if (items.length > kept) out.push(`[cut: ${items.length - kept} more items]`);
      put(slot, out);
      for (let i = kept - 1; i >= 0; i--) stack.push({ from: items[i], slot: { into: out, key: i }, depth: depth + 1 });
      continue;
    }
    const source = from as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    put(slot, out);
    let count = 0;
    const pending: { from: unknown; slot: Slot; depth: number }[] = [];
    for (const key in source) {
      if (!Object.prototype.hasOwnProperty.call(source, key)) continue;
      count++;
      if (count > limits.entries) continue;
      const inner = source[key];
      const replacement = rules.replaceUnder && (typeof inner === 'string' || Array.isArray(inner)) ? rules.replaceUnder(key) : undefined;
      // Every key is placed now, in order; its value is filled in when its turn comes.
      out[key] = replacement;
      if (replacement === undefined) pending.push({ from: inner, slot: { into: out, key }, depth: depth + 1 });
    }
    if (count > limits.entries) out[CUT_KEY] = `[cut: ${count - limits.entries} more keys]`;
    for (let i = pending.length - 1; i >= 0; i--) stack.push(pending[i] as (typeof pending)[number]);
  }
  return holder.value as T;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * How deep a JSON text nests, counted without parsing it (strings skipped), stopping as soon as
 * it passes `limit`: lets a server refuse a document before JSON.parse and every walk after it.
 */
export function jsonDepthExceeds(text: string, limit: number): number | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return null;
}
