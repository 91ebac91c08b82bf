/** What the board and API are built from: injected, so tests build the app with a temp store and no port. */
import type { Logger } from 'pino';
import type { TierVocabulary } from '../evidence/tiers.js';
import type { RunResult } from '../runner/run-result.js';
import type { DeliveryStore } from '../store/deliveries.js';
import type { EvidenceStore } from '../store/evidence.js';
import type { IncidentStore } from '../store/incidents.js';
import type { Ledger } from '../store/ledger.js';
import type { TokenStore } from '../store/tokens.js';
import type { AuditWatch } from './audit-watch.js';
import type { ReadAccess } from './auth.js';
import type { SealEvents } from './events.js';
import type { SealJob, SealJobStatus } from '../queue/types.js';

/** The app's dependencies. */
export interface WebDeps {
  readonly ledger: Ledger;
  readonly tokens: TokenStore;
  readonly evidence: EvidenceStore;
  readonly deliveries: DeliveryStore;
  /** The post-mortems (the board shows them; it never changes them). */
  readonly incidents: IncidentStore;
  /**
   * Tells the app's notifiers of a recorded seal (the server's config says which), in the
   * background: the reporter is answered first. Null when the server has no config.
   */
  readonly notify: ((result: RunResult, current: boolean) => void) | null;
  /** After a reported seal of a release is recorded: its app's soak seals are scheduled (in the background). */
  readonly sealed?: ((app: string, version: string, requestedBy: string | undefined) => void) | null;
  readonly events: SealEvents;
  /** `open`: anyone who reaches the server may read (loopback, or --public); `token`: reading needs a token. */
  readonly readAccess: ReadAccess;
  /**
   * Smoke runs the server queues (and runs itself, or `seal worker` processes do, on Postgres);
   * null when it was started without a config.
   */
  readonly jobs: ServerJobs | null;
  /** Apps of the server's config (what `…/smoke` can run); empty without a config. */
  readonly configuredApps: readonly string[];
  readonly logger: Logger;
  /**
   * The app's rollback template in the server's config, or null when the server has none for it:
   * the server renders rollback commands from its own templates only, never from a reporter's.
   */
  readonly rollbackTemplate?: (app: string) => string | null;
  /** The board's address for links in release notes (the app's board_url wins when it is in the server's config). */
  readonly boardBase?: (app: string) => string | null;
  /** The server config's test-tier vocabulary (the default ladder without a config). */
  readonly tiers?: TierVocabulary;
  /** The tiers the server's config expects on each release of an app (expect_tiers). */
  readonly expectTiers?: (app: string) => readonly string[];
  /** How long a rendered board page is served again (PAGE_CACHE_MS by default; 0: never). */
  readonly pageCacheMs?: number;
  /** The server's verifications of the audit log (the board shows the newest); absent: not verified. */
  readonly audit?: AuditWatch;
  readonly now?: () => Date;
  /** Live streams (`/events`) open at once: per client address and in all (503 beyond). */
  readonly maxStreams?: { readonly perClient: number; readonly total: number };
  /** Largest JSON body accepted (413 beyond). */
  readonly maxBodyBytes?: number;
}

/** The queue as the API sees it: the server knows each app's deadline, so it sets the job's expiry. */
export interface ServerJobs {
  /** Queues a run; rejects with QueueFullError when too many wait. */
  enqueue(job: SealJob): Promise<SealJobStatus>;
  /** A job not finished yet, or null. */
  status(runId: string): Promise<SealJobStatus | null>;
}

/** Largest JSON body accepted by default: a run result of a big suite, with its excerpts. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Live streams by default: each holds a connection and about 80 KB. 500 from one address lets a
 * whole office behind one NAT keep its boards open; 2,000 in all bounds the memory near 170 MB.
 * `SEAL_MAX_STREAMS_PER_CLIENT` and `SEAL_MAX_STREAMS` change them.
 */
export const DEFAULT_MAX_STREAMS = { perClient: 500, total: 2000 } as const;
