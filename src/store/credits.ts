/**
 * Tier credits on releases (tier_credits): appended, never changed. A release's tier is its
 * newest row, credited or not; the ladder (src/evidence/ladder.ts) puts them in the
 * vocabulary's order beside the tiers nobody reported.
 */
import { and, asc, eq } from 'drizzle-orm';
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
    const clean = withoutNul(credit);
    const find = async () =>
      (await this.db
        .select({ id: releases.id, appId: releases.appId })
        .from(releases)
        .innerJoin(apps, eq(apps.id, releases.appId))
        .where(and(eq(apps.name, app), eq(releases.version, withoutNul(version))))
        .limit(1))[0];
    let release = await find();
    if (!release) {
      // Tests usually run before the release is recorded: the credit records it.
      await new Ledger(this.db).recordRelease({ app, version: withoutNul(version) });
      release = await find();
    }
    if (!release) throw new Error(`release ${app} ${version} vanished while a credit was recorded`);
    const [row] = await this.db
      .insert(tierCredits)
      .values({
        appId: release.appId,
        releaseId: release.id,
        tier: clean.tier,
        credited: clean.credited,
        reason: clean.reason,
        format: clean.format,
        tests: clean.tests,
        passed: clean.passed,
        failed: clean.failed,
        skipped: clean.skipped,
        flaky: clean.flaky,
        reportSha256: clean.report_sha256,
        reportBytes: clean.report_bytes,
        runId: clean.run_id,
        creditedBy: clean.credited_by,
      })
      .returning({ createdAt: tierCredits.createdAt });
    return { ...clean, created_at: iso(row?.createdAt ?? new Date().toISOString()) };
  }

  /** Every credit of a release, oldest first (its history); [] for a release the ledger does not know. */
  async history(app: string, version: string): Promise<TierCredit[]> {
    const rows = await this.db
      .select({ credit: tierCredits })
      .from(tierCredits)
      .innerJoin(releases, eq(releases.id, tierCredits.releaseId))
      .innerJoin(apps, eq(apps.id, releases.appId))
      .where(and(eq(apps.name, app), eq(releases.version, version)))
      .orderBy(asc(tierCredits.id))
      // A release's credits are a handful per CI run; the bound keeps a flood from being read whole.
      .limit(MAX_HISTORY);
    return rows.map(({ credit: c }) => ({
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
    }));
  }

  /** The newest credit of each tier of a release. */
  async current(app: string, version: string): Promise<TierCredit[]> {
    const newest = new Map<string, TierCredit>();
    for (const credit of await this.history(app, version)) newest.set(credit.tier, credit);
    return [...newest.values()];
  }
}

/** Most credits of one release read back. */
export const MAX_HISTORY = 1000;
