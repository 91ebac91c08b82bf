/**
 * in-toto attestations of a release's test results: what `seal attest` prints and what
 * `seal attest verify` checks. Pure: statements from plain ledger data, DSSE's pre-authentication
 * encoding, Ed25519 signing and verifying; reading keys and files is the command's
 * (src/cli/commands/attest.ts).
 *
 * Specs followed: in-toto Statement v1 and ResourceDescriptor v1
 * (github.com/in-toto/attestation spec/v1), the test-result predicate v0.1
 * (spec/predicates/test-result.md), DSSE v1 (github.com/secure-systems-lab/dsse, protocol.md and
 * envelope.md) and the in-toto Bundle (JSON Lines, spec/v1/bundle.md).
 *
 * Why node:crypto and no DSSE library: the maintained DSSE code on npm is Sigstore's
 * (@sigstore/core has the PAE, @sigstore/sign the envelopes); its current releases require Node
 * 22.22 or later while seal supports 20.19, and they build Sigstore bundles (one signature, a
 * Fulcio certificate, a Rekor entry over the network) rather than plain envelopes signed with a key
 * of one's own. DSSE itself is one encoding (PAE) and a signature, and node:crypto has Ed25519.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { SealError } from '../errors.js';
import type { RunResult, CheckStatus, Verdict } from '../runner/run-result.js';
import type { TierCredit } from '../store/credits.js';
import { PRODUCTION_SMOKE } from './tiers.js';

/** The in-toto Statement layer's type. */
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
/** The test-result predicate's type. */
export const TEST_RESULT_TYPE = 'https://in-toto.io/attestation/test-result/v0.1';
/** The DSSE payload type of an in-toto Statement (in-toto spec/v1/envelope.md). */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** Deepest JSON nesting a line or a payload may have: ours is 4 deep; past this it is not an attestation. */
export const MAX_JSON_DEPTH = 32;

/** The test-result predicate's verdict. */
export type TestResult = 'PASSED' | 'WARNED' | 'FAILED';

/** An in-toto ResourceDescriptor (only the fields seal writes). */
export interface ResourceDescriptor {
  readonly name?: string;
  readonly uri?: string;
  readonly digest?: Readonly<Record<string, string>>;
  readonly mediaType?: string;
  readonly annotations?: Readonly<Record<string, unknown>>;
}

/** An in-toto Statement v1 with a test-result predicate. */
export interface TestResultStatement {
  readonly _type: typeof STATEMENT_TYPE;
  readonly subject: readonly ResourceDescriptor[];
  readonly predicateType: typeof TEST_RESULT_TYPE;
  readonly predicate: {
    readonly result: TestResult;
    readonly configuration: readonly ResourceDescriptor[];
    readonly url?: string;
    readonly passedTests: readonly string[];
    readonly warnedTests: readonly string[];
    readonly failedTests: readonly string[];
  };
}

/** A DSSE envelope. */
export interface DsseEnvelope {
  readonly payloadType: string;
  readonly payload: string;
  readonly signatures: readonly { readonly keyid?: string; readonly sig: string }[];
}

/** What a release's attestations are made from, as the ledger holds it. */
export interface AttestationSource {
  readonly app: string;
  readonly version: string;
  readonly sha: string | null;
  /** The run of the release's current seal, as stored; null when it has no seal. */
  readonly run: RunResult | null;
  /** The newest credit of each tier (CreditStore.current). */
  readonly credits: readonly TierCredit[];
  /** The board's address without a trailing slash, for links; null for none. */
  readonly board: string | null;
  /** The audit log's head when the attestations were made: kept in each, so a rewritten chain shows (seal audit verify --head). */
  readonly audit?: { readonly seq: number; readonly hash: string } | null;
}

/**
 * The release's statements: one for its current seal, then one for each credited tier. Throws a
 * SealError saying what to do when the release has no commit or nothing to attest.
 */
