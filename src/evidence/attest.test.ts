/**
 * Attestations on plain data: statements from a run and credits, DSSE's PAE against the spec's own
 * test vector, Ed25519 signatures that verify and that do not. The CLI, openssl as an independent
 * verifier, and the ledger are in test/attest.test.ts.
 */
import { createHash, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runResult } from '../../test/helpers/run-results.js';
import type { TierCredit } from '../store/credits.js';
import { exceedsDepth, IN_TOTO_PAYLOAD_TYPE, keyidOf, parsePublicKey, parseSigningKey, preAuthEncoding, releaseStatements, signStatement, subjectOf, TEST_RESULT_TYPE, verifyAttestation, type DsseEnvelope, type Ed25519Key, type TestResultStatement } from './attest.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const pem = (key: KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }).toString();
const pubPem = (key: KeyObject): string => key.export({ type: 'spki', format: 'pem' }).toString();

function credit(overrides: Partial<TierCredit>): TierCredit {
  return { tier: 'unit', credited: true, reason: null, format: 'junit', tests: 3, passed: 2, failed: 0, skipped: 1, flaky: 0, report_sha256: 'a'.repeat(64), report_bytes: 420, run_id: null, credited_by: 'ci@runner', created_at: '2026-12-01T10:00:00.000Z', ...overrides };
}

function keyPair(): { signer: Ed25519Key; verifier: Ed25519Key } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { signer: parseSigningKey(pem(privateKey), 'test key'), verifier: parsePublicKey(pubPem(publicKey), 'pub.pem') };
}

const run = runResult('web', { verdict: 'red', summary: '2/5 passed' }, [
  { name: 'up', status: 'passed' },
  { name: 'home', status: 'flaky' },
  { name: 'api', status: 'failed' },
  { name: 'certificate', status: 'error' },
  { name: 'spec', status: 'skipped' },
]);
const statements = releaseStatements({ app: 'web', version: 'v1.2', sha: SHA, run, credits: [credit({}), credit({ tier: 'e2e', format: 'playwright-json', flaky: 1 })], board: 'https://seal.example.com/board' });

