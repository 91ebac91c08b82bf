/**
 * The worker thread behind early-store.ts: opens the embedded store (lock, PGlite, migrations)
 * while the checks run on the main thread, then answers its statements and transactions. Built as
 * dist/store-worker.js. It never waits for the lock: a store someone else holds is left to the
 * normal open after the verdict. Until the main thread takes the store, it gives it up to any
 * process that asks for it (a "want" file next to the lock, as a seal server does), so a board
 * sharing the data directory never waits on a run's checks.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { errorMessage } from '../errors.js';
import { defaultTemplate, openEmbeddedClient, type EmbeddedClient } from './db.js';
import { type Reply, type Request, type StartData, wireError } from './early-wire.js';
import { othersWait } from './shared-embedded.js';

const port = parentPort ?? notInAThread();
const start = workerData as StartData;

/** How often, until taken, the worker looks for a process that wants the store. */
const WATCH_MS = 100;

let held: EmbeddedClient | null = null;
let taken = false;
let gone: string | null = null;
/** A `take` asked before the store was ready: answered once it is (or is not). */
let takeWaiting: number | null = null;
/** Giving the store up to another process, while under way. */
let letting: Promise<void> | null = null;
const transactions = new Map<number, OpenTransaction>();
let nextTransaction = 1;

interface OpenTransaction {
  tx: Transaction | null;
  finish: ((commit: boolean) => void) | null;
  readonly done: Promise<void>;
}

/** Thrown inside PGlite's transaction to roll it back when the main thread's callback failed. */
class Rollback extends Error {}

const send = (reply: Reply): void => port.postMessage(reply);

const opening = openEmbeddedClient(start.dir, { waitMs: 0, announce: false, template: start.template === undefined ? defaultTemplate() : start.template, heldFlag: new Int32Array(start.lockFlag) }).then(
  (client) => {
    held = client;
    send({ kind: 'ready', origin: client.origin });
  },
  (error: unknown) => {
    gone = `it could not be opened while the checks ran (${errorMessage(error)})`;
  },
);

const watch = setInterval(() => {
  if (!held || taken || !othersWait(start.dir)) return;
  gone = 'another process asked for it while the checks ran';
  letting = letGo();
}, WATCH_MS);

port.on('message', (request: Request) => {
  void handle(request).catch((error: unknown) => {
    if ('id' in request) send({ kind: 'reply', id: request.id, ok: false, error: wireError(error) });
  });
});

async function handle(request: Request): Promise<void> {
  switch (request.op) {
    case 'take':
      takeWaiting = request.id;
      await opening;
      // Answered once a giving-up under way is over: the lock is released before the main
      // thread hears "gone" (and may end this thread), not left to go stale.
      await letting;
      answerTake();
      return;
    case 'query': {
      const target = request.tx === null ? client() : openTransaction(request.tx);
      const result = await target.query(request.sql, [...request.params], { rowMode: request.rowMode, parsers: asIs(request.asIs) });
      send({ kind: 'reply', id: request.id, ok: true, value: result });
      return;
    }
    case 'begin':
      begin(request.id);
      return;
    case 'end': {
      const open = transactions.get(request.tx);
      if (!open?.finish) throw new Error(`no open transaction ${request.tx}`);
      open.finish(request.commit);
      try {
        await open.done;
      } catch (error) {
        if (!(error instanceof Rollback)) throw error;
      } finally {
        transactions.delete(request.tx);
      }
      send({ kind: 'reply', id: request.id, ok: true, value: null });
      return;
    }
    case 'close':
      await letGo();
      send({ kind: 'reply', id: request.id, ok: true, value: null });
      port.close();
      return;
  }
}

function answerTake(): void {
  if (takeWaiting === null) return;
  const id = takeWaiting;
  takeWaiting = null;
  if (held && !gone) {
    taken = true;
    clearInterval(watch);
    send({ kind: 'reply', id, ok: true, value: held.origin });
  } else {
    send({ kind: 'reply', id, ok: true, value: null, gone: gone ?? 'it was not open' });
  }
}

function client(): PGlite {
  if (!held || !taken) throw new Error('the store is not open in this thread');
  return held.client;
}

function openTransaction(id: number): Transaction {
  const tx = transactions.get(id)?.tx;
  if (!tx) throw new Error(`no open transaction ${id}`);
  return tx;
}

/** Starts a transaction and answers with its number once inside it; it ends on `end`. */
function begin(id: number): void {
  const number = nextTransaction++;
  let answered = false;
  const open: OpenTransaction = {
    tx: null,
    finish: null,
    done: client()
      .transaction(async (tx) => {
        open.tx = tx;
        const commit = await new Promise<boolean>((resolve) => {
          open.finish = resolve;
          answered = true;
          send({ kind: 'reply', id, ok: true, value: number });
        });
        if (!commit) throw new Rollback();
      })
      .then(() => undefined),
  };
  transactions.set(number, open);
  open.done.catch((error: unknown) => {
    if (answered) return;
    transactions.delete(number);
    send({ kind: 'reply', id, ok: false, error: wireError(error) });
  });
}

/** drizzle's parsers for these types return the text as it is: the same, on this side of the thread. */
function asIs(types: readonly number[]): Record<number, (value: string) => string> {
  return Object.fromEntries(types.map((type) => [type, (value: string) => value]));
}

async function letGo(): Promise<void> {
  clearInterval(watch);
  const was = held;
  held = null;
  if (!was) return;
  try {
    await was.client.close();
  } finally {
    await was.release().catch(() => undefined);
  }
}

function notInAThread(): never {
  throw new Error('early-worker.ts runs in a worker thread');
}
