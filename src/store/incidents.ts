/**
 * Post-mortems in the store: one document per incident, changed whole in one transaction with
 * the row locked, so a change that fails validation (or two people changing it at once) never
 * leaves half of itself behind. Credits scenario actions from the ledger's check results.
 */
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import { SealError } from '../errors.js';
import { creditActions, type Proof } from '../incidents/edit.js';
import type { ActionItem, Incident } from '../incidents/model.js';
import { audited } from './audit.js';
import type { LedgerDb } from './db.js';
import { withoutNul } from './ledger.js';
import { apps, checkResults, incidents, releases, sealRuns } from './schema.js';

/** An incident as stored: the post-mortem with when it was opened and last changed. */
export type StoredIncident = Incident & { readonly created_at: string; readonly updated_at: string };

/** An action a green seal proved done. */
export interface Credited {
  readonly incident: number;
  readonly action: number;
  readonly title: string;
  readonly check: string;
  readonly run_id: string;
}

type Document = Omit<Incident, 'id' | 'app' | 'release'>;

const iso = (value: string): string => new Date(value).toISOString();

function toIncident(row: { id: number; app: string; release: string | null; document: unknown; createdAt: string; updatedAt: string }): StoredIncident {
  const doc = row.document as Document;
  return { id: row.id, app: row.app, release: row.release, ...doc, created_at: iso(row.createdAt), updated_at: iso(row.updatedAt) };
}

/** The document: the incident without what the row's own columns say (id, app, release). */
function documentOf(incident: Omit<Incident, 'id'> & { id?: number; created_at?: string; updated_at?: string }): Document {
  const document: Record<string, unknown> = { ...incident };
  for (const key of ['id', 'app', 'release', 'created_at', 'updated_at']) delete document[key];
  return document as unknown as Document;
}

function columnsOf(incident: Omit<Incident, 'id'>) {
  const document = documentOf(withoutNul(incident));
  return {
    title: document.title,
    status: document.status,
    severity: document.severity,
    document: document,
    openCheckActions: document.actions.filter((a) => a.status === 'open' && a.check).length,
  };
}

/** Whether `text` is an incident id ("7" or "#7"); its number, else null. */
export function incidentId(text: string): number | null {
  const match = /^#?(\d{1,15})$/.exec(text.trim());
  return match ? Number(match[1]) : null;
}

/** The incidents over an open database. */
export class IncidentStore {
  constructor(private readonly db: LedgerDb) {}

  private select(db: LedgerDb = this.db) {
    return db
      .select({ id: incidents.id, app: apps.name, release: releases.version, document: incidents.document, createdAt: incidents.createdAt, updatedAt: incidents.updatedAt })
      .from(incidents)
      .innerJoin(apps, eq(apps.id, incidents.appId))
      .leftJoin(releases, eq(releases.id, incidents.releaseId));
  }

  /** Opens an incident on an app the ledger knows (and a release of it, when given). */
  async create(incident: Omit<Incident, 'id'>): Promise<StoredIncident> {
    const id = await audited(this.db, async (db, note) => {
      const opened = await new IncidentStore(db).insert(incident);
      note({ kind: 'incident', key: String(opened), detail: `opened: ${incident.title}` });
      return opened;
    });
    return (await this.get(id)) as StoredIncident;
  }

  private async insert(incident: Omit<Incident, 'id'>): Promise<number> {
    const [app] = await this.db.select({ id: apps.id }).from(apps).where(eq(apps.name, incident.app)).limit(1);
    if (!app) {
      const known = (await this.db.select({ name: apps.name }).from(apps).orderBy(asc(apps.name)).limit(20)).map((a) => a.name);
      throw new SealError(`no app ${JSON.stringify(incident.app)} in the ledger (apps: ${known.join(', ') || 'none yet'})`);
    }
    let releaseId: number | null = null;
    if (incident.release !== null) {
      const [release] = await this.db.select({ id: releases.id }).from(releases).where(and(eq(releases.appId, app.id), eq(releases.version, incident.release))).limit(1);
      if (!release) throw new SealError(`--release: no release ${JSON.stringify(incident.release)} of ${incident.app} in the ledger (seal release list ${incident.app})`);
      releaseId = release.id;
    }
    const [row] = await this.db.insert(incidents).values({ appId: app.id, releaseId, ...columnsOf(incident) }).returning({ id: incidents.id });
    return (row as { id: number }).id;
  }

  /** One incident, or null. */
  async get(id: number): Promise<StoredIncident | null> {
    const [row] = await this.select().where(eq(incidents.id, id)).limit(1);
    return row ? toIncident(row) : null;
  }

