/**
 * The release ledger: apps, their releases, and every seal run on them. Written against the
 * drizzle database only (db.ts knows the driver), so the same code runs on the embedded store
 * and on Postgres, and the same contract tests run against both.
 */
import { and, asc, desc, eq, gte, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { RunResult } from '../runner/run-result.js';
import type { LedgerDb } from './db.js';
import { formatDuration } from '../incidents/durations.js';
import { milestoneTimes, type Incident } from '../incidents/model.js';
import { apps, checkResults, incidents, releases, sealRuns, type SmokeSeal, isRunId } from './schema.js';
import { audited, type Note } from './audit.js';
import { storableText } from './text.js';

/** What `seal release record` says about a release; unknown fields stay as they were. */

/**
 * Not one location's run of a located seal (those are in the history, `part_of` their combined
 * seal): counts, recoveries and the board's recent runs count a located seal once, by its combined run.
 */
const PART_OF_NONE = sql`${sealRuns.result}->>'part_of' IS NULL`;

export interface ReleaseInput {
  readonly app: string;
  readonly version: string;
  readonly sha?: string | null;
  readonly mergeSha?: string | null;
  readonly branch?: string | null;
  readonly notes?: string | null;
  /** ISO 8601; null: unknown. */
  readonly deployedAt?: string | null;
  /** ISO 8601; when the change was merged. */
  readonly mergedAt?: string | null;
  /** Used only when this records the release: a seal's commit, known but not stated by anyone. */
  readonly createOnly?: { readonly sha?: string | null; readonly mergeSha?: string | null };
}

/** A release as the CLI and the board show it. */
export interface ReleaseRecord {
  readonly app: string;
  readonly version: string;
  readonly sha: string | null;
  readonly merge_sha: string | null;
  readonly branch: string | null;
  readonly deployed_at: string | null;
  readonly merged_at: string | null;
  readonly notes: string | null;
  readonly previous_version: string | null;
  readonly created_at: string;
  readonly smoke_seal: SmokeSeal | null;
}

/** A page of the board: releases newest first (without their notes), and the cursor of the next (older) page. */
export interface ReleasePage {
  readonly releases: readonly (Omit<ReleaseRecord, 'notes'> & { readonly id: number })[];
  /** Pass as `before` for the next page; null on the last page. */
  readonly next: number | null;
}

/** A seal as the board filters by it: a verdict, or not sealed yet. */
export type BoardVerdict = SmokeSeal['status'] | 'pending';

/** What a board row shows beside the release: from its current seal's run, and its incidents. */
export interface BoardDetails {
  duration_ms: number | null;
  readonly failing: string[];
  readonly incidents: { readonly id: number; readonly severity: number; readonly title: string }[];
  /** Each tier reported on the release, as its newest credit says (the ladder, compactly). */
  readonly tiers: { readonly tier: string; readonly credited: boolean }[];
}

/** One app on the board's overview. */
export interface AppOverview {
  readonly app: string;
  /** The app's latest release and its seal (what its badge shows). */
  readonly latest: { readonly version: string; readonly smoke_seal: SmokeSeal | null } | null;
  /** Its last seal runs, oldest first. */
  readonly runs: { readonly run_id: string; readonly verdict: SmokeSeal['status']; readonly version: string | null; readonly finished_at: string; readonly duration_ms: number }[];
}

/** A stored run: its result as recorded, and the release it sealed. */
export interface StoredRun {
  readonly result: RunResult;
  readonly version: string | null;
}

/** One seal run of a release, newest first in `seal_history`. */
export interface SealHistoryEntry {
  readonly run_id: string;
  readonly status: SmokeSeal['status'];
  readonly summary: string;
  readonly started_at: string;
  readonly finished_at: string;
  readonly evidence_dir: string | null;
  /** Where the run was made from, when its app names locations. */
  readonly location?: string | null;
  /** The located seal this run is one location's part of. */
  readonly part_of?: string | null;
  /** A soak seal's delay after the first seal (`10m`). */
  readonly soak?: string | null;
}

/** The outcome of recording a seal. */
export interface RecordedSeal {
  readonly seal: SmokeSeal;
  /** False when a newer seal of the same release was already recorded (this one joins the history only). */
  readonly current: boolean;
  /** False when this run was already recorded (the same run_id twice changes nothing). */
  readonly inserted: boolean;
  /** True when the notes the caller passed were written with the seal. */
  readonly notesWritten?: boolean;
}

/** Delivery metrics over a window. */
export interface Stats {
  readonly app: string;
  readonly since: string;
  readonly deployments: number;
  readonly sealed: number;
  readonly green: number;
  readonly red: number;
  readonly error: number;
  /** Seal runs that came out green, over all seal runs in the window (null: none). */
  readonly seal_pass_rate: number | null;
  /** DORA: failed deployments (current seal red, or an incident opened on it) over deployments (null: none). */
  readonly change_failure_rate: number | null;
  /** The deployments counted as failed. */
  readonly failed_deployments: number;
  /** DORA: how long failed deployments took to recover (see `recoveryOf`). */
  readonly failed_deployment_recovery: {
    /** Median over those recovered, in ms (null: none recovered). */
    readonly median_ms: number | null;
    /** "2h 54m", or "n/a". */
    readonly median: string;
    readonly recovered: number;
    /** Failed deployments with no recovery yet. */
    readonly unrecovered: number;
  };
}

/** One failed deployment, as the recovery time needs it. */
interface FailedDeployment {
  readonly id: number;
  readonly deployedAt: string | null;
  readonly createdAt: string;
  readonly firstRed: string | null;
  /** Milestones of incidents opened on it ({impact_started, mitigated}). */
  readonly incidentTimes: readonly { impact_started?: string; mitigated?: string }[];
}

/** Postgres text and jsonb cannot hold NUL or a lone surrogate; production data can: both become U+FFFD. */
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutNul(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [withoutNul(key), withoutNul(item)])) as T;
  }
  return value;
}

