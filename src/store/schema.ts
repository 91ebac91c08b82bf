/**
 * The ledger's tables (drizzle pg-core): one schema for the embedded PGlite store and for
 * Postgres. Migrations are generated from this file into `drizzle/` (`npm run db:generate`),
 * committed, and only ever added to.
 */
import { bigserial, bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';

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
    previousReleaseId: bigint('previous_release_id', { mode: 'number' }).references((): AnyPgColumn => releases.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    /** The current seal; replaced by a newer run, never by an older one finishing late. */
    smokeSeal: jsonb('smoke_seal').$type<SmokeSeal>(),
  },
  (t) => [uniqueIndex('releases_app_version').on(t.appId, t.version), index('releases_app_created').on(t.appId, t.createdAt)],
);

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
  (t) => [index('seal_runs_release').on(t.releaseId, t.finishedAt), index('seal_runs_app_finished').on(t.appId, t.finishedAt)],
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
