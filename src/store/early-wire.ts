/** The messages between early-store.ts and its worker thread (early-worker.ts). */
import type { StoreOrigin } from './db.js';

/** What the worker is started with. */
export interface StartData {
  readonly dir: string;
  /** The template a fresh store is unpacked from; undefined: the build's; null: initdb. */
  readonly template: string | null | undefined;
  /**
   * One Int32, 1 while the thread holds the store's lock (set once it is taken, cleared before it
   * is let go): the main thread removes a lock the thread still held when it was ended, rather
   * than leave it to go stale (db.ts's `heldFlag`).
   */
  readonly lockFlag: SharedArrayBuffer;
}

/** main → worker. `tx` null: outside any transaction. */
export type Request =
  | { readonly op: 'take'; readonly id: number }
  | { readonly op: 'query'; readonly id: number; readonly tx: number | null; readonly sql: string; readonly params: readonly unknown[]; readonly rowMode: 'array' | 'object'; readonly asIs: readonly number[] }
  | { readonly op: 'begin'; readonly id: number }
  | { readonly op: 'end'; readonly id: number; readonly tx: number; readonly commit: boolean }
  | { readonly op: 'close'; readonly id: number };

/** worker → main: the store is open (before anyone asked), or the answer to a request. */
export type Reply =
  | { readonly kind: 'ready'; readonly origin: StoreOrigin }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown; readonly gone?: string }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: WireError };

/** An error as it crosses the thread: a structured clone keeps only the message, so Postgres's fields are copied. */
export interface WireError {
  readonly message: string;
  readonly fields: Readonly<Record<string, string | number>>;
}

/** Fields of a Postgres error worth keeping (the SQLSTATE code above all). */
const FIELDS = ['code', 'detail', 'hint', 'severity', 'position', 'where', 'schema', 'table', 'column', 'constraint', 'routine'] as const;

export function wireError(error: unknown): WireError {
  const fields: Record<string, string | number> = {};
  if (error && typeof error === 'object') {
    for (const name of FIELDS) {
      const value = (error as Record<string, unknown>)[name];
      if (typeof value === 'string' || typeof value === 'number') fields[name] = value;
    }
  }
  return { message: error instanceof Error ? error.message : String(error), fields };
}

/** The error again, on the main thread. */
export function fromWire(error: WireError): Error {
  return Object.assign(new Error(error.message), error.fields);
}
