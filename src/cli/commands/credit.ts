/**
 * `seal credit <app> --release V --tier T (--junit F | --playwright-json F | --vitest-json F)`:
 * reads a test report, counts it test by test, and records on the release whether it credits
 * the tier (src/evidence/reports.ts). A tier is never credited by a claim: only by a report
 * that parses, ran tests and failed none. Exit 0 when recorded (credited or not: the record is
 * the point, and the tests themselves already failed the job), 2 on bad input or an unusable
 * store.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { errorMessage, SealError } from '../../errors.js';
import { exchange } from '../../notify/http.js';
import { oneLine } from '../../notify/message.js';
import { msFromEnv } from '../../store/db.js';
import { REPORT_BUDGET_MS } from './report-seal.js';
import { findConfigPath, loadConfig } from '../../config/load.js';
import { creditOf, MAX_REPORT_BYTES, oversizedReport, readReport, type ReportFormat } from '../../evidence/reports.js';
import { DEFAULT_VOCABULARY, type TierVocabulary } from '../../evidence/tiers.js';
import type { SealConfig } from '../../config/types.js';
import { CreditStore, type TierCredit } from '../../store/credits.js';
import type { CliIo } from '../io.js';
import { withStore } from '../store.js';

export interface CreditOptions {
  readonly release: string;
  readonly tier: string;
  readonly junit?: string;
  readonly playwrightJson?: string;
  readonly vitestJson?: string;
  readonly config?: string;
  /** A seal server to send the report to (its vocabulary then decides the tier); token: SEAL_TOKEN. */
  readonly server?: string;
  readonly json?: boolean;
}

export async function creditCommand(app: string, options: CreditOptions, io: CliIo): Promise<number> {
  let tier: string;
  let format: ReportFormat;
  let read: { bytes: Buffer | null; size: number; sha256: string };
  let path: string;
  try {
    const given = ([['junit', options.junit], ['playwright-json', options.playwrightJson], ['vitest-json', options.vitestJson]] as const).filter(([, file]) => file !== undefined);
    if (given.length !== 1) throw new SealError('name one report: --junit FILE, --playwright-json FILE or --vitest-json FILE (a tier is credited only by a report seal reads itself)');
    const [picked, file] = given[0]!;
    format = picked;
    // Through a server, the server's vocabulary decides what the name means.
    tier = options.server ? options.tier : tierConfig(options.config, io).vocabulary.resolveOrThrow(options.tier, '--tier');
    path = resolve(io.cwd, file!);
    read = readCapped(path, `--${format}`);
  } catch (error) {
    io.stderr.write(`seal: ${(error as Error).message}\n`);
    return 2;
  }
  if (options.server) return sendCredit(app, options, { tier, format, path, read }, io);
  const report = read.bytes ? readReport(format, read.bytes) : oversizedReport(format, read.size, read.sha256);
  const verdict = creditOf(report);
  const counts = report.ok ? report.counts : { tests: 0, passed: 0, failed: 0, skipped: 0, flaky: 0 };
  return withStore(io, async (db) => {
    const credit = await new CreditStore(db).record(app, options.release, {
      tier,
      credited: verdict.credited,
      reason: verdict.reason,
      format,
      ...counts,
      report_sha256: report.sha256,
      report_bytes: report.bytes,
      run_id: null,
      credited_by: localUser(),
    });
    if (options.json) io.stdout.write(`${JSON.stringify({ app, release: options.release, report: path, ...credit })}\n`);
    const summary = `${counts.tests} tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.flaky} flaky`;
    io.stderr.write(
      credit.credited
        ? `${app} ${options.release}: ${tier} credited (${summary}; ${format} sha256 ${report.sha256})\n`
        : `${app} ${options.release}: ${tier} not credited: ${verdict.reason ?? ''} (${report.ok ? `${summary}; ` : ''}${format} sha256 ${report.sha256})\n`,
    );
    return 0;
  });
}