export function releaseStatements(source: AttestationSource): TestResultStatement[] {
  const subject = [subjectOf(source)];
  const url = source.board === null ? null : `${source.board}/releases/${encodeURIComponent(source.app)}/${encodeURIComponent(source.version)}`;
  const made = [...(source.run ? [sealStatement(subject, source.run, url)] : []), ...attestableCredits(source.credits).map((credit) => tierStatement(subject, credit, url))];
  const head = source.audit && source.audit.seq > 0 ? auditHeadDescriptor(source.audit) : null;
  const statements = head ? made.map((s) => ({ ...s, predicate: { ...s.predicate, configuration: [...s.predicate.configuration, head] } })) : made;
  if (statements.length === 0) throw new SealError(`nothing to attest: ${source.app} ${source.version} has no seal and no credited test tier (seal smoke ${source.app} --release ${source.version}; seal credit ${source.app} --release ${source.version} --tier T --junit FILE)`);
  return statements;
}

/**
 * The audit log's head as a configuration entry: its newest event's seq and hash. A signed
 * attestation thereby keeps the chain's state outside the database: `seal audit verify --head
 * SEQ:HASH` later fails if the chain was rewritten from an earlier event on.
 */
export function auditHeadDescriptor(head: { readonly seq: number; readonly hash: string }): ResourceDescriptor {
  return { name: `smoke-seal audit log head #${head.seq}`, digest: { sha256: head.hash }, annotations: { seq: head.seq, check: `seal audit verify --head ${head.seq}:${head.hash}` } };
}

/**
 * The subject: the release's commit. Named `<app>@<version>` so a reader sees which release the
 * commit shipped as; consumers match subjects by digest alone (statement.md), so the name is a
 * label. gitCommit is the full lowercase hex id (digest_set.md), so a short sha is refused.
 */
export function subjectOf(release: { readonly app: string; readonly version: string; readonly sha: string | null }): ResourceDescriptor {
  const record = `seal release record ${release.app} --version ${release.version} --sha SHA`;
  const sha = release.sha?.trim().toLowerCase() ?? '';
  if (sha === '') throw new SealError(`${release.app} ${release.version} has no recorded commit, and an attestation's subject is the commit: record it with ${record}`);
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(sha)) throw new SealError(`the commit recorded for ${release.app} ${release.version} is "${printable(sha, 80)}", not a full git commit id (40 or 64 hex digits) as an in-toto gitCommit digest must be: record the full one with ${record}`);
  return { name: `${release.app}@${release.version}`, digest: { gitCommit: sha } };
}

/**
 * Only credited tiers are attested (a consumer's policy asks for a PASSED attestation, never for
 * the absence of a FAILED one). production_smoke credited by a seal is left out: the seal's own
 * statement covers it, with its checks by name; one credited by a report is attested like any tier.
 */
export function attestableCredits(credits: readonly TierCredit[]): TierCredit[] {
  return credits.filter((c) => c.credited && !(c.tier === PRODUCTION_SMOKE && c.format === 'seal'));
}

/**
 * A seal verdict as a test result. An error seal is FAILED: "could not verify" is not a pass, and
 * a policy that reads PASSED must not let it through. A green seal with a flaky check is WARNED,
 * the spec's "passed with warnings", as a tier with flaky tests is.
 */
const SEAL_RESULT: Record<Verdict, TestResult> = { green: 'PASSED', red: 'FAILED', error: 'FAILED' };

/**
 * The statement of a seal: its checks by name (skipped ones in the annotations only), and the run
 * result as stored in `configuration`. The digest is SHA-256 over JSON.stringify of the result
 * as the ledger gives it back (jsonb orders keys its own way), which is what a consumer
 * recomputes from `GET <board>/api/runs/<run_id>`: sha256 of JSON.stringify(body.result).
 */
export function sealStatement(subject: readonly ResourceDescriptor[], run: RunResult, url: string | null): TestResultStatement {
  const named = (...statuses: CheckStatus[]): string[] => run.checks.filter((c) => statuses.includes(c.status)).map((c) => c.name);
  const warnedTests = named('flaky');
  const configuration: ResourceDescriptor = {
    name: `seal run ${run.run_id}`,
    uri: `urn:uuid:${run.run_id}`,
    digest: { sha256: sha256Hex(JSON.stringify(run)) },
    mediaType: 'application/json',
    annotations: { verdict: run.verdict, summary: run.summary, base_url: run.base_url, started_at: run.started_at, finished_at: run.finished_at, skippedTests: named('skipped') },
  };
  const result = run.verdict === 'green' && warnedTests.length > 0 ? 'WARNED' : SEAL_RESULT[run.verdict];
  return statement(subject, { result, configuration: [configuration], ...(url ? { url } : {}), passedTests: named('passed'), warnedTests, failedTests: named('failed', 'error') });
}

