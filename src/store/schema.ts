/**
 * The ledger's tables (drizzle pg-core): one schema for the embedded PGlite store and for
 * Postgres. Migrations are generated from this file into `drizzle/` (`npm run db:generate`),
 * committed, and only ever added to.
 */
import { bigserial, bigint, boolean, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';

/** The seal a release carries: the latest run's verdict (`smoke_seal` in the run contract). */
export interface SmokeSeal {
  readonly status: 'green' | 'red' | 'error';
  readonly summary: string;
  readonly checked_at: string;
  readonly run_id: string;
}

export const apps = pgTable('apps', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  name: text('name').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
});

export const releases = pgTable(
  'releases',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    appId: bigint('app_id', { mode: 'number' }).notNull().references(() => apps.id),
    version: text('version').notNull(),
    sha: text('sha'),
    mergeSha: text('merge_sha'),
    branch: text('branch'),
    deployedAt: timestamp('deployed_at', { withTimezone: true, mode: 'string' }),
    notes: text('notes'),
    /** Written by 0000 only; the previous release is now read by id order (ledger.ts). Kept: migrations are additive. */
    previousReleaseId: bigint('previous_release_id', { mode: 'number' }).references((): AnyPgColumn => releases.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    /** The current seal; replaced by a newer run, never by an older one finishing late. */
    smokeSeal: jsonb('smoke_seal').$type<SmokeSeal>(),
    /** When the change was merged (a post-mortem's change_merged milestone). Added by 0003. */
    mergedAt: timestamp('merged_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [
    uniqueIndex('releases_app_version').on(t.appId, t.version),
    index('releases_app_created').on(t.appId, t.createdAt),
    // The board pages an app's releases newest first by id.
    index('releases_app_id').on(t.appId, t.id),
  ],
);

/** Whether `text` can be a run id (a UUID): anything else is answered "no such run" before the uuid column refuses it. */
export function isRunId(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}

export const sealRuns = pgTable(
  'seal_runs',
  {
    runId: uuid('run_id').primaryKey(),
    appId: bigint('app_id', { mode: 'number' }).notNull().references(() => apps.id),
    releaseId: bigint('release_id', { mode: 'number' }).references(() => releases.id),
    verdict: text('verdict').$type<SmokeSeal['status']>().notNull(),
    summary: text('summary').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'string' }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'string' }).notNull(),
    /** The whole run result, as `seal smoke --json` printed it. */
    result: jsonb('result').notNull(),
    evidenceDir: text('evidence_dir'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [
    index('seal_runs_release').on(t.releaseId, t.finishedAt),
    index('seal_runs_app_finished').on(t.appId, t.finishedAt),
    // The board's change poll asks for the newest row.
    index('seal_runs_created').on(t.createdAt),
  ],
);

/** One row per check of a run, to answer "when did this check last fail?". */
export const checkResults = pgTable(
  'check_results',
  {
    runId: uuid('run_id').notNull().references(() => sealRuns.runId),
    position: integer('position').notNull(),
    appId: bigint('app_id', { mode: 'number' }).notNull().references(() => apps.id),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    status: text('status').notNull(),
    durationMs: integer('duration_ms').notNull(),
    attempts: integer('attempts').notNull(),
    error: text('error'),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'string' }).notNull(),
  },
  (t) => [uniqueIndex('check_results_run_position').on(t.runId, t.position), index('check_results_app_name').on(t.appId, t.name, t.finishedAt)],
);

/** Raw bytes (Postgres bytea): drizzle has no built-in column for them. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  // pg hands back a Buffer and PGlite a Uint8Array: both are Uint8Arrays.
  fromDriver: (value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
});

/** Screenshots of a run, kept in the store so the board can show them whichever machine ran the checks. */
export const evidenceFiles = pgTable(
  'evidence_files',
  {
    runId: uuid('run_id').notNull().references(() => sealRuns.runId),
    /** The file's base name, as the run result's evidence paths end. */
    name: text('name').notNull(),
    contentType: text('content_type').notNull(),
    data: bytea('data').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.name] })],
);

/** Who may write to a seal server. Only the hash of a token's secret is kept. */
export const apiTokens = pgTable('api_tokens', {
  /** The token's public part (`seal_<id>_<secret>`), used to find it. */
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** `write`: report seals and releases; `read`: view the board. */
  scope: text('scope').$type<'read' | 'write'>().notNull(),
  /** SHA-256 of the secret, hex. */
  secretHash: text('secret_hash').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'string' }),
  revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'string' }),
});

/**
 * Board sign-ins: the browser's cookie holds a random session id, never a token. Only the id's
 * hash is kept; a session ends when it expires or when its token is revoked.
 */
export const boardSessions = pgTable('board_sessions', {
  /** SHA-256 of the session id, hex. */
  idHash: text('id_hash').primaryKey(),
  tokenId: text('token_id')
    .notNull()
    .references(() => apiTokens.id, { onDelete: 'cascade' }),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'string' }).notNull(),
});

