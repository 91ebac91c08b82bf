/**
 * `seal audit verify` and `seal audit log`: the hash-chained audit log from the command line
 * (src/store/audit.ts). verify exits 0 when the chain, every covered row and every evidence file
 * on this disk match, 1 when something does not (the first broken link or changed row or file
 * is named first), 2 when the store cannot be read.
 */
import { AuditLog, type AuditEvent, type AuditReport } from '../../store/audit.js';
import { oneLine } from '../../notify/message.js';
import { table } from '../../reporters/columns.js';
import type { CliIo } from '../io.js';
import { withStore } from '../store.js';
import { SealError } from '../../errors.js';
import { defaultEvidenceRoot } from '../../runner/evidence-hashes.js';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The report as text: what was checked, then ✓, or ✗ and the problems (the first first). */
export function renderAuditReport(report: AuditReport): string {
  const lines: string[] = [];
  const r = report.rows;
  lines.push(`audit log: ${plural(report.events, 'event')}, head #${report.head.seq} ${report.head.hash.slice(0, 12)}`);
  lines.push(`rows checked against their newest event: ${plural(r.release, 'release')}, ${plural(r.seal, 'seal')}, ${plural(r.credit, 'credit')}, ${plural(r.incident, 'incident')}, ${plural(r.token, 'token')}, ${plural(r.evidence, 'stored evidence file')}`);
  lines.push(`evidence files on this disk: ${report.files.checked} hashed${report.files.not_here > 0 ? `, ${report.files.not_here} not on this machine (sealed elsewhere, or their folder was removed)` : ''}`);
  if (report.not_adopted > 0) lines.push(`${plural(report.not_adopted, 'row')} recorded before the audit log began: adopted by the next change to the store`);
  if (report.ok) {
    lines.push(`✓ the audit log verifies (${report.verified_at})`);
  } else {
    lines.push(`✗ the audit log does not verify: ${plural(report.problem_count, 'problem')}`);
    for (const [i, p] of report.problems.entries()) lines.push(`  ${i === 0 ? 'first: ' : '- '}${oneLine(p.message, 400)}`);
    if (report.problem_count > report.problems.length) lines.push(`  … and ${report.problem_count - report.problems.length} more (--json lists the first ${report.problems.length})`);
  }
  return `${lines.join('\n')}\n`;
}

/** `--head SEQ:HASH` values: heads published earlier (an attestation keeps one). */
export function parseHeads(values: readonly string[]): { seq: number; hash: string }[] {
  return values.map((value) => {
    const match = /^#?(\d{1,15}):([0-9a-f]{64})$/.exec(value.trim());
    if (!match) throw new SealError(`--head must be SEQ:HASH, an event's number and its 64-hex-digit hash as seal audit verify --json prints head (got ${JSON.stringify(value.slice(0, 200))})`);
    return { seq: Number(match[1]), hash: match[2] as string };
  });
}

export async function auditVerifyCommand(options: { json?: boolean; head?: string[] }, io: CliIo): Promise<number> {
  let heads: { seq: number; hash: string }[];
  try {
    heads = parseHeads(options.head ?? []);
  } catch (error) {
    io.stderr.write(`seal: ${(error as Error).message}\n`);
    return 2;
  }
  return withStore(io, async (db) => {
    // Evidence files are hashed again only inside this machine's evidence folder.
    const report = await new AuditLog(db).verify({ heads, evidenceRoots: [defaultEvidenceRoot(io.env, io.cwd)] });
    io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderAuditReport(report));
    return report.ok ? 0 : 1;
  });
}

/** An event as a row of the trail's table. */
function trailRow(e: AuditEvent): string[] {
  const what = `${e.kind} ${e.kind === 'seal' || e.kind === 'evidence' ? e.subject.slice(0, 8) : e.subject} ${e.action}`;
  return [`#${e.seq}`, e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), oneLine(e.actor, 60), oneLine(`${what}${e.version ? ` (${e.version})` : ''}`, 80), oneLine(e.detail, 100), e.hash.slice(0, 12)];
}

export async function auditLogCommand(app: string, options: { release?: string; limit?: string; json?: boolean }, io: CliIo): Promise<number> {
  let limit = 200;
  try {
    if (options.limit !== undefined) {
      limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new SealError(`--limit must be a whole number from 1 to 10000 (got ${JSON.stringify(options.limit)})`);
    }
  } catch (error) {
    io.stderr.write(`seal: ${(error as Error).message}\n`);
    return 2;
  }
  return withStore(io, async (db) => {
    const events = await new AuditLog(db).trail(app, { version: options.release ?? null, limit });
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ app, release: options.release ?? null, events }, null, 2)}\n`);
      return 0;
    }
    if (events.length === 0) {
      io.stderr.write(`No audit events for ${app}${options.release ? ` ${options.release}` : ''}.\n`);
      return 0;
    }
    io.stdout.write(`${table(['SEQ', 'AT (UTC)', 'WHO', 'WHAT', 'DETAIL', 'HASH'], events.map(trailRow))}\n`);
    return 0;
  });
}
