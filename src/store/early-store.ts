/**
 * Opening the embedded store while the checks run. Opening PGlite takes about 0.3 s of CPU (its
 * file system from a 6 MB bundle, Postgres starting inside WebAssembly) and used to come after
 * the verdict, the largest part of a seal's verdict-to-exit. For a suite of HTTP and TLS checks,
 * which mostly wait on the network, `seal smoke` now opens it in a worker thread as the run
 * starts, on the other core, so that the checks' own timings are not taken from them; after the
 * verdict, recording gets it already open. drizzle's PGlite driver only calls `query` and
 * `transaction`: the client below forwards both to the thread (early-wire.ts is the protocol).
 *
 * The worker never waits for the lock and gives the store up, until it is taken, to any process
 * that asks for it (early-worker.ts); then, and on any failure, recording opens the store the
 * usual way after the verdict. `SEAL_STORE_EARLY=0` turns this off.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import { builtFile } from '../package-root.js';
import type { OpenDb, StoreOrigin } from './db.js';
import { fromWire, type Reply, type Request, type StartData } from './early-wire.js';
import type { StoreLocation } from './location.js';

/** The store being opened in a worker thread. */
export interface EarlyStore {
  /** Whether the store did not exist when the thread started (it makes it). */
  readonly fresh: boolean;
  /** The store, open; or null and why not (the lock was busy, someone asked for it, it failed): then open it as usual. */
  take(): Promise<{ readonly store: OpenDb; readonly why?: undefined } | { readonly store: null; readonly why: string }>;
  /** Stops the thread at once, whatever it is doing (the store's lock goes stale and is taken over). */
  dispose(): Promise<void>;
}

/** Starts opening the embedded store in a worker thread; null for Postgres, or before any build. */
export function openStoreEarly(location: StoreLocation, fresh: boolean, workerFile = builtFile('store-worker.js')): EarlyStore | null {
  if (location.databaseUrl || !workerFile) return null;
  const data: StartData = { dir: join(location.dataDir, 'db'), template: location.template, lockFlag: new SharedArrayBuffer(4) };
  // The thread's own heap holds little (statements and their rows): a young generation of 1 MB
  // instead of V8's default kept a seal's peak RSS 6 MB lower for the same CPU (measured).
  return new EarlyWorker(new Worker(workerFile, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 1 } }), fresh, `${data.dir}.lock`, new Int32Array(data.lockFlag));
}

/** A row's text for a type drizzle asks to keep as it is: what a parser given to `query` must return. */
const PROBE = '2026-12-01 06:00:00.123+00';

type Pending = { readonly resolve: (value: { value: unknown; gone?: string }) => void; readonly reject: (error: Error) => void };
type QueryOptions = { readonly rowMode?: 'array' | 'object'; readonly parsers?: Readonly<Record<number, (value: string, type: number) => unknown>> };

class EarlyWorker implements EarlyStore {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ended: Error | null = null;

  /** Run at exit (Ctrl-C while recording calls process.exit): the thread's lock does not outlive the process. */
  private readonly onExit = (): void => this.dropOrphanLock();

  constructor(
    private readonly worker: Worker,
    readonly fresh: boolean,
    private readonly lockPath: string,
    private readonly lockHeld: Int32Array,
  ) {
    process.on('exit', this.onExit);
    // The thread keeps the process alive only while an answer is awaited.
    worker.unref();
    worker.on('message', (reply: Reply) => {
      if (reply.kind !== 'reply') return;
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.settled(reply.id);
      if (reply.ok) waiting.resolve({ value: reply.value, ...(reply.gone ? { gone: reply.gone } : {}) });
      else waiting.reject(fromWire(reply.error));
    });
    worker.on('error', (error) => this.end(error));
    worker.on('exit', (code) => this.end(new Error(`the store's thread ended (exit code ${code})`)));
  }

  async take(): Promise<{ store: OpenDb } | { store: null; why: string }> {
    let answer: { value: unknown; gone?: string };
    try {
      answer = await this.call({ op: 'take' });
    } catch (error) {
      await this.dispose();
      return { store: null, why: (error as Error).message };
    }
    if (answer.value === null) {
      await this.dispose();
      return { store: null, why: answer.gone ?? 'it was not open' };
    }
    const [{ drizzle }, schema] = await Promise.all([import('drizzle-orm/pglite'), import('./schema.js')]);
    const client = { query: this.query.bind(this, null), transaction: this.transaction.bind(this) };
    return { store: { db: drizzle(client as unknown as PGlite, { schema }), origin: answer.value as StoreOrigin, close: () => this.close() } };
  }

  async dispose(): Promise<void> {
    await this.worker.terminate().catch(() => undefined);
    this.dropOrphanLock();
    process.off('exit', this.onExit);
  }

  /**
   * A thread ended while it held the store's lock (recording cut by its deadline, Ctrl-C) cannot
   * let go of it, and proper-lockfile removes locks at exit only for the main thread's: the next
   * command would wait for it to go stale (5 s), or fail under a shorter SEAL_STORE_WAIT_MS. The
   * flag is cleared before the thread lets go itself, so a lock already handed on is never touched.
   */
  private dropOrphanLock(): void {
    if (Atomics.load(this.lockHeld, 0) !== 1) return;
    Atomics.store(this.lockHeld, 0, 0);
    rmSync(this.lockPath, { recursive: true, force: true });
  }

  /** Closes PGlite and lets go of the lock in the thread, then ends it. */
  private async close(): Promise<void> {
    try {
      await this.call({ op: 'close' });
    } finally {
      await this.dispose();
    }
  }

  private async query(tx: number | null, sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<unknown> {
    const asIs = Object.entries(options.parsers ?? {}).map(([type, parse]) => {
      // Functions cannot cross to the thread: drizzle's parsers keep dates and intervals as text, which the thread does too.
      if (parse(PROBE, Number(type)) !== PROBE) throw new Error(`a parser for type ${type} that changes the text cannot be used with the store's thread`);
      return Number(type);
    });
    return (await this.call({ op: 'query', tx, sql, params, rowMode: options.rowMode ?? 'object', asIs })).value;
  }

  private async transaction<T>(callback: (tx: { query: (sql: string, params?: readonly unknown[], options?: QueryOptions) => Promise<unknown> }) => Promise<T>): Promise<T> {
    const tx = (await this.call({ op: 'begin' })).value as number;
    let result: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      result = { ok: true, value: await callback({ query: (sql, params, options) => this.query(tx, sql, params, options) }) };
    } catch (error) {
      result = { ok: false, error };
    }
    await this.call({ op: 'end', tx, commit: result.ok });
    if (!result.ok) throw result.error;
    return result.value;
  }

  private call(request: DistributiveOmit<Request, 'id'>): Promise<{ value: unknown; gone?: string }> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...request, id });
    });
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private end(error: Error): void {
    this.ended ??= error;
    for (const [id, waiting] of this.pending) {
      this.settled(id);
      waiting.reject(this.ended);
    }
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
