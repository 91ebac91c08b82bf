/**
 * Live board updates. On Postgres every recorded change, whoever made it (this server, another
 * one, a worker, the CLI), comes from Postgres's LISTEN/NOTIFY (pg-listen.ts), and is announced
 * once. On the embedded store a seal or release recorded by this server is announced at once, and
 * one recorded by another process (the CLI on the shared data directory) is noticed by a poll of
 * the ledger's change mark, run only while somebody is watching.
 */
import { EventEmitter } from 'node:events';

/** What the board is told. */
export interface BoardEvent {
  readonly type: 'seal' | 'release' | 'change';
  readonly app: string | null;
  readonly version: string | null;
  readonly status?: string | null;
}

/** The publisher the server's routes and its watchers share. */
export interface SealEvents {
  /** What this server recorded (said again by NOTIFY on Postgres, so then only while the listener is down). */
  publish(event: BoardEvent): void;
  /** What the database said changed (LISTEN/NOTIFY): always passed on. */
  deliver(event: BoardEvent): void;
  /** Calls `listener` for each event until the returned function is called. */
  subscribe(listener: (event: BoardEvent) => void): () => void;
  /** Ends every subscription (shutdown). */
  close(): void;
  /** Aborted on close: long-lived streams end with it. */
  readonly closed: AbortSignal;
}

/**
 * Creates the publisher; `changeMark` (the ledger's) is polled every `pollMs` while anyone
 * subscribes. `notified`: true while a LISTEN connection delivers every change; then this
 * server's own publishes would be said twice, and are not.
 */
export function createSealEvents({ changeMark, pollMs = 2000, onError = () => undefined, notified = () => false }: { changeMark?: () => Promise<string>; pollMs?: number; onError?: (error: unknown) => void; notified?: () => boolean } = {}): SealEvents {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const closing = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let lastMark: string | null = null;
  let polling = false;

  async function pollOnce(): Promise<void> {
    if (!changeMark || polling) return;
    polling = true;
    try {
      const mark = await changeMark();
      if (lastMark !== null && mark !== lastMark) emitter.emit('event', { type: 'change', app: null, version: null } satisfies BoardEvent);
      lastMark = mark;
    } catch (error) {
      onError(error);
    } finally {
      polling = false;
    }
  }

  function startPolling(): void {
    if (!changeMark || timer) return;
    void pollOnce();
    timer = setInterval(() => void pollOnce(), pollMs);
    timer.unref();
  }

  function stopPolling(): void {
    if (timer) clearInterval(timer);
    timer = null;
    lastMark = null;
  }

  return {
    publish(event) {
      if (notified()) return;
      emitter.emit('event', event);
      // Our own write moved the mark: take the new one, so the poll does not announce it twice.
      if (timer && changeMark) void changeMark().then((mark) => (lastMark = mark), onError);
    },
    deliver(event) {
      emitter.emit('event', event);
    },
    subscribe(listener) {
      emitter.on('event', listener);
      startPolling();
      return function unsubscribe() {
        emitter.off('event', listener);
        if (emitter.listenerCount('event') === 0) stopPolling();
      };
    },
    close() {
      stopPolling();
      closing.abort();
      emitter.removeAllListeners();
    },
    closed: closing.signal,
  };
}
