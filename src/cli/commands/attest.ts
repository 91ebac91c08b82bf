/**
 * `seal attest <app> <version> [--out FILE] [--board URL]`: the release's test results as in-toto
 * attestations (src/evidence/attest.ts), one JSON document a line (an `.intoto.jsonl` bundle):
 * its current seal and each credited tier, DSSE-signed when SEAL_SIGNING_KEY holds an Ed25519
 * private key. Exit 0 when written, 2 on bad input (an unusable key, an unknown release, a release
 * without its commit, nothing to attest) or an unusable store.
 *
 * `seal attest verify FILE --key PUB [--json]`: checks every line against an Ed25519 public key.
 * Exit 0 when every attestation verifies, 1 when one does not, 2 on bad input.
 */
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { errorMessage, SealError } from '../../errors.js';
import { describeSubjects, parsePublicKey, parseSigningKey, printable, releaseStatements, signStatement, verifyAttestation, type AttestationCheck, type Ed25519Key } from '../../evidence/attest.js';
import { AuditLog } from '../../store/audit.js';
import { CreditStore } from '../../store/credits.js';
import { Ledger } from '../../store/ledger.js';
import type { CliIo } from '../io.js';
import { withStore } from '../store.js';

/** Largest attestation file `verify` reads. */
export const MAX_ATTESTATION_BYTES = 32 * 1024 * 1024;
/** Most lines of one attestation file. */
export const MAX_ATTESTATION_LINES = 10_000;
/** Largest key file read: a PEM key is well under 1 KiB. */
const MAX_KEY_BYTES = 64 * 1024;

/** `seal attest <app> <version>` */
export async function attestCommand(app: string, version: string, options: { out?: string; board?: string }, io: CliIo): Promise<number> {
  let signer: Ed25519Key | null;
  let board: string | null;
  try {
    // Both before the store opens: a bad key or address costs nothing and prints nothing.
    signer = signingKeyFrom(io);
    board = boardBase(options.board);
  } catch (error) {
    io.stderr.write(`seal: ${errorMessage(error)}\n`);
    return 2;
  }
  return withStore(io, async (db) => {
    const ledger = new Ledger(db);
    const release = await ledger.getRelease(app, version);
    if (!release) throw await unknownRelease(ledger, app, version);
    const run = release.smoke_seal ? await ledger.getRun(release.smoke_seal.run_id) : null;
    if (release.smoke_seal && !run) throw new SealError(`the seal of ${app} ${version} names run ${release.smoke_seal.run_id}, which the ledger does not hold`);
    // The seal attested is of the commit the release has now: a run made when it named another one does not vouch for this one.
    const tested = run?.result.release?.sha?.trim().toLowerCase() ?? null;
    if (tested && release.sha && tested !== release.sha.trim().toLowerCase()) {
      throw new SealError(`the seal of ${app} ${version} was made when the release's commit was ${tested.slice(0, 12)}; it is now ${release.sha.slice(0, 12)}: seal it again (seal smoke ${app} --release ${version}) before attesting`);
    }
    const credits = await new CreditStore(db).current(app, version);
    // Attestations vouch for the ledger's records and carry the chain's head: never for a ledger that does not verify.
    const checked = await new AuditLog(db).verify({ files: false });
    if (!checked.ok) throw new SealError(`the audit log does not verify (${checked.problems[0]?.message ?? `${checked.problem_count} problems`}); attestations would vouch for records changed outside smoke-seal: see seal audit verify`);
    const audit = checked.head;
    const statements = releaseStatements({ app, version, sha: release.sha, run: run?.result ?? null, credits, board, audit });
    const text = statements.map((s) => `${JSON.stringify(signer ? signStatement(s, signer) : s)}\n`).join('');
    const count = `${statements.length} attestation${statements.length === 1 ? '' : 's'}`;
    if (options.out !== undefined) {
      const path = resolve(io.cwd, options.out);
      try {
        writeFileSync(path, text);
      } catch (error) {
        throw new SealError(`--out ${path}: ${errorMessage(error)}`);
      }
      io.stderr.write(`wrote ${count} of ${app} ${version} to ${path}\n`);
    } else {
      io.stdout.write(text);
    }
    const unsigned = statements.length === 1 ? 'the attestation is an unsigned in-toto Statement' : `the ${count} are unsigned in-toto Statements`;
    io.stderr.write(signer ? `signed ${count} with the Ed25519 key ${signer.keyid} (SEAL_SIGNING_KEY)\n` : `note: ${unsigned}; set SEAL_SIGNING_KEY to an Ed25519 private key to sign attestations in DSSE envelopes\n`);
    return 0;
  });
}

/** What the ledger does not know: the app, or this release of it. */
async function unknownRelease(ledger: Ledger, app: string, version: string): Promise<SealError> {
  const apps = await ledger.appNames();
  if (!apps.includes(app)) {
    const shown = apps.slice(0, 20).join(', ') + (apps.length > 20 ? `, … (${apps.length} in all)` : '');
    return new SealError(`no app "${app}" in the ledger (apps: ${shown || 'none'})`);
  }
  return new SealError(`no release "${version}" of ${app} in the ledger (seal release list ${app})`);
}

/**
 * The signing key SEAL_SIGNING_KEY holds: the PEM text itself when it starts with -----BEGIN,
 * else the path of a PEM file (from the working directory). Unset: null, unsigned. Set but empty
 * is refused: a CI secret that is missing expands to "", and that must not sign nothing silently.
 */
