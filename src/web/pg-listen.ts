/**
 * Live boards on several servers: a dedicated Postgres connection LISTENs on `seal_board`, which a
 * trigger on the audit log notifies on every recorded change (migration 0007), whoever made it: this
 * server, another server behind the same load balancer, a worker, the CLI. Nothing is replayed by
 * Postgres after a lost connection, so on reconnecting the board is told "something changed" and
 * reloads. The connection is checked every `heartbeatMs`: a link that died silently is noticed and
 * replaced, not waited on.
 */
import { waitAtMost } from '../time-limit.js';
import type { Notification } from 'pg';
import type { BoardEvent } from './events.js';

/** The channel migration 0007's trigger notifies. */
export const BOARD_CHANNEL = 'seal_board';

/** A running listener. */
export interface BoardListener {
  /** True while LISTEN is in place. */
  readonly connected: () => boolean;
  close(): Promise<void>;
}

/** What a notification says, as the board's event; null for one that is not ours (malformed). */
export function boardEventOf(payload: string | undefined): BoardEvent | null {
  if (!payload || payload.length > 8000) return null;
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const { kind, app, version } = data as { kind?: unknown; app?: unknown; version?: unknown };
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  return { type: kind === 'seal' ? 'seal' : kind === 'release' ? 'release' : 'change', app: text(app), version: text(version) };
}

/** Starts listening; calls `onEvent` for each change, and with a "change" event after each reconnect. */
export async function listenForBoard({
  databaseUrl,
  onEvent,
  onError = () => undefined,
  heartbeatMs = 15_000,
  connectTimeoutMs = 5_000,
}: {
  databaseUrl: string;
  onEvent: (event: BoardEvent) => void;
  onError?: (error: unknown) => void;
  heartbeatMs?: number;
  connectTimeoutMs?: number;
}): Promise<BoardListener> {
  const { default: pg } = await import('pg');
  let client: InstanceType<typeof pg.Client> | null = null;
  let live = false;
  let closed = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let backoffMs = 250;

  const onNotification = (message: Notification): void => {
    if (message.channel !== BOARD_CHANNEL) return;
    const event = boardEventOf(message.payload);
    if (event) onEvent(event);
  };

  async function connect(first: boolean): Promise<void> {
    const next = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: connectTimeoutMs, query_timeout: connectTimeoutMs, keepAlive: true, application_name: 'seal-board-listen' });
    next.on('error', (error) => drop(next, error));
    next.on('end', () => drop(next, new Error('the connection ended')));
    next.on('notification', onNotification);
    try {
      await next.connect();
      await next.query(`LISTEN ${BOARD_CHANNEL}`);
    } catch (error) {
      next.removeAllListeners('end');
      next.on('error', () => undefined);
      await next.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    live = true;
    backoffMs = 250;
    // What changed while nobody listened is not replayed: boards reload.
    if (!first) onEvent({ type: 'change', app: null, version: null });
  }

  function drop(which: InstanceType<typeof pg.Client>, error: unknown): void {
    if (client !== which) return;
    client = null;
    live = false;
    which.removeAllListeners('end');
    which.on('error', () => undefined);
    void which.end().catch(() => undefined);
    if (!closed) {
      onError(error);
      schedule();
    }
  }

  function schedule(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect(false).catch((error: unknown) => {
        onError(error);
        backoffMs = Math.min(backoffMs * 2, 5_000);
        schedule();
      });
    }, backoffMs);
    retryTimer.unref();
  }

  const heartbeat = setInterval(() => {
    const current = client;
    if (!current) return;
    current.query('SELECT 1').catch((error: unknown) => drop(current, error));
  }, heartbeatMs);
  heartbeat.unref();

  try {
    await connect(true);
  } catch (error) {
    clearInterval(heartbeat);
    throw error;
  }
  return {
    connected: () => live,
    async close() {
      closed = true;
      clearInterval(heartbeat);
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = null;
      live = false;
      if (current) {
        current.removeAllListeners('end');
        current.on('error', () => undefined);
        // A link that died silently would hold end() until TCP gives up: its socket is torn down after a bound.
        if (!(await waitAtMost(current.end(), connectTimeoutMs))) (current as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      }
    },
  };
}
