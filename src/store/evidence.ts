/**
 * Screenshots kept in the store beside their run, so the board shows them whichever machine ran
 * the checks. Only images, only small ones, only a few per run: evidence, not an archive.
 */
import { and, asc, eq } from 'drizzle-orm';
import { audited } from './audit.js';
import type { LedgerDb } from './db.js';
import { evidenceFiles, isRunId } from './schema.js';

/** Image types the board shows inline (sniffed from the bytes, never trusted from the sender). */
export const EVIDENCE_TYPES = ['image/png', 'image/jpeg'] as const;
/** The largest evidence file kept. */
export const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;
/** The most evidence files kept per run. */
export const MAX_EVIDENCE_FILES = 20;

/** A file name the store accepts: a plain base name, nothing that walks a path. */
export const EVIDENCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.(png|jpe?g)$/;

/** The image type of the bytes, or null when they are not an image the board shows. */
export function sniffImage(data: Uint8Array): (typeof EVIDENCE_TYPES)[number] | null {
  if (data.length > 8 && data[0] === 0x89 && data[1] === 0x50 && data[2] === 0x4e && data[3] === 0x47) return 'image/png';
  if (data.length > 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  return null;
}

/** Why a file is refused, or null when it is kept. */
export function refuseEvidence(name: string, data: Uint8Array): string | null {
  if (!EVIDENCE_NAME.test(name)) return `evidence file name ${JSON.stringify(name.slice(0, 200))} is not a plain .png/.jpg base name`;
  if (data.length > MAX_EVIDENCE_BYTES) return `evidence file ${name} is ${data.length} bytes; at most ${MAX_EVIDENCE_BYTES} are kept`;
  if (sniffImage(data) === null) return `evidence file ${name} is not a PNG or JPEG image`;
  return null;
}

/** Evidence files in the ledger's database. */
export class EvidenceStore {
  constructor(private readonly db: LedgerDb) {}

  /** Keeps a file of a recorded run; the same name twice keeps the first. Throws RangeError when refused. */
  async put(runId: string, name: string, data: Uint8Array): Promise<void> {
    const refused = refuseEvidence(name, data);
    if (refused) throw new RangeError(refused);
    const kept = await this.names(runId);
    if (!kept.includes(name) && kept.length >= MAX_EVIDENCE_FILES) throw new RangeError(`run ${runId} already has ${MAX_EVIDENCE_FILES} evidence files, the most kept`);
    await audited(this.db, async (db, note) => {
      const inserted = await db
        .insert(evidenceFiles)
        .values({ runId, name, contentType: sniffImage(data) as string, data })
        .onConflictDoNothing()
        .returning({ name: evidenceFiles.name });
      if (inserted.length > 0) note({ kind: 'evidence', key: `${runId}/${name}`, detail: `kept ${name} (${data.length} bytes)` });
    });
  }

  /** Names of a run's files. */
  async names(runId: string): Promise<string[]> {
    const rows = await this.db.select({ name: evidenceFiles.name }).from(evidenceFiles).where(eq(evidenceFiles.runId, runId)).orderBy(asc(evidenceFiles.name));
    return rows.map((r) => r.name);
  }

  /** One file, or null. */
  async get(runId: string, name: string): Promise<{ contentType: string; data: Uint8Array } | null> {
    if (!EVIDENCE_NAME.test(name) || !isRunId(runId)) return null;
    const [row] = await this.db.select({ contentType: evidenceFiles.contentType, data: evidenceFiles.data }).from(evidenceFiles).where(and(eq(evidenceFiles.runId, runId), eq(evidenceFiles.name, name))).limit(1);
    return row ?? null;
  }
}