  /** Incidents newest first, of one app or all. */
  async list({ app, limit = 200 }: { app?: string | null; limit?: number } = {}): Promise<StoredIncident[]> {
    const rows = await this.select()
      .where(app ? eq(apps.name, app) : undefined)
      .orderBy(desc(incidents.id))
      .limit(limit);
    return rows.map(toIncident);
  }

  /** Incidents opened on a release. */
  async ofRelease(app: string, version: string): Promise<StoredIncident[]> {
    const rows = await this.select().where(and(eq(apps.name, app), eq(releases.version, version))).orderBy(asc(incidents.id));
    return rows.map(toIncident);
  }

  /**
   * Changes an incident whole: `change` gets it with the row locked, and the database's clock
   * (what "later" is measured by for scenario credit), and returns the next one or throws
   * (nothing is written). Returns the incident as stored, or null when there is none.
   */
  async update(id: number, change: (incident: StoredIncident, now: string) => Incident): Promise<StoredIncident | null> {
    return audited(this.db, async (tx, note) => {
      const [row] = await this.select(tx).where(eq(incidents.id, id)).for('update', { of: incidents }).limit(1);
      if (!row) return null;
      const [clock] = await tx.select({ now: sql<string>`now()::text` }).from(sql`(SELECT 1) AS one`);
      const before = toIncident(row);
      const next = change(before, iso(clock?.now ?? new Date().toISOString()));
      if (next.id !== before.id || next.app !== before.app || next.release !== before.release) throw new SealError('an incident\'s id, app and release do not change');
      await tx.update(incidents).set({ ...columnsOf(next), updatedAt: sql`now()` }).where(eq(incidents.id, id));
      note({ kind: 'incident', key: String(id), detail: next.status === before.status ? 'changed' : `changed: ${before.status} → ${next.status}` });
      const [after] = await this.select(tx).where(eq(incidents.id, id)).limit(1);
      return after ? toIncident(after) : null;
    });
  }

  /**
   * Marks done every open action of the app's incidents whose smoke check passed in a green
   * seal finished after the action was added: the check was in the suite, and it passed.
   */
  async creditProvedActions(app: string): Promise<Credited[]> {
    const candidates = await this.db
      .select({ id: incidents.id })
      .from(incidents)
      .innerJoin(apps, eq(apps.id, incidents.appId))
      .where(and(eq(apps.name, app), gt(incidents.openCheckActions, 0)));
    const credited: Credited[] = [];
    for (const { id } of candidates) {
      const incident = await this.get(id);
      if (!incident) continue;
      const proofs = new Map<number, Proof>();
      for (const action of incident.actions) {
        if (action.status !== 'open' || !action.check) continue;
        const proof = await this.greenPass(app, action.check, action.created_at ?? null);
        if (proof) proofs.set(action.id, proof);
      }
      if (proofs.size === 0) continue;
      // Applied to the incident as it is now: a change made meanwhile is kept.
      let proved: readonly ActionItem[] = [];
      await this.update(id, (current) => {
        const next = creditActions(current, proofs);
        if (!next) return current;
        proved = next.actions.filter((a) => a.credited && current.actions.find((b) => b.id === a.id)?.status === 'open');
        return next;
      });
      for (const a of proved) credited.push({ incident: id, action: a.id, title: a.title, check: a.check as string, run_id: a.credited?.run_id as string });
    }
    return credited;
  }

  /** The first green seal of the app recorded after `after` (the database's clock), in which the check passed; or null. */
  private async greenPass(app: string, check: string, after: string | null): Promise<Proof | null> {
    const [row] = await this.db
      .select({ runId: checkResults.runId, at: checkResults.finishedAt, recordedAt: sealRuns.createdAt, version: releases.version })
      .from(checkResults)
      .innerJoin(apps, eq(apps.id, checkResults.appId))
      .innerJoin(sealRuns, eq(sealRuns.runId, checkResults.runId))
      .leftJoin(releases, eq(releases.id, sealRuns.releaseId))
      // One location's green run proves a check only when its located seal, combined, is green too.
      .where(and(eq(apps.name, app), eq(checkResults.name, check), eq(checkResults.status, 'passed'), eq(sealRuns.verdict, 'green'), sql`(${sealRuns.result}->>'part_of' IS NULL OR EXISTS (SELECT 1 FROM seal_runs whole WHERE whole.run_id::text = ${sealRuns.result}->>'part_of' AND whole.verdict = 'green'))`, ...(after ? [gt(sealRuns.createdAt, after)] : [])))
      .orderBy(asc(sealRuns.createdAt))
      .limit(1);
    return row ? { run_id: row.runId, version: row.version, at: iso(row.at), recorded_at: iso(row.recordedAt) } : null;
  }
}
