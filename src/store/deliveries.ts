/**
 * What notifiers remember: their last post on each release (to edit it, or stay quiet), the
 * webhooks that answered "gone", and how each delivery of each run went.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { DeliveryOutcome, PostState } from '../notify/types.js';
import type { LedgerDb } from './db.js';
import { deadTargets, deliveries, isRunId, notifierPosts } from './schema.js';

/** A delivery as the release page shows it. */
export interface DeliveryRecord {
  readonly target: string;
  readonly status: DeliveryOutcome['status'];
  readonly detail: string;
  readonly attempts: number;
  readonly duration_ms: number;
  readonly updated_at: string;
}

/** Notifier state in the ledger's database. */
export class DeliveryStore {
  constructor(private readonly db: LedgerDb) {}

  /** The notifier's last post on the release, if it was made to the same target. */
  async lastPost(releaseId: number, notifier: string, target: string): Promise<PostState | null> {
    const [row] = await this.db.select().from(notifierPosts).where(and(eq(notifierPosts.releaseId, releaseId), eq(notifierPosts.notifier, notifier))).limit(1);
    if (!row || row.target !== target) return null;
    return { messageId: row.messageId, threadId: row.threadId, verdict: row.verdict };
  }

  /** Remembers the notifier's post on the release. */
  async savePost(releaseId: number, notifier: string, target: string, state: PostState): Promise<void> {
    const values = { releaseId, notifier, target, messageId: state.messageId, threadId: state.threadId, verdict: state.verdict };
    await this.db
      .insert(notifierPosts)
      .values(values)
      .onConflictDoUpdate({ target: [notifierPosts.releaseId, notifierPosts.notifier], set: { target, messageId: state.messageId, threadId: state.threadId, verdict: state.verdict, updatedAt: sql`now()` } });
  }

  /** Why the target is not used any more, or null. */
  async gone(target: string): Promise<{ detail: string; since: string } | null> {
    const [row] = await this.db.select().from(deadTargets).where(eq(deadTargets.target, target)).limit(1);
    return row ? { detail: row.detail, since: new Date(row.createdAt).toISOString() } : null;
  }

  /** Forgets that the target was gone (someone fixed it). */
  async forgetGone(target: string): Promise<void> {
    await this.db.delete(deadTargets).where(eq(deadTargets.target, target));
  }

  /** Marks the target gone. */
  async markGone(target: string, notifier: string, detail: string): Promise<void> {
    await this.db.insert(deadTargets).values({ target, notifier, detail }).onConflictDoNothing();
  }

  /** Records how a delivery of a run went (a re-send replaces it). */
  async record(runId: string, target: string, outcome: DeliveryOutcome, durationMs: number): Promise<void> {
    const values = { runId, target, status: outcome.status, detail: outcome.detail, attempts: outcome.attempts, durationMs: Math.round(durationMs) };
    await this.db
      .insert(deliveries)
      .values(values)
      .onConflictDoUpdate({ target: [deliveries.runId, deliveries.target], set: { status: values.status, detail: values.detail, attempts: values.attempts, durationMs: values.durationMs, updatedAt: sql`now()` } });
  }

  /** How each delivery of a run went. */
  async ofRun(runId: string): Promise<DeliveryRecord[]> {
    if (!isRunId(runId)) return [];
    const rows = await this.db.select().from(deliveries).where(eq(deliveries.runId, runId)).orderBy(asc(deliveries.target));
    return rows.map((r) => ({ target: r.target, status: r.status, detail: r.detail, attempts: r.attempts, duration_ms: r.durationMs, updated_at: new Date(r.updatedAt).toISOString() }));
  }
}

/** What a delivery reads and writes of notifier state: the store's, or none at all. */
export type DeliveryMemory = Pick<DeliveryStore, 'lastPost' | 'savePost' | 'gone' | 'forgetGone' | 'markGone' | 'record'>;

/**
 * No notifier state: for telling people about a seal the store could not record. Nothing is
 * known (every post is a new one, no target is gone) and nothing is kept.
 */
export const NO_DELIVERY_MEMORY: DeliveryMemory = {
  lastPost: () => Promise.resolve(null),
  savePost: () => Promise.resolve(),
  gone: () => Promise.resolve(null),
  forgetGone: () => Promise.resolve(),
  markGone: () => Promise.resolve(),
  record: () => Promise.resolve(),
};

