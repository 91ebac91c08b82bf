/** A seal server app over a real store in a temp dir, for handler tests through `app.request()`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { openDb, type OpenDb } from '../../src/store/db.js';
import { DeliveryStore } from '../../src/store/deliveries.js';
import { EvidenceStore } from '../../src/store/evidence.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { Ledger } from '../../src/store/ledger.js';
import { TokenStore } from '../../src/store/tokens.js';
import { createApp } from '../../src/web/app.js';
import type { ReadAccess } from '../../src/web/auth.js';
import type { WebDeps } from '../../src/web/deps.js';
import { createSealEvents, type SealEvents } from '../../src/web/events.js';

/** The app and what it was built from. */
export interface WebFixture {
  readonly app: ReturnType<typeof createApp>;
  readonly store: OpenDb;
  readonly ledger: Ledger;
  readonly tokens: TokenStore;
  readonly incidents: IncidentStore;
  readonly events: SealEvents;
  /** Every structured log line the app wrote. */
  readonly logs: string[];
  /** A write token and a read token. */
  readonly writeToken: string;
  readonly readToken: string;
  close(): Promise<void>;
}

/** Builds the app over PGlite in a temp dir. */
export async function createWebFixture(options: { readAccess?: ReadAccess; maxBodyBytes?: number; deps?: Partial<WebDeps> } = {}): Promise<WebFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'seal-web-'));
  const store = await openDb({ databaseUrl: null, dataDir: dir });
  const ledger = new Ledger(store.db);
  const tokens = new TokenStore(store.db);
  const incidents = new IncidentStore(store.db);
  const events = createSealEvents({ changeMark: () => ledger.changeMark(), pollMs: 200 });
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => void (logs.push(chunk.toString()), done()) }));
  const writeToken = (await tokens.create('ci')).token;
  const readToken = (await tokens.create('wallboard', 'read')).token;
  const app = createApp({
    ledger,
    tokens,
    evidence: new EvidenceStore(store.db),
    deliveries: new DeliveryStore(store.db),
    incidents,
    notify: null,
    events,
    readAccess: options.readAccess ?? 'open',
    jobs: null,
    configuredApps: [],
    logger,
    now: () => new Date(),
    // Handler tests read what they just wrote (often straight into the store): no page cache
    // unless a test asks for one (page-cache.test.ts, the "page cache" tests in app.test.ts).
    pageCacheMs: 0,
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...options.deps,
  });
  return {
    app,
    store,
    ledger,
    tokens,
    incidents,
    events,
    logs,
    writeToken,
    readToken,
    close: async () => {
      events.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Headers of a JSON request with a bearer token. */
export function jsonWith(token: string | null): Record<string, string> {
  return { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

/** A small valid PNG (1x1, transparent). */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