/** Media types of the report formats seal credits from. */
const REPORT_MEDIA_TYPE: Readonly<Record<string, string>> = { junit: 'application/xml', 'playwright-json': 'application/json', 'vitest-json': 'application/json' };

/**
 * The statement of a credited tier. The ledger keeps a report's counts and SHA-256, not its test
 * names, so the name lists are empty and the counts go in the report's descriptor's annotations
 * (the ResourceDescriptor's free map). Credited means none failed: PASSED, or WARNED with flaky tests.
 */
export function tierStatement(subject: readonly ResourceDescriptor[], credit: TierCredit, url: string | null): TestResultStatement {
  const mediaType = REPORT_MEDIA_TYPE[credit.format];
  const configuration: ResourceDescriptor = {
    name: `${credit.tier} ${credit.format} report`,
    digest: { sha256: credit.report_sha256 },
    ...(mediaType ? { mediaType } : {}),
    annotations: { tier: credit.tier, format: credit.format, tests: credit.tests, passed: credit.passed, failed: credit.failed, skipped: credit.skipped, flaky: credit.flaky, report_bytes: credit.report_bytes, credited_by: credit.credited_by, credited_at: credit.created_at },
  };
  return statement(subject, { result: credit.flaky > 0 ? 'WARNED' : 'PASSED', configuration: [configuration], ...(url ? { url } : {}), passedTests: [], warnedTests: [], failedTests: [] });
}

function statement(subject: readonly ResourceDescriptor[], predicate: TestResultStatement['predicate']): TestResultStatement {
  return { _type: STATEMENT_TYPE, subject, predicateType: TEST_RESULT_TYPE, predicate };
}

/** DSSE's pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in bytes. */
export function preAuthEncoding(payloadType: string, body: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body]);
}

/** An Ed25519 key and its keyid. */
export interface Ed25519Key {
  readonly key: KeyObject;
  /**
   * Hex SHA-256 of the public key's DER SubjectPublicKeyInfo: the same whichever file holds the
   * key, and recomputable with `openssl pkey -pubin -in pub.pem -outform DER | sha256sum`.
   */
  readonly keyid: string;
}

/**
 * An Ed25519 private key from PEM text. `source` names where it came from in every message; the
 * key itself is never quoted.
 */
export function parseSigningKey(pem: string, source: string): Ed25519Key {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: *4, *ENCRYPTED/.test(pem)) throw new SealError(`${source} is an encrypted private key; seal needs it unencrypted (keep the variable or the file itself secret)`);
  if (/-----BEGIN (?:RSA )?PUBLIC KEY-----/.test(pem) && !/PRIVATE KEY-----/.test(pem)) throw new SealError(`${source} is a public key; signing needs the private key (the public one is for seal attest verify --key)`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new SealError(`${source} is not a PEM private key that can be read (${cryptoReason(error)}); make one with openssl genpkey -algorithm ed25519 -out signing.pem`);
  }
  requireEd25519(key, source, 'private');
  return { key, keyid: keyidOf(createPublicKey(key)) };
}

/** An Ed25519 public key from PEM text (a private key or a certificate gives its public key). */
export function parsePublicKey(pem: string, source: string): Ed25519Key {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new SealError(`${source} is not a PEM public key that can be read (${cryptoReason(error)}); write one with openssl pkey -in signing.pem -pubout -out signing.pub.pem`);
  }
  requireEd25519(key, source, 'public');
  return { key, keyid: keyidOf(key) };
}

