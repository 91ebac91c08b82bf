/**
 * The audit log: every change to a release, a seal, a credit, an incident, a token or an
 * evidence file appends an event in the same transaction as the change. An event names who
 * (a token's name through the server, else the local user and host), what (the kind of row,
 * its key, recorded or changed, one line of detail), when (the database's clock), and the
 * SHA-256 of the row's content as the change left it (its digest, computed by the database
 * from the columns below, so that every writer hashes a row alike). Each event's hash covers
 * the previous event's hash: editing, removing or inserting an event breaks every link after
 * it. `verify` recomputes the chain, every row's digest against its newest event, and every
 * evidence file a run result lists against the SHA-256 the run recorded.
 *
 * Appends are serialised by a row lock on `audit_head` (one row: the newest seq and hash),
 * taken as the last step of the transaction so that it is held only for three statements and
 * the commit. The tables are insert-only (a trigger, migration 0006) on PGlite and Postgres.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import { hashFile } from '../runner/evidence-hashes.js';
import type { EvidenceFileHash } from '../runner/run-result.js';
import type { LedgerDb } from './db.js';
import { storableText } from './text.js';
import { isRunId } from './schema.js';

/** The kinds of row the log covers. */
export const AUDIT_KINDS = ['release', 'seal', 'credit', 'incident', 'token', 'evidence'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** The hash the chain starts from (the head of an empty log). */
export const GENESIS = '0'.repeat(64);

/** One event as stored. */
export interface AuditEvent {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: 'recorded' | 'changed' | 'adopted';
  readonly kind: AuditKind;
  readonly subject: string;
  readonly app: string | null;
  readonly version: string | null;
  readonly digest: string;
  readonly detail: string;
  readonly prev_hash: string;
  readonly hash: string;
}

/** The event's hash: SHA-256 over the previous hash, a newline, and the event's fields as a JSON array in a fixed order. */
export function eventHash(event: Omit<AuditEvent, 'hash'>): string {
  const fields = [event.seq, event.at, event.actor, event.action, event.kind, event.subject, event.app, event.version, event.digest, event.detail];
  return createHash('sha256').update(`${event.prev_hash}\n${JSON.stringify(fields)}`).digest('hex');
}

// Who makes a change: set per request by the server (the token's name), else this machine's user.
const actors = new AsyncLocalStorage<string>();

/** Runs `work` with changes made in it attributed to `actor`. */
export function withActor<T>(actor: string, work: () => T): T {
  return actors.run(actor, work);
}

let local: string | null = null;
/** The local user and host ("ana@ci-runner-7"). */
export function localActor(): string {
  if (local === null) {
    let user: string;
    try {
      user = userInfo().username;
    } catch {
      user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
    }
    local = `${user}@${hostname()}`;
  }
  return local;
}

/** Who changes made now are attributed to. */
export function currentActor(): string {
  return actors.getStore() ?? localActor();
}

/** A row a transaction changed: its kind, key, and what the change was. */
export interface Touched {
  readonly kind: AuditKind;
  readonly key: string;
  readonly detail: string;
}

/** Says that the transaction changed a row (the event is appended when the transaction ends). */
export type Note = (touched: Touched) => void;

/** The rows a transaction changed, in the order first noted. */
class Pending {
  readonly rows = new Map<string, { kind: AuditKind; key: string; details: string[] }>();

  readonly note: Note = ({ kind, key: given, detail }) => {
    const key = keyOf(kind, given);
    const id = `${kind}\u0000${key}`;
    const entry = this.rows.get(id);
    const line = oneLine(detail);
    if (entry) {
      if (!entry.details.includes(line) && entry.details.length < 5) entry.details.push(line);
    } else this.rows.set(id, { kind, key, details: [line] });
  };
}

const pendingOf = new WeakMap<object, Pending>();

/**
 * Runs `work` in a transaction whose changes are appended to the audit log before it commits;
 * inside a transaction opened this way already, `work` joins it (its changes are appended with
 * the outer ones). The transaction fails as a whole if the log cannot be appended to.
 */
export async function audited<T>(db: LedgerDb, work: (tx: LedgerDb, note: Note) => Promise<T>): Promise<T> {
  const outer = pendingOf.get(db);
  if (outer) return work(db, outer.note);
  const actor = storable(currentActor(), 200);
  return db.transaction(async (tx) => {
    const pending = new Pending();
    pendingOf.set(tx, pending);
    const result = await work(tx, pending.note);
    await appendEvents(tx, pending, actor);
    return result;
  });
}

/**
 * A row's key as the database gives it back: run ids in lower case (a reporter may send them in
 * upper case, and the uuid column answers in lower case; the event must name the row it read).
 */
function keyOf(kind: AuditKind, key: string): string {
  if (kind === 'seal') return key.toLowerCase();
  if (kind === 'evidence') {
    const slash = key.indexOf('/');
    return slash > 0 ? `${key.slice(0, slash).toLowerCase()}${key.slice(slash)}` : key;
  }
  return key;
}

/**
 * Text as an event stores it, and so as it is hashed: no NUL (text cannot hold one), no half of
 * a surrogate pair, cut by code points (never inside a character) at `max`.
 */
export function storable(text: string, max: number): string {
  // What the database would store in its place (U+FFFD): hashed as stored.
  const clean = storableText(text);
  const chars = Array.from(clean);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : clean;
}

/** Detail and names as one bounded line. */
function oneLine(text: string): string {
  return storable(text.replace(/\s+/g, ' ').trim(), 300);
}

// ---- What a row's digest covers ------------------------------------------------------------

/** A timestamp as text the same way whatever the session's time zone. */
const ts = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

interface KindSql {
  /** FROM … (with the table's alias). */
  readonly from: string;
  /** The key as text. */
  readonly key: string;
  readonly app: string;
  readonly version: string;
  /** A jsonb array of what the digest covers. */
  readonly content: string;
  /** The WHERE clause finding one row by its key (indexed), or null when the key cannot be one. */
  readonly match: (key: string) => SQL | null;
}

const numericKey = (column: string) => (key: string): SQL | null => (/^\d{1,15}$/.test(key) ? sql`${sql.raw(column)} = ${Number(key)}` : null);

/**
 * What each kind's digest covers: every column that says something about the row, never one
 * that changes without a change worth an event (a token's last use). A seal's checks
 * (check_results) are part of its digest.
 */
const KINDS: Record<AuditKind, KindSql> = {
  release: {
    from: 'releases r JOIN apps a ON a.id = r.app_id',
    key: 'r.id::text',
    app: 'a.name',
    version: 'r.version',
    content: `jsonb_build_array(a.name, r.version, r.sha, r.merge_sha, r.branch, ${ts('r.deployed_at')}, ${ts('r.merged_at')}, r.notes, r.smoke_seal, ${ts('r.created_at')})`,
    match: numericKey('r.id'),
  },
  seal: {
    from: 'seal_runs s JOIN apps a ON a.id = s.app_id LEFT JOIN releases r ON r.id = s.release_id',
    key: 's.run_id::text',
    app: 'a.name',
    version: 'r.version',
    content: `jsonb_build_array(a.name, r.version, s.verdict, s.summary, ${ts('s.started_at')}, ${ts('s.finished_at')}, s.result, s.evidence_dir, ${ts('s.created_at')},
      (SELECT coalesce(jsonb_agg(jsonb_build_array(c.position, c.name, c.kind, c.status, c.duration_ms, c.attempts, c.error, ${ts('c.finished_at')}) ORDER BY c.position), '[]'::jsonb) FROM check_results c WHERE c.run_id = s.run_id))`,
    match: (key) => (isRunId(key) ? sql`s.run_id = ${key}::uuid` : null),
  },
  credit: {
    from: 'tier_credits k JOIN releases r ON r.id = k.release_id JOIN apps a ON a.id = k.app_id',
    key: 'k.id::text',
    app: 'a.name',
    version: 'r.version',
    content: `jsonb_build_array(a.name, r.version, k.tier, k.credited, k.reason, k.format, k.tests, k.passed, k.failed, k.skipped, k.flaky, k.report_sha256, k.report_bytes, k.run_id, k.credited_by, ${ts('k.created_at')})`,
    match: numericKey('k.id'),
  },
  incident: {
    from: 'incidents i JOIN apps a ON a.id = i.app_id LEFT JOIN releases r ON r.id = i.release_id',
    key: 'i.id::text',
    app: 'a.name',
    version: 'r.version',
    content: `jsonb_build_array(a.name, r.version, i.title, i.status, i.severity, i.document, i.open_check_actions, ${ts('i.created_at')}, ${ts('i.updated_at')})`,
    match: numericKey('i.id'),
  },
  token: {
    from: 'api_tokens t',
    key: 't.id',
    app: 'NULL::text',
    version: 'NULL::text',
    content: `jsonb_build_array(t.id, t.name, t.scope, t.secret_hash, ${ts('t.created_at')}, ${ts('t.revoked_at')})`,
    match: (key) => sql`t.id = ${key}`,
  },
  evidence: {
    from: 'evidence_files f JOIN seal_runs s ON s.run_id = f.run_id JOIN apps a ON a.id = s.app_id LEFT JOIN releases r ON r.id = s.release_id',
    key: `f.run_id::text || '/' || f.name`,
    app: 'a.name',
    version: 'r.version',
    content: `jsonb_build_array(f.run_id, f.name, f.content_type, encode(sha256(f.data), 'hex'), ${ts('f.created_at')})`,
    match: (key) => {
      const slash = key.indexOf('/');
      const run = key.slice(0, slash);
      return slash > 0 && isRunId(run) ? sql`f.run_id = ${run}::uuid AND f.name = ${key.slice(slash + 1)}` : null;
    },
  },
};

/** The SELECT of a kind's rows: kind, subject, app, version, digest. */
function digestSelect(kind: AuditKind, where: SQL | null): SQL {
  const k = KINDS[kind];
  return sql`SELECT ${kind}::text AS kind, ${sql.raw(k.key)} AS subject, ${sql.raw(k.app)} AS app, ${sql.raw(k.version)} AS version,
    encode(sha256(convert_to((${sql.raw(k.content)})::text, 'UTF8')), 'hex') AS digest FROM ${sql.raw(k.from)}${where ? sql` WHERE ${where}` : sql``}`;
}

type Row = Record<string, unknown>;
const rowsOf = <T>(answer: unknown): T[] => (answer as { rows: T[] }).rows;

// ---- Appending -----------------------------------------------------------------------------

interface SubjectState {
  readonly kind: AuditKind;
  readonly subject: string;
  readonly app: string | null;
  readonly version: string | null;
  readonly digest: string;
}

/**
 * Appends the pending rows' events (one per row whose digest differs from its newest event's).
 * The digests are read first, without the lock: the rows are this transaction's (inserted, or
 * updated and so row-locked until it ends), and no other writer can append an event for them
 * meanwhile. Then the head is locked and the events go in with the new head in one statement:
 * the lock is held for two statements and the commit.
 */
async function appendEvents(db: LedgerDb, pending: Pending, actor: string): Promise<void> {
  if (pending.rows.size === 0) return;
  const entries = [...pending.rows.values()];
  const selects = entries.flatMap((e) => {
    const where = KINDS[e.kind].match(e.key);
    return where ? [digestSelect(e.kind, where)] : [];
  });
  const states = selects.length === 0 ? [] : rowsOf<SubjectState & { known: string | null }>(
    await db.execute(sql`SELECT d.*, (SELECT e.digest FROM audit_events e WHERE e.kind = d.kind AND e.subject = d.subject ORDER BY e.seq DESC LIMIT 1) AS known
      FROM (${sql.join(selects, sql` UNION ALL `)}) d`),
  );
  const byId = new Map(states.map((s) => [`${s.kind}\u0000${s.subject}`, s]));
  const changed = [...pending.rows].flatMap(([id, entry]) => {
    const state = byId.get(id);
    return state && state.digest !== state.known ? [{ entry, state }] : [];
  });
  if (changed.length === 0) return;
  const [head] = rowsOf<{ seq: number | string; hash: string; at: string }>(
    await db.execute(sql`SELECT seq, hash, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at FROM audit_head WHERE id = 1 FOR UPDATE`),
  );
  if (!head) throw new Error('the audit log has no head row (audit_head): the store was changed outside smoke-seal; run seal audit verify');
  const events: Omit<AuditEvent, 'seq' | 'prev_hash' | 'hash'>[] = [];
  // The first change to a store whose log is empty adopts the rows recorded before the log began.
  if (Number(head.seq) === 0) {
    for (const row of await allSubjects(db)) {
      if (pending.rows.has(`${row.kind}\u0000${row.subject}`)) continue;
      events.push({ at: head.at, actor, action: 'adopted', kind: row.kind, subject: row.subject, app: row.app, version: row.version, digest: row.digest, detail: 'recorded before the audit log began' });
    }
  }
  for (const { entry, state } of changed) {
    events.push({ at: head.at, actor, action: state.known === null ? 'recorded' : 'changed', kind: entry.kind, subject: state.subject, app: state.app, version: state.version, digest: state.digest, detail: entry.details.join('; ') });
  }
  let seq = Number(head.seq);
  let prev = head.hash;
  const chained: AuditEvent[] = events.map((e) => {
    seq += 1;
    const event = { ...e, seq, prev_hash: prev };
    prev = eventHash(event);
    return { ...event, hash: prev };
  });
  const values = (batch: readonly AuditEvent[]) => sql.join(batch.map((e) => sql`(${e.seq}, ${e.at}, ${e.actor}, ${e.action}, ${e.kind}, ${e.subject}, ${e.app}, ${e.version}, ${e.digest}, ${e.detail}, ${e.prev_hash}, ${e.hash})`), sql`, `);
  const columns = sql`audit_events (seq, at, actor, action, kind, subject, app, version, digest, detail, prev_hash, hash)`;
  // Adoption can make thousands: all but the last 500 first, then the last ones with the new head.
  const lastBatch = Math.max(0, chained.length - 500);
  for (let i = 0; i < lastBatch; i += 500) await db.execute(sql`INSERT INTO ${columns} VALUES ${values(chained.slice(i, Math.min(i + 500, lastBatch)))}`);
  await db.execute(sql`WITH appended AS (INSERT INTO ${columns} VALUES ${values(chained.slice(lastBatch))} RETURNING seq) UPDATE audit_head SET seq = ${seq}, hash = ${prev} WHERE id = 1`);
}

/** Every covered row's digest (adoption of a store older than the log). */
async function allSubjects(db: LedgerDb): Promise<SubjectState[]> {
  const out: SubjectState[] = [];
  for (const kind of AUDIT_KINDS) out.push(...rowsOf<SubjectState>(await db.execute(sql`${digestSelect(kind, null)} ORDER BY 2`)));
  return out;
}

// ---- Verifying -----------------------------------------------------------------------------

/** One thing verify found wrong. */
export interface AuditProblem {
  /** chain: an event or the head; row: a row differs from its newest event; file: an evidence file on disk. */
  readonly type: 'chain' | 'row' | 'file';
  readonly message: string;
  readonly seq?: number;
  readonly kind?: AuditKind;
  readonly subject?: string;
  readonly path?: string;
}

/** What `seal audit verify` reports. */
export interface AuditReport {
  readonly ok: boolean;
  readonly verified_at: string;
  readonly head: { readonly seq: number; readonly hash: string };
  readonly events: number;
  /** Rows checked against their newest event, by kind. */
  readonly rows: Record<AuditKind, number>;
  /** Evidence files a run result lists: hashed on this disk, or not on this machine (another machine ran the seal, or its folder was removed). */
  readonly files: { readonly checked: number; readonly not_here: number };
  /** Rows recorded before the log began, not adopted yet (a store upgraded and not changed since): not a problem. */
  readonly not_adopted: number;
  /** The first problems found (the first one is the first broken link, changed row or file), at most MAX_PROBLEMS. */
  readonly problems: readonly AuditProblem[];
  /** How many problems there were in all. */
  readonly problem_count: number;
}

/** Most problems a report lists. */
export const MAX_PROBLEMS = 100;
/** Events read at a time while the chain is walked. */
const PAGE = 2_000;
/** Runs read at a time while evidence files are checked (each lists up to 5,000 files). */
const FILE_PAGE = 100;

/** Names a row for messages: "seal 5b1…" of "studio v1.4.0". */
function describeSubject(kind: AuditKind, subject: string, app: string | null, version: string | null): string {
  const of = app ? ` of ${app}${version ? ` ${version}` : ''}` : '';
  return `${kind} ${subject}${of}`;
}

/** The audit log over an open database: verify it, read trails. */
export class AuditLog {
  constructor(private readonly db: LedgerDb) {}

  /** The newest event's seq and hash (seq 0 and the zero hash for an empty log). */
  async head(): Promise<{ seq: number; hash: string }> {
    const [row] = rowsOf<{ seq: number | string; hash: string }>(await this.db.execute(sql`SELECT seq, hash FROM audit_head WHERE id = 1`));
    return { seq: Number(row?.seq ?? 0), hash: row?.hash ?? GENESIS };
  }

  /**
   * Recomputes the chain, every covered row's digest and every evidence file under
   * `evidenceRoots` on this disk; with `heads`, also that each head published earlier (in an
   * attestation, a CI log) is still an event of the chain with that hash. Reads only. The chain is
   * walked up to the head read first, and each kind's rows are compared with their events in one
   * statement, so changes committed meanwhile are never mistaken for tampering.
   */
  async verify({ files = true, heads = [], evidenceRoots = [] }: { files?: boolean; heads?: readonly { readonly seq: number; readonly hash: string }[]; evidenceRoots?: readonly string[] } = {}): Promise<AuditReport> {
    const problems: AuditProblem[] = [];
    let problemCount = 0;
    const problem = (p: AuditProblem): void => {
      problemCount += 1;
      if (problems.length < MAX_PROBLEMS) problems.push(p);
    };
    const [head] = rowsOf<{ seq: number | string; hash: string }>(await this.db.execute(sql`SELECT seq, hash FROM audit_head WHERE id = 1`));
    const headSeq = Number(head?.seq ?? 0);
    const events = await this.walkChain(headSeq, problem);
    if (!head) problem({ type: 'chain', message: 'the audit head (audit_head) is missing: it was deleted outside smoke-seal' });
    else if (headSeq !== events.seq || head.hash !== events.hash) {
      problem({ type: 'chain', seq: events.seq, message: `the audit head says the newest event is #${head.seq} (${head.hash.slice(0, 12)}), but the log ends at #${events.seq} (${events.hash.slice(0, 12)}): events were removed or added outside smoke-seal` });
    }
    for (const published of heads) {
      const [event] = rowsOf<{ hash: string }>(await this.db.execute(sql`SELECT hash FROM audit_events WHERE seq = ${published.seq}`));
      if (!event) problem({ type: 'chain', seq: published.seq, message: `the head published as #${published.seq} (${published.hash.slice(0, 12)}) is not in the log: it ends at #${events.seq}` });
      else if (event.hash !== published.hash) problem({ type: 'chain', seq: published.seq, message: `event #${published.seq} hashes to ${event.hash.slice(0, 12)}, but it was published as ${published.hash.slice(0, 12)}: the chain was rewritten from there on` });
    }
    const rows = { release: 0, seal: 0, credit: 0, incident: 0, token: 0, evidence: 0 } as Record<AuditKind, number>;
    let notAdopted = 0;
    const started = events.count > 0;
    for (const kind of AUDIT_KINDS) {
      const [count] = rowsOf<{ n: number | string }>(await this.db.execute(sql`SELECT count(*) AS n FROM ${sql.raw(KINDS[kind].from.split(' ')[0] as string)}`));
      rows[kind] = Number(count?.n ?? 0);
      // Rows whose digest differs from their newest event's (or that have no event, or no row).
      const mismatch = sql`FROM (${digestSelect(kind, null)}) d
          FULL JOIN (SELECT DISTINCT ON (subject) subject, app, version, digest, seq FROM audit_events WHERE kind = ${kind} ORDER BY subject, seq DESC) e ON e.subject = d.subject
          WHERE d.digest IS DISTINCT FROM e.digest`;
      type Mismatch = { subject: string | null; e_subject: string | null; app: string | null; version: string | null; e_app: string | null; e_version: string | null; digest: string | null; known: string | null; seq: number | string | null };
      const mismatches = rowsOf<Mismatch>(
        await this.db.execute(sql`SELECT d.subject, d.app, d.version, d.digest, e.subject AS e_subject, e.app AS e_app, e.version AS e_version, e.digest AS known, e.seq ${mismatch} ORDER BY coalesce(e.seq, 0), 1 LIMIT ${MAX_PROBLEMS + 1}`),
      );
      if (mismatches.length > MAX_PROBLEMS) {
        // More than are listed: the rest counted whole (rows not adopted yet on an upgraded store can be many).
        const [all] = rowsOf<{ n: number | string; unknown: number | string }>(await this.db.execute(sql`SELECT count(*) AS n, count(*) FILTER (WHERE e.digest IS NULL) AS unknown ${mismatch}`));
        const listedUnknown = mismatches.filter((m) => m.known === null).length;
        const restUnknown = Number(all?.unknown ?? 0) - listedUnknown;
        const restOther = Number(all?.n ?? 0) - Number(all?.unknown ?? 0) - (mismatches.length - listedUnknown);
        if (started) problemCount += restUnknown + restOther;
        else {
          notAdopted += restUnknown;
          problemCount += restOther;
        }
      }
      for (const m of mismatches) {
        const subject = (m.subject ?? m.e_subject) as string;
        const name = describeSubject(kind, subject, m.app ?? m.e_app, m.version ?? m.e_version);
        if (m.known === null) {
          if (!started) notAdopted += 1;
          else problem({ type: 'row', kind, subject, message: `${name} is not in the audit log: it was written outside smoke-seal` });
        } else if (m.digest === null) problem({ type: 'row', kind, subject, seq: Number(m.seq), message: `${name} was deleted outside smoke-seal (its newest event is #${m.seq})` });
        else problem({ type: 'row', kind, subject, seq: Number(m.seq), message: `${name} was changed outside smoke-seal since event #${m.seq} (sha256 ${m.known.slice(0, 12)} then, ${m.digest.slice(0, 12)} now)` });
      }
    }
    const fileCounts = files ? await this.verifyFiles(evidenceRoots, problem) : { checked: 0, not_here: 0 };
    const [clock] = rowsOf<{ at: string }>(await this.db.execute(sql`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at`));
    return {
      ok: problemCount === 0,
      verified_at: clock?.at ?? new Date().toISOString(),
      head: { seq: headSeq, hash: head?.hash ?? GENESIS },
      events: events.count,
      rows,
      files: fileCounts,
      not_adopted: notAdopted,
      problems,
      problem_count: problemCount,
    };
  }

  /** Walks the events up to `last` in seq order a page at a time: each must follow the one before and hash to what it says. */
  private async walkChain(last: number, problem: (p: AuditProblem) => void): Promise<{ count: number; seq: number; hash: string }> {
    let expectedSeq = 1;
    let prev = GENESIS;
    let count = 0;
    let end = { seq: 0, hash: GENESIS };
    for (;;) {
      const page = rowsOf<Row>(await this.db.execute(sql`SELECT * FROM audit_events WHERE seq >= ${expectedSeq} AND seq <= ${last} ORDER BY seq LIMIT ${PAGE}`));
      for (const row of page) {
        const event = toEvent(row);
        count += 1;
        if (event.seq !== expectedSeq) problem({ type: 'chain', seq: event.seq, message: `event #${expectedSeq}${event.seq > expectedSeq + 1 ? ` to #${event.seq - 1}` : ''} is missing: the next event is #${event.seq}` });
        if (event.prev_hash !== prev) problem({ type: 'chain', seq: event.seq, message: `event #${event.seq} does not follow the event before it (its previous hash is ${event.prev_hash.slice(0, 12)}, the chain's is ${prev.slice(0, 12)})` });
        const recomputed = eventHash(event);
        if (recomputed !== event.hash) problem({ type: 'chain', seq: event.seq, message: `event #${event.seq} (${describeSubject(event.kind, event.subject, event.app, event.version)}) was changed: its fields hash to ${recomputed.slice(0, 12)}, not ${event.hash.slice(0, 12)}` });
        // The walk goes on from what is stored, so each later link is judged on its own.
        prev = event.hash;
        expectedSeq = event.seq + 1;
        end = { seq: event.seq, hash: event.hash };
      }
      if (page.length < PAGE) break;
    }
    if (end.seq < last) problem({ type: 'chain', seq: last, message: `event #${end.seq + 1}${last > end.seq + 1 ? ` to #${last}` : ''} is missing: the log ends at #${end.seq}` });
    const [stray] = rowsOf<{ n: number | string }>(await this.db.execute(sql`SELECT count(*) AS n FROM audit_events WHERE seq < 1`));
    if (Number(stray?.n ?? 0) > 0) problem({ type: 'chain', message: `${stray?.n} events have a seq below 1: they were inserted outside smoke-seal` });
    return { count, ...end };
  }

  /**
   * Hashes again every evidence file a run result lists, for runs whose folder is inside one of
   * `roots` on this disk (this machine's evidence folders: a run result comes from whoever
   * reported it, and its `evidence_dir` must not make us read anything else). A file whose size
   * differs from the one recorded is changed without being read; symbolic links that lead out
   * of the run's folder are not followed.
   */
  private async verifyFiles(roots: readonly string[], problem: (p: AuditProblem) => void): Promise<{ checked: number; not_here: number }> {
    const real = roots.flatMap((root) => {
      const path = realOrNull(root);
      return path ? [path] : [];
    });
    let checked = 0;
    let notHere = 0;
    let after = '';
    for (;;) {
      type FileRow = { run_id: string; app: string; version: string | null; dir: string | null; files: unknown };
      const page = rowsOf<FileRow>(
        await this.db.execute(sql`SELECT s.run_id::text AS run_id, a.name AS app, r.version, s.evidence_dir AS dir, s.result->'evidence_files' AS files
          FROM seal_runs s JOIN apps a ON a.id = s.app_id LEFT JOIN releases r ON r.id = s.release_id
          WHERE s.run_id::text > ${after} AND jsonb_typeof(s.result->'evidence_files') = 'array' ORDER BY s.run_id::text LIMIT ${FILE_PAGE}`),
      );
      for (const run of page) {
        after = run.run_id;
        const listed = evidenceList(run.files);
        if (listed.length === 0) continue;
        const dir = run.dir && isAbsolute(run.dir) ? realOrNull(run.dir) : null;
        if (dir === null || !real.some((root) => dir === root || dir.startsWith(`${root}${sep}`))) {
          notHere += listed.length;
          continue;
        }
        for (const file of listed) {
          const name = `evidence file ${file.path} of seal ${run.run_id} (${run.app}${run.version ? ` ${run.version}` : ''})`;
          const path = inside(dir, file.path);
          if (path === null) {
            problem({ type: 'file', kind: 'seal', subject: run.run_id, path: file.path, message: `${name}: the path leaves the run's folder` });
            continue;
          }
          checked += 1;
          const target = realOrNull(path);
          if (target === null) {
            problem({ type: 'file', kind: 'seal', subject: run.run_id, path, message: `${name} was deleted (${path})` });
            continue;
          }
          if (!target.startsWith(`${dir}${sep}`)) {
            problem({ type: 'file', kind: 'seal', subject: run.run_id, path, message: `${name} was replaced by a link out of the run's folder (${path})` });
            continue;
          }
          const size = sizeOrNull(target);
          const now = size === file.bytes ? hashFile(target) : null;
          if (size === null) problem({ type: 'file', kind: 'seal', subject: run.run_id, path, message: `${name} was deleted (${path})` });
          else if (size !== file.bytes) problem({ type: 'file', kind: 'seal', subject: run.run_id, path, message: `${name} was changed since the seal (${file.bytes} bytes then, ${size} now; ${path})` });
          else if (now !== file.sha256) problem({ type: 'file', kind: 'seal', subject: run.run_id, path, message: `${name} was changed since the seal (sha256 ${file.sha256.slice(0, 12)} then, ${(now ?? 'unreadable').slice(0, 12)} now; ${path})` });
        }
      }
      if (page.length < FILE_PAGE) break;
    }
    return { checked, not_here: notHere };
  }

  /** The trail of an app (or one release of it), oldest first: its newest `limit` events. */
  async trail(app: string, { version = null, limit = 200 }: { version?: string | null; limit?: number } = {}): Promise<AuditEvent[]> {
    const rows = rowsOf<Row>(
      await this.db.execute(sql`SELECT * FROM audit_events WHERE app = ${app}${version === null ? sql`` : sql` AND version = ${version}`} ORDER BY seq DESC LIMIT ${Math.max(1, Math.min(limit, 10_000))}`),
    );
    return rows.map(toEvent).reverse();
  }
}

function toEvent(row: Row): AuditEvent {
  return {
    seq: Number(row.seq),
    at: String(row.at),
    actor: String(row.actor),
    action: row.action as AuditEvent['action'],
    kind: row.kind as AuditKind,
    subject: String(row.subject),
    app: typeof row.app === 'string' ? row.app : null,
    version: typeof row.version === 'string' ? row.version : null,
    digest: String(row.digest),
    detail: String(row.detail),
    prev_hash: String(row.prev_hash),
    hash: String(row.hash),
  };
}

// ---- Evidence files on disk ----------------------------------------------------------------

/** The well-formed entries of a stored `evidence_files` (it came from whoever reported the run): at most 5,000. */
export function evidenceList(value: unknown): EvidenceFileHash[] {
  if (!Array.isArray(value)) return [];
  const out: EvidenceFileHash[] = [];
  for (const item of value.slice(0, 5_000) as unknown[]) {
    if (item === null || typeof item !== 'object') continue;
    const { path, sha256, bytes } = item as Record<string, unknown>;
    if (typeof path === 'string' && path.length > 0 && path.length <= 1_000 && typeof sha256 === 'string' && /^[0-9a-f]{64}$/.test(sha256) && typeof bytes === 'number') out.push({ path, sha256, bytes });
  }
  return out;
}

/** The path with every link resolved, or null when it is not there. */
function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** A regular file's size, or null. */
function sizeOrNull(path: string): number | null {
  try {
    const stat = statSync(path);
    return stat.isFile() ? stat.size : null;
  } catch {
    return null;
  }
}

/** `rel` inside `dir`, or null when it is absolute or climbs out. */
function inside(dir: string, rel: string): string | null {
  if (isAbsolute(rel) || rel.includes('\u0000')) return null;
  const clean = normalize(rel);
  if (clean === '..' || clean.startsWith(`..${sep}`)) return null;
  return join(dir, clean);
}