describe('statements', () => {
  it('a seal: checks by status, the run result as stored in configuration, the board\'s release page', () => {
    const [seal] = statements;
    expect(seal).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'web@v1.2', digest: { gitCommit: SHA } }],
      predicateType: TEST_RESULT_TYPE,
      predicate: {
        result: 'FAILED',
        configuration: [{ name: `seal run ${run.run_id}`, uri: `urn:uuid:${run.run_id}`, digest: { sha256: createHash('sha256').update(JSON.stringify(run)).digest('hex') }, mediaType: 'application/json', annotations: { verdict: 'red', summary: '2/5 passed', base_url: run.base_url, started_at: run.started_at, finished_at: run.finished_at, skippedTests: ['spec'] } }],
        url: 'https://seal.example.com/board/releases/web/v1.2',
        passedTests: ['up'],
        warnedTests: ['home'],
        failedTests: ['api', 'certificate'],
      },
    });
  });

  it('green is PASSED, green with a flaky check WARNED, error (could not verify) FAILED', () => {
    const result = (verdict: 'green' | 'red' | 'error', status: 'passed' | 'flaky') =>
      releaseStatements({ app: 'a', version: 'v', sha: SHA, run: runResult('a', { verdict }, [{ status }]), credits: [], board: null })[0]?.predicate.result;
    expect(result('green', 'passed')).toBe('PASSED');
    expect(result('green', 'flaky')).toBe('WARNED');
    expect(result('error', 'passed')).toBe('FAILED');
  });

  it('a credited tier: its report by digest with the counts as annotations, WARNED when a test was flaky', () => {
    expect(statements.slice(1).map((s) => s.predicate)).toEqual([
      { result: 'PASSED', configuration: [{ name: 'unit junit report', digest: { sha256: 'a'.repeat(64) }, mediaType: 'application/xml', annotations: { tier: 'unit', format: 'junit', tests: 3, passed: 2, failed: 0, skipped: 1, flaky: 0, report_bytes: 420, credited_by: 'ci@runner', credited_at: '2026-12-01T10:00:00.000Z' } }], url: 'https://seal.example.com/board/releases/web/v1.2', passedTests: [], warnedTests: [], failedTests: [] },
      expect.objectContaining({ result: 'WARNED', configuration: [expect.objectContaining({ name: 'e2e playwright-json report', mediaType: 'application/json' })] }),
    ]);
  });

  it('only credited tiers; production_smoke credited by a seal is the seal\'s statement, by a report a tier\'s', () => {
    const made = releaseStatements({ app: 'web', version: 'v 2/β', sha: SHA, run: null, board: 'http://127.0.0.1:4400', credits: [credit({ credited: false, failed: 1 }), credit({ tier: 'production_smoke', format: 'seal' }), credit({ tier: 'production_smoke', format: 'junit' })] });
    expect(made.map((s) => s.predicate.configuration[0]?.name)).toEqual(['production_smoke junit report']);
    expect(made[0]?.predicate.url).toBe('http://127.0.0.1:4400/releases/web/v%202%2F%CE%B2');
    const noBoard = releaseStatements({ app: 'web', version: 'v1', sha: SHA, run, credits: [], board: null });
    expect(noBoard[0]?.predicate).not.toHaveProperty('url');
  });

  it('refuses a release with nothing to attest, or without its full commit', () => {
    expect(() => releaseStatements({ app: 'web', version: 'v3', sha: SHA, run: null, credits: [credit({ credited: false })], board: null })).toThrow('nothing to attest: web v3 has no seal and no credited test tier');
    expect(() => subjectOf({ app: 'web', version: 'v3', sha: null })).toThrow("web v3 has no recorded commit, and an attestation's subject is the commit: record it with seal release record web --version v3 --sha SHA");
    expect(() => subjectOf({ app: 'web', version: 'v3', sha: 'abc1234' })).toThrow('the commit recorded for web v3 is "abc1234", not a full git commit id (40 or 64 hex digits)');
    expect(subjectOf({ app: 'web', version: 'v3', sha: SHA.toUpperCase() }).digest).toEqual({ gitCommit: SHA });
    expect(subjectOf({ app: 'web', version: 'v3', sha: 'f'.repeat(64) }).digest).toEqual({ gitCommit: 'f'.repeat(64) });
  });
});