function requireEd25519(key: KeyObject, source: string, kind: 'private' | 'public'): void {
  if (key.asymmetricKeyType === 'ed25519') return;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const type = `${(key.asymmetricKeyType ?? 'unknown').toUpperCase()}${curve ? ` (${curve})` : ''}`;
  throw new SealError(`${source} is an ${type} ${kind} key; seal signs and verifies with Ed25519 only (openssl genpkey -algorithm ed25519 -out signing.pem)`);
}

/** The keyid of a public key (see Ed25519Key.keyid). */
export function keyidOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** The crypto library's reason, one line and short: it names the decoder's complaint, never key bytes. */
function cryptoReason(error: unknown): string {
  return printable(error instanceof Error ? error.message : String(error), 160);
}

/** A statement in a DSSE envelope, signed with Ed25519 over PAE(payloadType, JSON bytes). */
export function signStatement(statement: TestResultStatement, signer: Ed25519Key): DsseEnvelope {
  const body = Buffer.from(JSON.stringify(statement), 'utf8');
  const sig = sign(null, preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, body), signer.key);
  return { payloadType: IN_TOTO_PAYLOAD_TYPE, payload: body.toString('base64'), signatures: [{ keyid: signer.keyid, sig: sig.toString('base64') }] };
}

/** What verifying one line found. Subject, result and what it is about come only from a payload whose signature verified. */
export interface AttestationCheck {
  readonly ok: boolean;
  readonly subject: ResourceDescriptor[] | null;
  readonly result: TestResult | null;
  /** The first configuration's name ("seal run …", "unit junit report"). */
  readonly about: string | null;
  readonly reason?: string;
}

/** Most signatures of one envelope tried. */
const MAX_SIGNATURES = 32;

/**
 * Verifies one JSON line: a DSSE envelope whose signature verifies with `key` (one is enough),
 * of an in-toto payload that is a Statement v1 with the test-result predicate. In DSSE's order:
 * the signature first, then the payload type, then the payload. `keyLabel` names the key file.
 */
export function verifyAttestation(line: string, key: Ed25519Key, keyLabel: string): AttestationCheck {
  const refuse = (reason: string): AttestationCheck => ({ ok: false, subject: null, result: null, about: null, reason });
  const parsed = parseJson(line);
  if ('reason' in parsed) return refuse(`not JSON: ${parsed.reason}`);
  const envelope = parsed.value;
  if (!isRecord(envelope)) return refuse('not a DSSE envelope (not a JSON object)');
  if ('_type' in envelope && !('payload' in envelope)) return refuse('not signed: a plain in-toto Statement, not a DSSE envelope (sign with SEAL_SIGNING_KEY set)');
  if (typeof envelope.payload !== 'string' || typeof envelope.payloadType !== 'string') return refuse('not a DSSE envelope (payload and payloadType must be strings)');
  const signatures = envelope.signatures;
  if (signatures !== undefined && !Array.isArray(signatures)) return refuse('not a DSSE envelope (signatures must be a list)');
  if (!signatures || signatures.length === 0) return refuse('not signed: the envelope has no signature');
  if (signatures.length > MAX_SIGNATURES) return refuse(`the envelope has ${signatures.length} signatures; at most ${MAX_SIGNATURES} are tried`);
  const body = decodeBase64(envelope.payload);
  if (!body) return refuse('the payload is not base64');
  const pae = preAuthEncoding(envelope.payloadType, body);
  const verified = signatures.some((s) => isRecord(s) && typeof s.sig === 'string' && verifies(pae, s.sig, key.key));
  if (!verified) {
    const keyids = signatures.map((s) => (isRecord(s) && typeof s.keyid === 'string' && s.keyid ? printable(s.keyid, 80) : 'none'));
    const other = keyids.every((id) => id !== key.keyid) ? `; the key's is ${key.keyid}` : '';
    return refuse(`the signature does not verify with ${keyLabel} (keyid ${keyids.join(', ')}${other})`);
  }
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return refuse(`the payloadType is "${printable(envelope.payloadType, 80)}", not ${IN_TOTO_PAYLOAD_TYPE}`);
  return readStatement(body);
}

