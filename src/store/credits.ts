/**
 * Tier credits on releases (tier_credits): appended, never changed. A release's tier is its
 * newest row, credited or not; the ladder (src/evidence/ladder.ts) puts them in the
 * vocabulary's order beside the tiers nobody reported.
 */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { audited } from './audit.js';
import type { LedgerDb } from './db.js';
import { iso, Ledger, withoutNul } from './ledger.js';
import { apps, releases, tierCredits } from './schema.js';

/** One credit as recorded. */
export interface TierCredit {
  readonly tier: string;
  readonly credited: boolean;
  readonly reason: string | null;
  readonly format: string;
  readonly tests: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly flaky: number;
  readonly report_sha256: string;
  readonly report_bytes: number;
  readonly run_id: string | null;
  readonly credited_by: string;
  readonly created_at: string;
}

/** What recording a credit needs (the store sets when). */
export type NewCredit = Omit<TierCredit, 'created_at'>;

export class CreditStore {
  constructor(private readonly db: LedgerDb) {}

  /** Records a credit on a release, recording the release first if the ledger does not know it yet. */
  async record(app: string, version: string, credit: NewCredit): Promise<TierCredit> {
    return audited(this.db, async (db, note) => {
      const recorded = await new CreditStore(db).insert(app, version, credit);
      note({ kind: 'credit', key: String(recorded.id), detail: `${recorded.credit.tier} ${recorded.credit.credited ? 'credited' : `not credited: ${recorded.credit.reason ?? ''}`} (${recorded.credit.format}, sha256 ${recorded.credit.report_sha256.slice(0, 12)})` });
      return recorded.credit;
    });
  }

  private async insert(app: string, version: string, credit: NewCredit): Promise<{ id: number; credit: TierCredit }> {
    const clean = withoutNul(credit);
    const name = withoutNul(version);
    // One statement (a round trip on every seal): the row goes in only if the release is known.
    type Inserted = { id: number | string; created_at: string | Date };
    const insert = async (): Promise<Inserted | undefined> => {
      const answer = await this.db.execute<Inserted>(sql`
        INSERT INTO tier_credits (app_id, release_id, tier, credited, reason, format, tests, passed, failed, skipped, flaky, report_sha256, report_bytes, run_id, credited_by)
        SELECT r.app_id, r.id, ${clean.tier}, ${clean.credited}, ${clean.reason}::text, ${clean.format}, ${clean.tests}, ${clean.passed}, ${clean.failed}, ${clean.skipped}, ${clean.flaky},
          ${clean.report_sha256}, ${clean.report_bytes}, ${clean.run_id}::uuid, ${clean.credited_by}
        FROM releases r JOIN apps a ON a.id = r.app_id WHERE a.name = ${app} AND r.version = ${name}
        RETURNING id, created_at`);
      // node-postgres and PGlite both answer with { rows }.
      return (answer as { rows: Inserted[] }).rows[0];
    };
    let row = await insert();
    if (!row) {
      // Tests usually run before the release is recorded: the credit records it.
      await new Ledger(this.db).recordRelease({ app, version: name });
      row = await insert();
    }
    if (!row) throw new Error(`release ${app} ${version} vanished while a credit was recorded`);
    return { id: Number(row.id), credit: { ...clean, created_at: iso(row.created_at) } };
  }

  /** A release's credits, oldest first: the newest MAX_HISTORY of them. [] for a release the ledger does not know. */
  async history(app: string, version: string): Promise<TierCredit[]> {
    const rows = await this.db
      .select({ credit: tierCredits })
      .from(tierCredits)
      .innerJoin(releases, eq(releases.id, tierCredits.releaseId))
      .innerJoin(apps, eq(apps.id, releases.appId))
      .where(and(eq(apps.name, app), eq(releases.version, version)))
      // Newest first, so that a flood of credits cannot hide the latest ones past the bound.
      .orderBy(desc(tierCredits.id))
      .limit(MAX_HISTORY);
    return rows.reverse().map(({ credit }) => toCredit(credit));
  }

  /** The newest credit of each tier of a release (one indexed read: release, tier, id). */
  async current(app: string, version: string): Promise<TierCredit[]> {
    const rows = await this.db
      .selectDistinctOn([tierCredits.tier], { credit: tierCredits })
      .from(tierCredits)
      .innerJoin(releases, eq(releases.id, tierCredits.releaseId))
      .innerJoin(apps, eq(apps.id, releases.appId))
      .where(and(eq(apps.name, app), eq(releases.version, version)))
      .orderBy(asc(tierCredits.tier), desc(tierCredits.id))
      .limit(MAX_TIERS);
    return rows.sort((a, b) => a.credit.id - b.credit.id).map(({ credit }) => toCredit(credit));
  }
}

function toCredit(c: typeof tierCredits.$inferSelect): TierCredit {
  return {
    tier: c.tier,
    credited: c.credited,
    reason: c.reason,
    format: c.format,
    tests: c.tests,
    passed: c.passed,
    failed: c.failed,
    skipped: c.skipped,
    flaky: c.flaky,
    report_sha256: c.reportSha256,
    report_bytes: c.reportBytes,
    run_id: c.runId,
    credited_by: c.creditedBy,
    created_at: iso(c.createdAt),
  };
}

/** Most tiers of one release read back (names outside today's vocabulary included). */
const MAX_TIERS = 100;

/** Most credits of one release read back. */
export const MAX_HISTORY = 1000;
