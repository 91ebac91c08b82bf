/**
 * The embedded store shared between a seal server and the CLI. PGlite is one process's database:
 * while `seal serve` (or `npm start`) held it, `seal smoke`, `seal incident open` and `seal token
 * create` on the same data directory waited 10 s and failed. Now the server holds it only while
 * it uses it: a process that wants the store says so with a "want" file next to its lock
 * (db.ts), and the server, once no query of its own is running, closes PGlite and lets go of the
 * lock. The next request reopens it (about 0.3 s), after waiting for whoever asked to be done.
 *
 * This is the client drizzle is given: drizzle's PGlite driver only calls `query` and
 * `transaction`, and both go to the PGlite open at that moment.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

/** An open PGlite and the lock that goes with it. */
export interface Held {
  readonly client: PGlite;
  readonly release: () => Promise<void>;
}

/** How often the server looks for processes waiting for the store. */
const WATCH_MS = 100;

export class SharedPglite {
  private held: Promise<Held> | null;
  private active = 0;
  private closing: Promise<void> | null = null;
  private closed = false;
  /** Whether a live process waits for the store, as the watcher last saw it (queries only read it). */
  private wanted = false;
  private readonly watch: NodeJS.Timeout;

  constructor(private readonly options: { readonly dir: string; readonly first: Held; readonly reopen: () => Promise<Held> }) {
    this.held = Promise.resolve(options.first);
    this.watch = setInterval(() => {
      this.wanted = othersWait(this.options.dir);
      this.yieldIfWanted();
    }, WATCH_MS);
    this.watch.unref();
  }

  /** A statement, on the PGlite open now (opened again if it was let go of). */
  query(...args: Parameters<PGlite['query']>) {
    return this.use((client) => client.query(...args));
  }

  /** A transaction, on the PGlite open now; the store is not let go of before it ends. */
  transaction<T>(callback: Parameters<PGlite['transaction']>[0]): Promise<T> {
    return this.use((client) => client.transaction(callback)) as Promise<T>;
  }

  /** Closes for good (the server stops). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.watch);
    await this.closing;
    const held = this.held;
    this.held = null;
    if (held) await letGo(held);
  }

  private async use<T>(work: (client: PGlite) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the store is closed');
    // Counted before any wait, so that the store is not let go of under a request that is coming.
    this.active++;
    try {
      while (this.closing || (this.held === null && this.wanted)) {
        if (this.closing) await this.closing;
        // Whoever asked goes first: the lock is theirs until their want file goes.
        else await new Promise((resolve) => setTimeout(resolve, WATCH_MS));
      }
      this.held ??= this.options.reopen();
      let client: PGlite;
      try {
        ({ client } = await this.held);
      } catch (error) {
        this.held = null;
        throw error;
      }
      return await work(client);
    } finally {
      this.active--;
      this.yieldIfWanted();
    }
  }

  /** Lets go of the store when another process waits for it and nothing of ours is running (no file system work: this runs after every query). */
  private yieldIfWanted(): void {
    if (this.active > 0 || this.closing || this.held === null || this.closed || !this.wanted) return;
    const held = this.held;
    this.held = null;
    this.closing = letGo(held).finally(() => {
      this.closing = null;
    });
  }
}

/** Whether a live process other than this one has a want file next to the embedded store in `dir`. */
export function othersWait(dir: string): boolean {
  const prefix = `${basename(dir)}.want-`;
  let names: string[];
  try {
    names = readdirSync(dirname(dir));
  } catch {
    return false;
  }
  return names.some((name) => name.startsWith(prefix) && isAlive(Number(name.slice(prefix.length))));
}

async function letGo(held: Promise<Held>): Promise<void> {
  try {
    const { client, release } = await held;
    try {
      await client.close();
    } finally {
      await release().catch(() => undefined);
    }
  } catch {
    // It never opened: nothing to let go of.
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