function verifies(pae: Buffer, sig: string, key: KeyObject): boolean {
  const bytes = decodeBase64(sig);
  if (!bytes) return false;
  try {
    return verify(null, pae, key, bytes);
  } catch {
    // A signature of the wrong length for the key: it does not verify.
    return false;
  }
}

/** The signed payload as an in-toto test-result Statement, or why it is not one. */
function readStatement(body: Buffer): AttestationCheck {
  const refuse = (reason: string): AttestationCheck => ({ ok: false, subject: null, result: null, about: null, reason });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return refuse('the payload is not UTF-8 text');
  }
  const parsed = parseJson(text);
  if ('reason' in parsed) return refuse(`the payload is not JSON: ${parsed.reason}`);
  const statement = parsed.value;
  if (!isRecord(statement) || statement._type !== STATEMENT_TYPE) return refuse(`the payload is not an in-toto Statement v1 (its _type is ${describe(isRecord(statement) ? statement._type : statement)}, not ${STATEMENT_TYPE})`);
  if (statement.predicateType !== TEST_RESULT_TYPE) return refuse(`the predicateType is ${describe(statement.predicateType)}, not ${TEST_RESULT_TYPE}`);
  const subject = subjectsOf(statement.subject);
  if (!subject) return refuse('the Statement\'s subject is not a list of artifacts, each with a digest');
  const predicate = statement.predicate;
  if (!isRecord(predicate) || !isTestResult(predicate.result) || !Array.isArray(predicate.configuration)) return refuse('the predicate is not a test result (result must be PASSED, WARNED or FAILED, and configuration a list)');
  const first: unknown = predicate.configuration[0];
  const about = isRecord(first) && typeof first.name === 'string' ? printable(first.name, 200) : null;
  return { ok: true, subject, result: predicate.result, about };
}

/** Most subjects read back from one statement. */
const MAX_SUBJECTS = 100;

/** The subject's names and digests (bounded, printable), or null when it is not a list of artifacts with digests. */
function subjectsOf(value: unknown): ResourceDescriptor[] | null {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_SUBJECTS) return null;
  const subjects: ResourceDescriptor[] = [];
  for (const item of value as unknown[]) {
    if (!isRecord(item) || !isRecord(item.digest)) return null;
    const digests = Object.entries(item.digest).slice(0, 16);
    if (digests.length === 0 || digests.some(([, v]) => typeof v !== 'string')) return null;
    const digest = Object.fromEntries(digests.map(([algorithm, v]) => [printable(algorithm, 40), printable(v as string, 200)]));
    subjects.push({ ...(typeof item.name === 'string' ? { name: printable(item.name, 200) } : {}), digest });
  }
  return subjects;
}

/** "web@v1 gitCommit:0123…", for the text output. */
export function describeSubjects(subjects: readonly ResourceDescriptor[]): string {
  return subjects.map((s) => `${s.name ?? '_'} ${Object.entries(s.digest ?? {}).map(([a, v]) => `${a}:${v}`).join(' ')}`).join(', ');
}

function isTestResult(value: unknown): value is TestResult {
  return value === 'PASSED' || value === 'WARNED' || value === 'FAILED';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON.parse behind a nesting bound, so that a hostile line is refused before it is parsed. */
function parseJson(text: string): { value: unknown } | { reason: string } {
  if (exceedsDepth(text, MAX_JSON_DEPTH)) return { reason: `nested deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { reason: printable((error as Error).message, 120) };
  }
}

/** True when brackets outside strings nest deeper than `max`: one pass, no recursion. */
export function exceedsDepth(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Base64, standard or URL-safe (DSSE verifiers must accept both), padded or not. Anything else is
 * refused rather than skipped, which Buffer.from would do.
 */
function decodeBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) && !/^[A-Za-z0-9_-]*={0,2}$/.test(text)) return null;
  if (text.replace(/=+$/, '').length % 4 === 1) return null;
  return Buffer.from(text, 'base64');
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A value from outside, quoted for a message: JSON, one line, bounded. */
function describe(value: unknown): string {
  const json: string | undefined = JSON.stringify(value);
  return json === undefined ? 'missing' : printable(json, 100);
}

/** Text from outside as one printable line of at most `max` characters. */
export function printable(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