function signingKeyFrom(io: CliIo): Ed25519Key | null {
  const value = io.env.SEAL_SIGNING_KEY;
  if (value === undefined) return null;
  if (value.trim() === '') throw new SealError('SEAL_SIGNING_KEY is set but empty (a CI secret that is missing?); set it to an Ed25519 private key in PEM, or to the path of one, or unset it for unsigned statements');
  if (value.trimStart().startsWith('-----BEGIN')) {
    // A PEM kept on one line with literal \n (some secret stores and env files do that).
    const pem = value.includes('\n') ? value : value.replaceAll('\\n', '\n');
    return parseSigningKey(pem, 'SEAL_SIGNING_KEY');
  }
  const path = resolve(io.cwd, value.trim());
  // A key pasted without its PEM header must not be printed back: the path is named only when it cannot be key material.
  const file = /^[A-Za-z0-9+/=_-]{40,}$/.test(value.trim()) ? 'the file SEAL_SIGNING_KEY names' : path;
  let pem: Buffer;
  try {
    pem = readSmallFile(path, MAX_KEY_BYTES, `SEAL_SIGNING_KEY: ${file}`);
  } catch (error) {
    throw new SealError(`${errorMessage(error)} (SEAL_SIGNING_KEY holds an Ed25519 private key in PEM, -----BEGIN PRIVATE KEY-----, or the path of a file with one)`);
  }
  return parseSigningKey(pem.toString('utf8'), `SEAL_SIGNING_KEY (${file})`);
}

/** --board or SEAL_BOARD_URL, checked, without a trailing slash; null when neither is given. */
export function boardBase(board: string | undefined): string | null {
  if (board === undefined || board.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(board.trim());
  } catch {
    throw new SealError(`--board (or SEAL_BOARD_URL) "${printable(board, 200)}" is not an absolute URL (https://seal.example.com)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SealError(`--board (or SEAL_BOARD_URL) "${printable(board, 200)}" is not an http or https URL`);
  return board.trim().replace(/\/+$/, '');
}

/** `seal attest verify <file> --key <pub>` */
export async function attestVerifyCommand(file: string, options: { key: string; json?: boolean }, io: CliIo): Promise<number> {
  let key: Ed25519Key;
  let text: string;
  try {
    key = parsePublicKey(readSmallFile(resolve(io.cwd, options.key), MAX_KEY_BYTES, `--key ${options.key}`).toString('utf8'), `--key ${options.key}`);
    const bytes = file === '-' ? await readStdin(MAX_ATTESTATION_BYTES) : readSmallFile(resolve(io.cwd, file), MAX_ATTESTATION_BYTES, file);
    text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    io.stderr.write(`seal: ${errorMessage(error)}\n`);
    return 2;
  }
  const where = file === '-' ? 'standard input' : file;
  const lines = attestationLines(text);
  if (lines === 'too many') {
    io.stderr.write(`seal: ${where} has more than ${MAX_ATTESTATION_LINES} lines; seal attest verify reads at most ${MAX_ATTESTATION_LINES}\n`);
    return 2;
  }
  if (lines.length === 0) {
    io.stderr.write(`seal: ${where} holds no attestation (it is empty)\n`);
    return 2;
  }
  const checks = lines.map(({ line, text: json }) => ({ line, ...verifyAttestation(json, key, options.key) }));
  const ok = checks.every((c) => c.ok);
  if (options.json) io.stdout.write(`${JSON.stringify({ ok, key: options.key, keyid: key.keyid, attestations: checks.map(jsonOf) })}\n`);
  else io.stdout.write(checks.map((c) => `${textOf(c)}\n`).join(''));
  const failed = checks.filter((c) => !c.ok).length;
  const verdict = ok ? (checks.length === 1 ? 'the attestation verifies' : `all ${checks.length} attestations verify`) : `${failed} of ${checks.length} attestation${checks.length === 1 ? '' : 's'} did not verify`;
  io.stderr.write(`${verdict} with ${options.key} (keyid ${key.keyid})\n`);
  return ok ? 0 : 1;
}

/** "line 2: ok, web@v1 gitCommit:…: PASSED (unit junit report)", or the line and why not. */
function textOf(check: AttestationCheck & { line: number }): string {
  if (!check.ok) return `line ${check.line}: ${check.reason ?? 'does not verify'}`;
  return `line ${check.line}: ok, ${describeSubjects(check.subject ?? [])}: ${check.result ?? ''}${check.about ? ` (${check.about})` : ''}`;
}

function jsonOf(check: AttestationCheck & { line: number }): Record<string, unknown> {
  return { line: check.line, ok: check.ok, subject: check.subject, result: check.result, about: check.about, ...(check.reason !== undefined ? { reason: check.reason } : {}) };
}

/**
 * The non-blank lines with their numbers in the file (as an editor counts them), or 'too many'
 * past MAX_ATTESTATION_LINES; found with indexOf, so a file of newlines costs no array of them.
 */
function attestationLines(text: string): { line: number; text: string }[] | 'too many' {
  const lines: { line: number; text: string }[] = [];
  let start = 0;
  for (let number = 1; start < text.length; number++) {
    if (number > MAX_ATTESTATION_LINES) return 'too many';
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end).replace(/\r$/, '');
    if (line.trim() !== '') lines.push({ line: number, text: line });
    if (end === -1) break;
    start = end + 1;
  }
  return lines;
}

/** A regular file read whole when it is at most `max` bytes; `label` names it in errors. */
function readSmallFile(path: string, max: number, label: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SealError(`${label}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : errorMessage(error)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new SealError(`${label}: not a file`);
    if (stat.size > max) throw new SealError(`${label}: ${stat.size} bytes, over the ${describeBytes(max)} read`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, null);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Standard input, refused past `max` bytes (it is not read further). */
async function readStdin(max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > max) throw new SealError(`standard input is over the ${describeBytes(max)} read`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`;
}