describe('DSSE', () => {
  it('PAE is the spec\'s test vector, and the spec\'s own P-256 signature verifies over it', () => {
    const pae = preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world'));
    expect(pae.toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
    // The key and signature of the test vector in secure-systems-lab/dsse protocol.md.
    const coordinate = (decimal: string): string => Buffer.from(BigInt(decimal).toString(16).padStart(64, '0'), 'hex').toString('base64url');
    const key = createPublicKey({ format: 'jwk', key: { kty: 'EC', crv: 'P-256', x: coordinate('46950820868899156662930047687818585632848591499744589407958293238635476079160'), y: coordinate('5640078356564379163099075877009565129882514886557779369047442380624545832820') } });
    const sig = Buffer.from('A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==', 'base64');
    expect(verify('sha256', pae, { key, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
    expect(verify('sha256', preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world!')), { key, dsaEncoding: 'ieee-p1363' }, sig)).toBe(false);
  });

  it('PAE counts bytes, not characters', () => {
    expect(preAuthEncoding('t/é', Buffer.from('ü', 'utf8')).toString()).toBe('DSSEv1 4 t/é 2 ü');
  });

  it('a signed statement verifies: subject, result and what it is about', () => {
    const { signer, verifier } = keyPair();
    const envelope = signStatement(statements[0]!, signer);
    expect(envelope).toEqual({ payloadType: IN_TOTO_PAYLOAD_TYPE, payload: Buffer.from(JSON.stringify(statements[0])).toString('base64'), signatures: [{ keyid: verifier.keyid, sig: expect.any(String) }] });
    expect(verify(null, preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, Buffer.from(envelope.payload, 'base64')), verifier.key, Buffer.from(envelope.signatures[0]!.sig, 'base64'))).toBe(true);
    expect(verifyAttestation(JSON.stringify(envelope), verifier, 'pub.pem')).toEqual({ ok: true, subject: [{ name: 'web@v1.2', digest: { gitCommit: SHA } }], result: 'FAILED', about: `seal run ${run.run_id}` });
    // Verifiers must accept URL-safe base64 as well as standard.
    const urlSafe = { ...envelope, payload: Buffer.from(envelope.payload, 'base64').toString('base64url'), signatures: [{ sig: Buffer.from(envelope.signatures[0]!.sig, 'base64').toString('base64url') }] };
    expect(verifyAttestation(JSON.stringify(urlSafe), verifier, 'pub.pem').ok).toBe(true);
  });

  it('a changed payload byte, a changed signature, a wrong key: each does not verify, naming the key and keyid', () => {
    const { signer, verifier } = keyPair();
    const envelope = signStatement(statements[1]!, signer);
    const payload = Buffer.from(envelope.payload, 'base64');
    payload[payload.indexOf('PASSED')] = 'Q'.charCodeAt(0);
    const changedPayload: DsseEnvelope = { ...envelope, payload: payload.toString('base64') };
    expect(verifyAttestation(JSON.stringify(changedPayload), verifier, 'pub.pem')).toEqual({ ok: false, subject: null, result: null, about: null, reason: `the signature does not verify with pub.pem (keyid ${verifier.keyid})` });
    const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
    sig[10] = sig[10]! ^ 1;
    expect(verifyAttestation(JSON.stringify({ ...envelope, signatures: [{ keyid: verifier.keyid, sig: sig.toString('base64') }] }), verifier, 'pub.pem').reason).toBe(`the signature does not verify with pub.pem (keyid ${verifier.keyid})`);
    const other = keyPair().verifier;
    expect(verifyAttestation(JSON.stringify(envelope), other, 'other.pem').reason).toBe(`the signature does not verify with other.pem (keyid ${verifier.keyid}; the key's is ${other.keyid})`);
    // The payload type is signed too.
    expect(verifyAttestation(JSON.stringify({ ...envelope, payloadType: 'application/json' }), verifier, 'pub.pem').reason).toMatch(/^the signature does not verify/);
    // One good signature among others is enough (DSSE's multi-signature envelope).
    expect(verifyAttestation(JSON.stringify({ ...envelope, signatures: [{ keyid: 'x', sig: sig.toString('base64') }, ...envelope.signatures] }), verifier, 'pub.pem').ok).toBe(true);
  });

  it('refuses what is not a signed test-result statement, saying why', () => {
    const { signer, verifier } = keyPair();
    const signRaw = (payloadType: string, body: string): string => JSON.stringify({ payloadType, payload: Buffer.from(body).toString('base64'), signatures: [{ sig: sign(null, preAuthEncoding(payloadType, Buffer.from(body)), signer.key).toString('base64') }] });
    const reason = (line: string): string | undefined => verifyAttestation(line, verifier, 'pub.pem').reason;
    expect(reason(JSON.stringify(statements[0]))).toBe('not signed: a plain in-toto Statement, not a DSSE envelope (sign with SEAL_SIGNING_KEY set)');
    expect(reason(JSON.stringify({ payloadType: IN_TOTO_PAYLOAD_TYPE, payload: 'e30=', signatures: [] }))).toBe('not signed: the envelope has no signature');
    expect(reason('{"payloadType":')).toMatch(/^not JSON: /);
    expect(reason('[1]')).toBe('not a DSSE envelope (not a JSON object)');
    expect(reason(JSON.stringify({ payloadType: IN_TOTO_PAYLOAD_TYPE, payload: 'not base64!', signatures: [{ sig: 'AA==' }] }))).toBe('the payload is not base64');
    expect(reason(signRaw('application/json', JSON.stringify(statements[0])))).toBe('the payloadType is "application/json", not application/vnd.in-toto+json');
    const provenance: unknown = { ...statements[0], predicateType: 'https://slsa.dev/provenance/v1' };
    expect(reason(signRaw(IN_TOTO_PAYLOAD_TYPE, JSON.stringify(provenance)))).toBe('the predicateType is "https://slsa.dev/provenance/v1", not https://in-toto.io/attestation/test-result/v0.1');
    expect(reason(signRaw(IN_TOTO_PAYLOAD_TYPE, JSON.stringify({ ...statements[0], _type: 'https://in-toto.io/Statement/v0.1' })))).toBe('the payload is not an in-toto Statement v1 (its _type is "https://in-toto.io/Statement/v0.1", not https://in-toto.io/Statement/v1)');
    expect(reason(signRaw(IN_TOTO_PAYLOAD_TYPE, JSON.stringify({ ...statements[0], subject: [{ name: 'x' }] })))).toBe("the Statement's subject is not a list of artifacts, each with a digest");
    const noResult: TestResultStatement = { ...statements[0]!, predicate: { ...statements[0]!.predicate, result: 'OK' as 'PASSED' } };
    expect(reason(signRaw(IN_TOTO_PAYLOAD_TYPE, JSON.stringify(noResult)))).toBe('the predicate is not a test result (result must be PASSED, WARNED or FAILED, and configuration a list)');
  });

  it('a line nested past sanity is refused before it is parsed', () => {
    const { verifier } = keyPair();
    expect(verifyAttestation(`${'['.repeat(200_000)}${']'.repeat(200_000)}`, verifier, 'pub.pem').reason).toBe('not JSON: nested deeper than 32 levels');
    expect(exceedsDepth('{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"[[[["}', 2)).toBe(false);
    expect(exceedsDepth('[[[]]]', 2)).toBe(true);
  });
});

describe('keys', () => {
  it('keyid is the SHA-256 of the public key\'s DER SubjectPublicKeyInfo, the same from either half', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const keyid = createHash('sha256').update(spki).digest('hex');
    expect(keyidOf(publicKey)).toBe(keyid);
    expect(parseSigningKey(pem(privateKey), 'k').keyid).toBe(keyid);
    expect(parsePublicKey(pubPem(publicKey), 'k').keyid).toBe(keyid);
    expect(parsePublicKey(pem(privateKey), 'k').keyid).toBe(keyid);
  });

  it('refuses a key that is not Ed25519, naming where it came from and what it is', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => parseSigningKey(pem(rsa.privateKey), 'SEAL_SIGNING_KEY')).toThrow('SEAL_SIGNING_KEY is an RSA private key; seal signs and verifies with Ed25519 only (openssl genpkey -algorithm ed25519 -out signing.pem)');
    expect(() => parseSigningKey(pem(p256.privateKey), 'SEAL_SIGNING_KEY')).toThrow('SEAL_SIGNING_KEY is an EC (prime256v1) private key; seal signs and verifies with Ed25519 only');
    expect(() => parsePublicKey(pubPem(p256.publicKey), '--key p256.pem')).toThrow('--key p256.pem is an EC (prime256v1) public key; seal signs and verifies with Ed25519 only');
  });

  it('refuses a malformed, encrypted or public key as a signing key, and never quotes it', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const text = pem(privateKey);
    const broken = text.replace(/\n[A-Za-z0-9+/]{8}/, '\n!!!!!!!!');
    const refusal = (pemText: string): string => {
      try {
        parseSigningKey(pemText, 'SEAL_SIGNING_KEY');
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    const malformed = refusal(broken);
    expect(malformed).toMatch(/^SEAL_SIGNING_KEY is not a PEM private key that can be read \(.+\); make one with openssl genpkey -algorithm ed25519 -out signing.pem$/);
    const body = text.split('\n')[1]!;
    expect(malformed).not.toContain(body.slice(10, 30));
    expect(refusal(privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString())).toBe('SEAL_SIGNING_KEY is an encrypted private key; seal needs it unencrypted (keep the variable or the file itself secret)');
    expect(refusal(pubPem(publicKey))).toBe('SEAL_SIGNING_KEY is a public key; signing needs the private key (the public one is for seal attest verify --key)');
    expect(refusal('-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n')).toMatch(/^SEAL_SIGNING_KEY is not a PEM private key that can be read/);
  });
});