/** ISO 8601 in UTC of a stored time: drizzle hands out text, a raw query may hand out a Date. */
export function iso(value: string | Date): string;
export function iso(value: string | Date | null): string | null;
export function iso(value: string | Date | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

function missing(release: { app: string; version: string }): never {
  throw new Error(`release ${release.app} ${release.version} vanished while being recorded`);
}

/** The columns a ReleaseRecord is made of (the app's name aside). */
function releaseColumns({ notes = true } = {}) {
  return {
    id: releases.id,
    version: releases.version,
    sha: releases.sha,
    mergeSha: releases.mergeSha,
    branch: releases.branch,
    deployedAt: releases.deployedAt,
    mergedAt: releases.mergedAt,
    // Notes can be 1 MiB each: lists leave them out.
    notes: notes ? releases.notes : sql<string | null>`NULL`,
    // The previous release is the app's release with the next lower id: ids come from one
    // sequence, so concurrent records form a chain and never a fork, without a lock.
    // Qualified by hand: drizzle leaves the table name out in RETURNING, where p's own columns would match.
    previousVersion: sql<string | null>`(SELECT p.version FROM releases p WHERE p.app_id = "releases"."app_id" AND p.id < "releases"."id" ORDER BY p.id DESC LIMIT 1)`,
    createdAt: releases.createdAt,
    smokeSeal: releases.smokeSeal,
  };
}

interface ReleaseRow {
  readonly id: number;
  readonly version: string;
  readonly sha: string | null;
  readonly mergeSha: string | null;
  readonly branch: string | null;
  readonly deployedAt: string | null;
  readonly mergedAt: string | null;
  readonly notes: string | null;
  readonly previousVersion: string | null;
  readonly createdAt: string;
  readonly smokeSeal: SmokeSeal | null;
}

function withoutId({ id: _id, ...release }: ReleaseRecord & { id: number }): ReleaseRecord {
  return release;
}

function toRecord(app: string, r: ReleaseRow): ReleaseRecord & { id: number } {
  return {
    id: r.id,
    app,
    version: r.version,
    sha: r.sha,
    merge_sha: r.mergeSha,
    branch: r.branch,
    deployed_at: iso(r.deployedAt),
    merged_at: iso(r.mergedAt),
    notes: r.notes,
    previous_version: r.previousVersion,
    created_at: iso(r.createdAt),
    smoke_seal: r.smokeSeal ?? null,
  };
}

/** The ledger over an open database. */
export class Ledger {
  /** App ids seen committed (a server records thousands of seals of the same few apps). */
  private readonly appIds: Map<string, number>;

  constructor(
    readonly db: LedgerDb,
    appIds?: Map<string, number>,
  ) {
    this.appIds = appIds ?? new Map<string, number>();
  }

  /** This ledger over `db` (a transaction of its database), reading the same app ids (it adds none: see rememberApp). */
  private on(db: LedgerDb): Ledger {
    return db === this.db ? this : new Ledger(db, new Map(this.appIds));
  }

  /** Remembers an app's id once the transaction that may have created it has committed. */
  private rememberApp(name: string, id: number): void {
    if (this.appIds.size < 10_000) this.appIds.set(name, id);
  }

  /** Whether the ledger has seen this app. */
  async appExists(name: string): Promise<boolean> {
    const rows = await this.db.select({ id: apps.id }).from(apps).where(eq(apps.name, name)).limit(1);
    return rows.length > 0;
  }

  /** The app's id, created on first use. Ids of committed apps are kept: apps are never deleted. */
  private async appId(name: string, db: LedgerDb = this.db): Promise<number> {
    const known = this.appIds.get(name);
    if (known !== undefined) return known;
    await db.insert(apps).values({ name }).onConflictDoNothing({ target: apps.name });
    const [row] = await db.select({ id: apps.id }).from(apps).where(eq(apps.name, name));
    if (!row) throw new Error(`app ${name} vanished while being recorded`);
    return row.id;
  }

  /**
   * Records a release, or updates the fields given for one already recorded: one statement. Its
   * previous release is the app's release recorded just before it (see `releaseQuery`).
   */
  async recordRelease(input: ReleaseInput): Promise<{ release: ReleaseRecord; created: boolean }> {
    return audited(this.db, (db, note) => this.on(db).writeRelease(input, note));
  }

  private async writeRelease(input: ReleaseInput, note: Note): Promise<{ release: ReleaseRecord; created: boolean }> {
    const clean = withoutNul(input);
    const appId = await this.appId(clean.app);
    const fields = {
      ...(clean.sha !== undefined ? { sha: clean.sha } : {}),
      ...(clean.mergeSha !== undefined ? { mergeSha: clean.mergeSha } : {}),
      ...(clean.branch !== undefined ? { branch: clean.branch } : {}),
      ...(clean.notes !== undefined ? { notes: clean.notes } : {}),
      ...(clean.deployedAt !== undefined ? { deployedAt: clean.deployedAt } : {}),
      ...(clean.mergedAt !== undefined ? { mergedAt: clean.mergedAt } : {}),
    };
    // Values the release gets only if it is new (what a run knows of its commit must not
    // overwrite what was recorded).
    const initial = {
      ...(clean.createOnly?.sha ? { sha: clean.createOnly.sha } : {}),
      ...(clean.createOnly?.mergeSha ? { mergeSha: clean.createOnly.mergeSha } : {}),
    };
    const upsert = this.db.insert(releases).values({ appId, version: clean.version, ...initial, ...fields });
    const target = [releases.appId, releases.version];
    // xmax = 0 only on a row this statement inserted (an updated row carries its updater's id).
    const returning = { ...releaseColumns(), created: sql<boolean>`(xmax = 0)` };
    const [row] = Object.keys(fields).length > 0
      ? await upsert.onConflictDoUpdate({ target, set: fields }).returning(returning)
      : await upsert.onConflictDoNothing({ target }).returning(returning);
    // Nothing returned: the release existed and nothing was to change.
    const release = withoutId(row ? toRecord(clean.app, row) : ((await this.releaseQuery(and(eq(apps.name, clean.app), eq(releases.version, clean.version)), 1, 'id'))[0] ?? missing(clean)));
    if (row) note({ kind: 'release', key: String(row.id), detail: row.created ? 'recorded' : `changed: ${Object.keys(fields).join(', ')}` });
    return { release, created: row?.created === true };
  }

  /** Releases of an app, newest first. */
  async listReleases(app: string, { limit = 50 }: { limit?: number } = {}): Promise<ReleaseRecord[]> {
    return this.selectReleases(app, null, limit);
  }

  /** Releases of every app (or one, or those whose seal is `verdict`), newest recorded first, `limit` at a time from `before` (an id). */
  async pageReleases({ app, verdict, before, limit = 50 }: { app?: string | null; verdict?: BoardVerdict | null; before?: number | null; limit?: number } = {}): Promise<ReleasePage> {
    const where: SQL[] = [];
    if (app) where.push(eq(apps.name, app));
    if (verdict === 'pending') where.push(isNull(releases.smokeSeal));
    else if (verdict) where.push(sql`${releases.smokeSeal}->>'status' = ${verdict}`);
    if (before) where.push(lt(releases.id, before));
    // One more than asked tells whether an older page exists.
    const rows = await this.releaseQuery(where.length > 0 ? and(...where) : undefined, limit + 1, 'id', { notes: false });
    const page = rows.slice(0, limit).map(({ notes: _notes, ...release }) => release);
    return { releases: page, next: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
  }

  /**
   * What the board's rows add to a page of releases: each current seal's run time and failing
   * check names, and the incidents opened on each release. Three queries for the whole page.
   */
  async boardDetails(page: ReleasePage['releases']): Promise<Map<number, BoardDetails>> {
    const runIds = page.flatMap((r) => (r.smoke_seal && isRunId(r.smoke_seal.run_id) ? [r.smoke_seal.run_id] : []));
    const releaseIds = page.map((r) => r.id);
    const out = new Map<number, BoardDetails>(page.map((r) => [r.id, { duration_ms: null, failing: [], incidents: [], tiers: [] }]));
    if (releaseIds.length === 0) return out;
    // One statement for the whole page (a round trip is what a busy board pays most for: the
    // server's profile had a quarter of its time in sending queries): the current runs' times,
    // their failing checks, the incidents opened on the releases, and each release's newest
    // credit of each tier (the index is on release, tier, id; at most 20 tiers a release).
    type Row = { kind: 'run' | 'fail' | 'incident' | 'tier'; release_id: number | string | null; run_id: string | null; text: string | null; other: string | null; num: number | string | null; flag: boolean | null; ord: number | string };
    const runList = runIds.length === 0 ? sql`NULL::uuid` : sql.join(runIds.map((id) => sql`${id}::uuid`), sql`, `);
    const releaseList = sql.join(releaseIds.map((id) => sql`${id}`), sql`, `);
    const answer = await this.db.execute<Row>(sql`
      SELECT 'run' AS kind, NULL::bigint AS release_id, s.run_id::text AS run_id, floor(extract(epoch FROM s.started_at) * 1000)::bigint::text AS text, floor(extract(epoch FROM s.finished_at) * 1000)::bigint::text AS other, NULL::int AS num, NULL::boolean AS flag, 0::bigint AS ord
        FROM seal_runs s WHERE s.run_id IN (${runList})
      UNION ALL
      SELECT 'fail', NULL, c.run_id::text, c.name, NULL, NULL, NULL, c.position
        FROM check_results c WHERE c.run_id IN (${runList}) AND c.status IN ('failed', 'error')
      UNION ALL
      SELECT 'incident', i.release_id, NULL, i.title, NULL, i.severity, NULL, i.id
        FROM incidents i WHERE i.release_id IN (${releaseList})
      UNION ALL
      SELECT 'tier', t.release_id, NULL, t.tier, NULL, NULL, t.credited, 0 FROM (
        SELECT DISTINCT ON (release_id, tier) release_id, tier, credited FROM tier_credits
        WHERE release_id IN (${releaseList})
        ORDER BY release_id, tier, id DESC
        LIMIT ${releaseIds.length * 20}
      ) t
      ORDER BY kind, run_id, ord, release_id, text`);
    // The database gives run ids back in lower case; a reporter may have sent one in upper case.
    const ofRun = new Map(page.flatMap((r) => (r.smoke_seal ? [[r.smoke_seal.run_id.toLowerCase(), out.get(r.id)] as const] : [])));
    for (const row of (answer as { rows: Row[] }).rows) {
      if (row.kind === 'run') {
        const entry = row.run_id === null ? undefined : ofRun.get(row.run_id);
        // Whole milliseconds since the epoch, each rounded down, as Date.parse reads an ISO time.
        if (entry && row.text && row.other) entry.duration_ms = Math.max(0, Number(row.other) - Number(row.text));
      } else if (row.kind === 'fail') {
        if (row.run_id !== null && row.text !== null) ofRun.get(row.run_id)?.failing.push(row.text);
      } else if (row.kind === 'incident') {
        if (row.release_id !== null) out.get(Number(row.release_id))?.incidents.push({ id: Number(row.ord), severity: Number(row.num), title: row.text ?? '' });
      } else if (row.release_id !== null && row.text !== null) {
        out.get(Number(row.release_id))?.tiers.push({ tier: row.text, credited: row.flag === true });
      }
    }
    return out;
  }

  /**
   * Each app's (or one app's) state for the board's overview: its latest release and that
   * release's seal, and its last `runs` seal runs, oldest first (one indexed read per app).
   */
  async appOverview({ app = null, apps: most = 50, runs = 30 }: { app?: string | null; apps?: number; runs?: number } = {}): Promise<AppOverview[]> {
    type Row = { name: string; version: string | null; smoke_seal: SmokeSeal | null; run_id: string | null; verdict: SmokeSeal['status'] | null; started_at: string | Date | null; finished_at: string | Date | null; run_version: string | null };
    const answer = await this.db.execute<Row>(sql`
      SELECT a.name, cur.version, cur.smoke_seal, r.run_id, r.verdict, r.started_at, r.finished_at, rel.version AS run_version
      FROM (SELECT id, name FROM apps ${app === null ? sql`` : sql`WHERE name = ${app}`} ORDER BY name LIMIT ${most}) a
      LEFT JOIN LATERAL (SELECT version, smoke_seal FROM releases WHERE app_id = a.id ORDER BY id DESC LIMIT 1) cur ON true
      LEFT JOIN LATERAL (SELECT run_id, verdict, started_at, finished_at, release_id FROM seal_runs WHERE app_id = a.id AND result->>'part_of' IS NULL ORDER BY finished_at DESC LIMIT ${runs}) r ON true
      LEFT JOIN releases rel ON rel.id = r.release_id
      ORDER BY a.name, r.finished_at`);
    const byApp = new Map<string, AppOverview>();
    for (const row of (answer as { rows: Row[] }).rows) {
      let entry = byApp.get(row.name);
      if (!entry) {
        entry = { app: row.name, latest: row.version === null ? null : { version: row.version, smoke_seal: row.smoke_seal }, runs: [] };
        byApp.set(row.name, entry);
      }
      if (row.run_id && row.verdict && row.started_at && row.finished_at) {
        const finished = iso(row.finished_at);
        entry.runs.push({ run_id: row.run_id, verdict: row.verdict, version: row.run_version, finished_at: finished, duration_ms: Math.max(0, Date.parse(finished) - Date.parse(iso(row.started_at))) });
      }
    }
    return [...byApp.values()];
  }

  /** The release's id (for what is kept per release), or null. */
  async releaseIdOf(app: string, version: string): Promise<number | null> {
    const [row] = await this.db.select({ id: releases.id }).from(releases).innerJoin(apps, eq(apps.id, releases.appId)).where(and(eq(apps.name, app), eq(releases.version, version))).limit(1);
    return row?.id ?? null;
  }

  /**
   * Rewrites a release's notes with `transform` (the seal block), the row locked meanwhile so
   * concurrent seals do not lose each other's change. Returns the new notes, or null when the
   * release is unknown.
   */
  async updateNotes(app: string, version: string, transform: (notes: string | null) => string): Promise<string | null> {
    return audited(this.db, async (tx, note) => {
      const [row] = await tx
        .select({ id: releases.id, notes: releases.notes })
        .from(releases)
        .innerJoin(apps, eq(apps.id, releases.appId))
        .where(and(eq(apps.name, app), eq(releases.version, version)))
        .for('update', { of: releases });
      if (!row) return null;
      const notes = withoutNul(transform(row.notes));
      if (notes !== row.notes) {
        await tx.update(releases).set({ notes }).where(eq(releases.id, row.id));
        note({ kind: 'release', key: String(row.id), detail: 'notes: the seal block' });
      }
      return notes;
    });
  }

  /** Names of every app the ledger knows, alphabetically. */
  async appNames(): Promise<string[]> {
    const rows = await this.db.select({ name: apps.name }).from(apps).orderBy(asc(apps.name));
    return rows.map((r) => r.name);
  }

  /** A recorded run, or null. */
  async getRun(runId: string): Promise<StoredRun | null> {
    if (!isRunId(runId)) return null;
    const [row] = await this.db
      .select({ result: sealRuns.result, version: releases.version })
      .from(sealRuns)
      .leftJoin(releases, eq(releases.id, sealRuns.releaseId))
      .where(eq(sealRuns.runId, runId))
      .limit(1);
    return row ? { result: row.result as RunResult, version: row.version } : null;
  }

  /** A mark that changes whenever a release or a seal run is recorded (for live boards). */
  async changeMark(): Promise<string> {
    const [latestRelease] = await this.db.select({ mark: sql<string | null>`max(${releases.id})::text` }).from(releases);
    const [latestRun] = await this.db.select({ mark: sql<string | null>`max(${sealRuns.createdAt})::text` }).from(sealRuns);
    return `${latestRelease?.mark ?? ''}|${latestRun?.mark ?? ''}`;
  }

  /** One release, or null. */
  async getRelease(app: string, version: string): Promise<ReleaseRecord | null> {
    const [release] = await this.selectReleases(app, version, 1);
    return release ?? null;
  }

  /** The app's most recently recorded release, or null. */
  async latestRelease(app: string): Promise<ReleaseRecord | null> {
    const [release] = await this.selectReleases(app, null, 1);
    return release ?? null;
  }

  private async selectReleases(app: string, version: string | null, limit: number): Promise<ReleaseRecord[]> {
    // The app's id as a value the planner knows before it plans the scan (not a join on its name):
    // then the (app_id, created_at) index hands out the newest releases first. Joined on the name,
    // Postgres read every release of the app and sorted them: 35 ms for a badge at 100,000
    // releases, 0.6 ms this way (EXPLAIN ANALYZE, docs/performance.md).
    const ofApp = eq(releases.appId, sql`(SELECT id FROM apps WHERE name = ${app})`);
    const rows = await this.releaseQuery(version === null ? ofApp : and(ofApp, eq(releases.version, version)), limit, 'created');
    return rows.map(withoutId);
  }

  private async releaseQuery(where: SQL | undefined, limit: number, order: 'id' | 'created', { notes = true } = {}): Promise<(ReleaseRecord & { id: number })[]> {
    const rows = await this.db
      .select({ ...releaseColumns({ notes }), app: apps.name })
      .from(releases)
      .innerJoin(apps, eq(apps.id, releases.appId))
      .where(where)
      .orderBy(...(order === 'id' ? [desc(releases.id)] : [desc(releases.createdAt), desc(releases.id)]))
      .limit(limit);
    return rows.map((r) => toRecord(r.app, r));
  }

  /** Every seal run of a release, newest first. */
  async sealHistory(app: string, version: string): Promise<SealHistoryEntry[]> {
    const rows = await this.db
      .select({
        runId: sealRuns.runId,
        verdict: sealRuns.verdict,
        summary: sealRuns.summary,
        startedAt: sealRuns.startedAt,
        finishedAt: sealRuns.finishedAt,
        evidenceDir: sealRuns.evidenceDir,
        location: sql<string | null>`${sealRuns.result}->>'location'`,
        partOf: sql<string | null>`${sealRuns.result}->>'part_of'`,
        soak: sql<string | null>`${sealRuns.result}->>'soak'`,
      })
      .from(sealRuns)
      .innerJoin(releases, eq(releases.id, sealRuns.releaseId))
      .innerJoin(apps, eq(apps.id, releases.appId))
      .where(and(eq(apps.name, app), eq(releases.version, version)))
      .orderBy(desc(sealRuns.finishedAt), desc(sealRuns.createdAt));
    return rows.map((r) => ({ run_id: r.runId, status: r.verdict, summary: r.summary, started_at: iso(r.startedAt), finished_at: iso(r.finishedAt), evidence_dir: r.evidenceDir, ...(r.location ? { location: r.location } : {}), ...(r.partOf ? { part_of: r.partOf } : {}), ...(r.soak ? { soak: r.soak } : {}) }));
  }

  /**
   * Records a run on a release (`version`, recorded first if unknown; null: a run of no release).
   * The run always joins the history; it becomes the release's current seal unless a run that
   * finished later is already there, so concurrent seals leave the newest one current. Runs that
   * finished in the same millisecond are ordered by run id, so the outcome never depends on
   * which one committed last.
   * Recording the same run twice changes nothing.
   */
  async recordSeal(result: RunResult, releaseVersion: string | null, options: { notes?: { readonly known: string | null; readonly next: string }; historyOnly?: boolean } = {}): Promise<RecordedSeal> {
    const { recorded, appId } = await audited(this.db, (db, note) => this.on(db).writeSeal(result, releaseVersion, options, note));
    // Committed now, unless this ledger is itself over a transaction (then it dies with it).
    this.rememberApp(result.app, appId);
    return recorded;
  }

  private async writeSeal(result: RunResult, releaseVersion: string | null, { notes, historyOnly = false }: { notes?: { readonly known: string | null; readonly next: string }; historyOnly?: boolean }, note: Note): Promise<{ recorded: RecordedSeal; appId: number }> {
    const run = withoutNul(result);
    // New notes (the seal block) go in with the seal when it becomes current and the notes are
    // still what the caller read; otherwise `notesWritten` is false and the caller rewrites them.
    const notesKnown = notes ? withoutNul(notes.known) : null;
    const notesNext = notes ? withoutNul(notes.next) : null;
    const version = withoutNul(releaseVersion);
    const seal: SmokeSeal = { status: run.verdict, summary: run.summary, checked_at: new Date(run.finished_at).toISOString(), run_id: run.run_id };
    const appId = await this.appId(run.app);
    const checks = JSON.stringify(run.checks.map((c) => ({ name: c.name, kind: c.kind, status: c.status, duration_ms: Math.round(c.duration_ms), attempts: c.attempts, error: c.error })));
    const runJson = JSON.stringify(run);
    const sealJson = JSON.stringify(seal);
    // One statement, so one round trip and atomic without a transaction: the run, its checks
    // (only if the run is new) and, when it finished last, the release's current seal. Whichever
    // concurrent seal finished last wins, whatever the commit order. A release the ledger does
    // not know yet writes nothing: it is recorded, then the statement runs again.
    const write = async (): Promise<{ found: boolean; inserted: boolean; current: boolean; notesWritten: boolean; releaseId: number | null }> => {
      type Written = { found: boolean; inserted: boolean; current: boolean; notes_written: boolean; release_id: number | string | null };
      const written = await this.db.execute<Written>(sql`
        WITH rel AS (
          SELECT id FROM releases WHERE app_id = ${appId} AND version = ${version}
        ), run AS (
          INSERT INTO seal_runs (run_id, app_id, release_id, verdict, summary, started_at, finished_at, result, evidence_dir)
          SELECT ${run.run_id}, ${appId}, (SELECT id FROM rel), ${run.verdict}, ${run.summary}, ${run.started_at}, ${run.finished_at}, ${runJson}::jsonb, ${run.evidence_dir}
          WHERE ${version}::text IS NULL OR EXISTS (SELECT 1 FROM rel)
          ON CONFLICT (run_id) DO NOTHING
          RETURNING run_id
        ), checks AS (
          INSERT INTO check_results (run_id, position, app_id, name, kind, status, duration_ms, attempts, error, finished_at)
          SELECT run.run_id, c.ord - 1, ${appId}, c.item->>'name', c.item->>'kind', c.item->>'status', (c.item->>'duration_ms')::int, (c.item->>'attempts')::int, c.item->>'error', ${run.finished_at}
          FROM run, jsonb_array_elements(${checks}::jsonb) WITH ORDINALITY AS c(item, ord)
        ), current AS (
          UPDATE releases SET smoke_seal = ${sealJson}::jsonb,
            notes = CASE WHEN ${notesNext}::text IS NOT NULL AND notes IS NOT DISTINCT FROM ${notesKnown}::text THEN ${notesNext}::text ELSE notes END
          WHERE id = (SELECT id FROM rel) AND EXISTS (SELECT 1 FROM run) AND NOT ${historyOnly}::boolean AND (smoke_seal IS NULL OR ((smoke_seal->>'checked_at')::timestamptz, smoke_seal->>'run_id' COLLATE "C") <= (${seal.checked_at}::timestamptz, ${seal.run_id}::text COLLATE "C"))
          RETURNING id, ${notesNext}::text IS NOT NULL AND notes IS NOT DISTINCT FROM ${notesNext}::text AS notes_written
        )
        SELECT ${version}::text IS NULL OR EXISTS (SELECT 1 FROM rel) AS found, EXISTS (SELECT 1 FROM run) AS inserted, EXISTS (SELECT 1 FROM current) AS current,
          coalesce((SELECT notes_written FROM current), false) AS notes_written, (SELECT id FROM rel) AS release_id`);
      // node-postgres and PGlite both answer with { rows }.
      const [row] = (written as { rows: Written[] }).rows;
      return { found: row?.found === true, inserted: row?.inserted === true, current: row?.current === true, notesWritten: row?.notes_written === true, releaseId: row?.release_id === null || row?.release_id === undefined ? null : Number(row.release_id) };
    };
    let written = await write();
    if (!written.found && version !== null) {
      // Unknown fields stay undefined: a concurrent `release record` must not see them blanked.
      await this.recordRelease({ app: run.app, version, createOnly: { sha: run.release?.sha, mergeSha: run.release?.merge_sha } });
      written = await write();
    }
    if (written.inserted) note({ kind: 'seal', key: run.run_id, detail: `${run.verdict}: ${run.summary}` });
    if (written.current && written.releaseId !== null) note({ kind: 'release', key: String(written.releaseId), detail: `sealed ${run.verdict} by run ${run.run_id}${written.notesWritten ? ', notes: the seal block' : ''}` });
    return { recorded: { seal, current: written.current, inserted: written.inserted, notesWritten: written.notesWritten }, appId };
  }

  /** When a check last ended with `status` (failed by default), or null. */
  async lastCheckStatus(app: string, check: string, status = 'failed'): Promise<{ run_id: string; finished_at: string } | null> {
    const [row] = await this.db
      .select({ runId: checkResults.runId, finishedAt: checkResults.finishedAt })
      .from(checkResults)
      .innerJoin(apps, eq(apps.id, checkResults.appId))
      .where(and(eq(apps.name, app), eq(checkResults.name, check), eq(checkResults.status, status)))
      .orderBy(desc(checkResults.finishedAt))
      .limit(1);
    return row ? { run_id: row.runId, finished_at: iso(row.finishedAt) } : null;
  }

  /** Deployment count (by deployed_at, else recorded time), seal pass rate and change failure rate since `since` (ISO 8601). */
  async stats(app: string, since: string): Promise<Stats> {
    const [deployments] = await this.db
      .select({ total: sql<number>`count(*)::int`, sealed: sql<number>`count(${releases.smokeSeal})::int`, red: sql<number>`count(*) FILTER (WHERE ${releases.smokeSeal}->>'status' = 'red')::int` })
      .from(releases)
      .innerJoin(apps, eq(apps.id, releases.appId))
      // A release counts in the window it was deployed in (recorded, when nobody said).
      .where(and(eq(apps.name, app), gte(sql`coalesce(${releases.deployedAt}, ${releases.createdAt})`, since)));
    const runs = await this.db
      .select({ verdict: sealRuns.verdict, n: sql<number>`count(*)::int` })
      .from(sealRuns)
      .innerJoin(apps, eq(apps.id, sealRuns.appId))
      // A located seal counts once: its runs per location are parts of it (PART_OF_NONE).
      .where(and(eq(apps.name, app), gte(sealRuns.finishedAt, since), PART_OF_NONE))
      .groupBy(sealRuns.verdict);
    const count = (verdict: string): number => runs.find((r) => r.verdict === verdict)?.n ?? 0;
    const totalRuns = runs.reduce((sum, r) => sum + r.n, 0);
    const total = deployments?.total ?? 0;
    const sealed = deployments?.sealed ?? 0;
    const failed = await this.failedDeployments(app, since);
    const recoveries = await Promise.all(failed.map((f) => this.recoveryOf(app, f)));
    const recovered = recoveries.filter((ms): ms is number => ms !== null).sort((a, b) => a - b);
    const mid = recovered.length / 2;
    const median = recovered.length === 0 ? null : recovered.length % 2 ? (recovered[Math.floor(mid)] as number) : Math.round(((recovered[mid - 1] as number) + (recovered[mid] as number)) / 2);
    return {
      app,
      since: new Date(since).toISOString(),
      deployments: total,
      sealed,
      green: count('green'),
      red: count('red'),
      error: count('error'),
      seal_pass_rate: totalRuns === 0 ? null : count('green') / totalRuns,
      change_failure_rate: total === 0 ? null : failed.length / total,
      failed_deployments: failed.length,
      failed_deployment_recovery: { median_ms: median, median: median === null ? 'n/a' : formatDuration(median), recovered: recovered.length, unrecovered: failed.length - recovered.length },
    };
  }

  /** Releases deployed in the window whose current seal is red or that have an incident. */
  private async failedDeployments(app: string, since: string): Promise<FailedDeployment[]> {
    const rows = await this.db
      .select({
        id: releases.id,
        deployedAt: releases.deployedAt,
        createdAt: releases.createdAt,
        firstRed: sql<string | null>`(SELECT min(r.finished_at) FROM seal_runs r WHERE r.release_id = ${releases.id} AND r.verdict = 'red' AND r.result->>'part_of' IS NULL)`,
        documents: sql<Incident[] | null>`(SELECT jsonb_agg(i.document) FROM incidents i WHERE i.release_id = ${releases.id})`,
      })
      .from(releases)
      .innerJoin(apps, eq(apps.id, releases.appId))
      .where(
        and(
          eq(apps.name, app),
          gte(sql`coalesce(${releases.deployedAt}, ${releases.createdAt})`, since),
          sql`(${releases.smokeSeal}->>'status' = 'red' OR EXISTS (SELECT 1 FROM ${incidents} i WHERE i.release_id = ${releases.id}))`,
        ),
      );
    // A raw subquery's timestamp comes back as the driver makes it (a Date): made ISO here.
    return rows.map((r) => ({ id: r.id, deployedAt: iso(r.deployedAt), createdAt: iso(r.createdAt), firstRed: r.firstRed === null ? null : new Date(r.firstRed).toISOString(), incidentTimes: (r.documents ?? []).map((d) => milestoneTimes(d.timeline ?? [])) }));
  }

  /**
   * How long a failed deployment took to recover, in ms, or null while it has not. From the
   * incident's impact_started (else the deploy, else the first red seal) to the incident's
   * mitigated milestone, else to the app's first green seal after that (of any release: a fix
   * forward, or a rollback re-sealing the previous one).
   */
  private async recoveryOf(app: string, failed: FailedDeployment): Promise<number | null> {
    const times = failed.incidentTimes.find((t) => t.impact_started || t.mitigated) ?? {};
    const start = times.impact_started ?? failed.deployedAt ?? failed.firstRed ?? failed.createdAt;
    let end = times.mitigated ?? null;
    if (!end) {
      const [green] = await this.db
        .select({ at: sealRuns.finishedAt })
        .from(sealRuns)
        .innerJoin(apps, eq(apps.id, sealRuns.appId))
        // Any release: seals run against production, and a rollback re-seals an older release.
        .where(and(eq(apps.name, app), eq(sealRuns.verdict, 'green'), PART_OF_NONE, sql`${sealRuns.finishedAt} > ${failed.firstRed ?? start}`))
        .orderBy(asc(sealRuns.finishedAt))
        .limit(1);
      end = green?.at ?? null;
    }
    if (!end) return null;
    return Math.max(0, Date.parse(end) - Date.parse(start));
  }
}