/** The last post of each notifier about each release: what a re-seal edits instead of posting again. */
export const notifierPosts = pgTable(
  'notifier_posts',
  {
    releaseId: bigint('release_id', { mode: 'number' }).notNull().references(() => releases.id),
    notifier: text('notifier').notNull(),
    /** Hash of where it was posted (webhook and thread): a changed webhook starts afresh. */
    target: text('target').notNull(),
    messageId: text('message_id'),
    threadId: text('thread_id'),
    verdict: text('verdict').$type<SmokeSeal['status']>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.releaseId, t.notifier] })],
);

/** Webhooks that answered "gone" (404, 410): not used again until their URL changes. */
export const deadTargets = pgTable('dead_targets', {
  target: text('target').primaryKey(),
  notifier: text('notifier').notNull(),
  detail: text('detail').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
});

/** How each delivery of a seal went (shown on the release page). */
export const deliveries = pgTable(
  'deliveries',
  {
    runId: uuid('run_id').notNull().references(() => sealRuns.runId),
    /** A notifier's name, `release-notes` or `github`. */
    target: text('target').notNull(),
    status: text('status').$type<'delivered' | 'unchanged' | 'failed' | 'skipped'>().notNull(),
    detail: text('detail').notNull(),
    attempts: integer('attempts').notNull(),
    durationMs: integer('duration_ms').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.target] })],
);

/**
 * Post-mortems: one document each (src/incidents/model.ts), changed whole under a row lock so
 * a change that fails validation leaves it as it was. The columns beside it are for listing.
 */
export const incidents = pgTable(
  'incidents',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    appId: bigint('app_id', { mode: 'number' }).notNull().references(() => apps.id),
    releaseId: bigint('release_id', { mode: 'number' }).references(() => releases.id),
    title: text('title').notNull(),
    status: text('status').notNull(),
    severity: integer('severity').notNull(),
    /** The post-mortem without its id, app and release. */
    document: jsonb('document').notNull(),
    /** Open actions naming a smoke check (a green seal of the app looks for them). */
    openCheckActions: integer('open_check_actions').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [index('incidents_app').on(t.appId, t.id), index('incidents_release').on(t.releaseId)],
);

/**
 * A test tier credited (or refused credit) on a release, by a report the machine read
 * (src/evidence/reports.ts) or, for production_smoke, by the seal's own run. Appended, never
 * changed: a release's tier is its newest row. Added by 0005.
 */
export const tierCredits = pgTable(
  'tier_credits',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    appId: bigint('app_id', { mode: 'number' }).notNull().references(() => apps.id),
    releaseId: bigint('release_id', { mode: 'number' }).notNull().references(() => releases.id),
    tier: text('tier').notNull(),
    credited: boolean('credited').notNull(),
    /** Why not credited; null when credited. */
    reason: text('reason'),
    /** junit, playwright-json, vitest-json, or seal (production_smoke from a run). */
    format: text('format').notNull(),
    tests: integer('tests').notNull(),
    passed: integer('passed').notNull(),
    failed: integer('failed').notNull(),
    skipped: integer('skipped').notNull(),
    flaky: integer('flaky').notNull(),
    /** SHA-256 of the report's bytes (for a seal: of the run result as recorded). */
    reportSha256: text('report_sha256').notNull(),
    reportBytes: integer('report_bytes').notNull(),
    /** The seal run that credited production_smoke. */
    runId: uuid('run_id').references(() => sealRuns.runId),
    /** Who: a token's name (through the server), or the local user and host. */
    creditedBy: text('credited_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [index('tier_credits_release').on(t.releaseId, t.tier, t.id)],
);

/**
 * The audit log (src/store/audit.ts): one event per change to a release, seal, credit,
 * incident, token or evidence file, each hashed with the previous event's hash. Every column is
 * text or a number so that what is hashed is exactly what is stored. Insert-only: a trigger
 * refuses UPDATE, DELETE and TRUNCATE (migration 0006). Added by 0006.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    /** ISO 8601 in UTC, as hashed (the database's clock). */
    at: text('at').notNull(),
    /** A token's name (through the server), or the local user and host. */
    actor: text('actor').notNull(),
    /** recorded, changed, or adopted (a row from before the log began). */
    action: text('action').notNull(),
    /** release, seal, credit, incident, token or evidence. */
    kind: text('kind').notNull(),
    /** The row's key: a release or credit or incident id, a run id, a token id, run id/file name. */
    subject: text('subject').notNull(),
    app: text('app'),
    version: text('version'),
    /** SHA-256 of the row's content as this event left it (audit.ts says what is hashed). */
    digest: text('digest').notNull(),
    /** One line saying what changed. */
    detail: text('detail').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_events_subject').on(t.kind, t.subject, t.seq), index('audit_events_app').on(t.app, t.version, t.seq)],
);

/** The chain's newest event: its row is what appends lock, one at a time. Added by 0006. */
export const auditHead = pgTable('audit_head', {
  id: integer('id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});