/**
 * Sends the report to a seal server, which reads it and records the credit naming the token.
 * Bounded by SEAL_SERVER_TIMEOUT_MS (15 s); never sent twice once it may have arrived (a second
 * row would be a second credit). Exit 0 when recorded, 2 when not (refused, or not reached).
 */
async function sendCredit(app: string, options: CreditOptions, report: { tier: string; format: ReportFormat; path: string; read: { bytes: Buffer | null; size: number } }, io: CliIo): Promise<number> {
  const server = (options.server ?? '').replace(/\/+$/, '');
  const describe = `the seal server at ${server}`;
  if (!report.read.bytes) {
    io.stderr.write(`seal: ${report.path} is ${report.read.size} bytes; a seal server reads reports of at most ${MAX_REPORT_BYTES} bytes\n`);
    return 2;
  }
  const token = io.env.SEAL_TOKEN?.trim();
  if (!token) {
    io.stderr.write(`seal: --server needs a write token of ${server} in SEAL_TOKEN (seal token create --name ci, on the server)\n`);
    return 2;
  }
  const budgetMs = msFromEnv(io.env, 'SEAL_SERVER_TIMEOUT_MS') ?? REPORT_BUDGET_MS;
  const url = `${server}/api/releases/${encodeURIComponent(app)}/${encodeURIComponent(options.release)}/credits?tier=${encodeURIComponent(report.tier)}&format=${report.format}`;
  try {
    const { answer } = await exchange(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: report.read.bytes }, { deadline: Date.now() + budgetMs, describe, idempotent: false });
    const body = answer.json as (Partial<TierCredit> & { error?: string }) | null;
    if (answer.status !== 201 || !body) {
      io.stderr.write(`seal: ${describe} did not record the credit: ${answer.status} ${oneLine(body?.error ?? answer.text, 500)}\n`);
      return 2;
    }
    if (options.json) io.stdout.write(`${JSON.stringify({ report: report.path, ...body })}\n`);
    io.stderr.write(`${app} ${options.release}: ${body.tier ?? report.tier} ${body.credited ? 'credited' : `not credited: ${body.reason ?? ''}`} (recorded by ${server} for ${body.credited_by ?? 'the token'}; ${report.format} sha256 ${body.report_sha256 ?? ''})\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`seal: the credit was not recorded: ${errorMessage(error)}${/no (answer in time|time left)/.test(errorMessage(error)) ? ` (SEAL_SERVER_TIMEOUT_MS allows ${budgetMs} ms)` : ''}\n`);
    return 2;
  }
}

/**
 * The config when there is one (named by --config or SEAL_CONFIG, or found in the working
 * directory), and its tier vocabulary; without a config, the default ladder. A config that
 * does not load is an error: its vocabulary is the one that counts.
 */
export function tierConfig(explicit: string | undefined, io: CliIo): { vocabulary: TierVocabulary; config: SealConfig | null } {
  const path = findConfigPath(explicit, io.env, io.cwd);
  if (explicit === undefined && io.env.SEAL_CONFIG === undefined && !existsSync(path)) return { vocabulary: DEFAULT_VOCABULARY, config: null };
  const config = loadConfig(path, io.env);
  return { vocabulary: config.tiers, config };
}

/** Who credits, when it is not a token through the server: the local user and host. */
function localUser(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container's arbitrary uid): the host still says where.
  }
  return `${user}@${hostname()}`;
}

/**
 * Reads the report whole when it is at most MAX_REPORT_BYTES; a bigger one is not read into
 * memory, only hashed a chunk at a time, and is then refused with its size.
 */
function readCapped(path: string, flag: string): { bytes: Buffer | null; size: number; sha256: string } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SealError(`${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new SealError(`${flag} ${path}: not a file`);
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    const chunk = Buffer.alloc(1024 * 1024);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
      size += n;
      if (size <= MAX_REPORT_BYTES) chunks.push(Buffer.from(chunk.subarray(0, n)));
      else chunks.length = 0;
    }
    return { bytes: size <= MAX_REPORT_BYTES ? Buffer.concat(chunks) : null, size, sha256: hash.digest('hex') };
  } finally {
    closeSync(fd);
  }
}
