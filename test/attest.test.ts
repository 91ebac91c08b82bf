/**
 * `seal attest` and `seal attest verify` through the real CLI: a release recorded with its commit,
 * sealed against a server on loopback and credited with a JUnit report; its attestations plain and
 * signed with keys openssl made; verified by seal, and by openssl as an independent verifier of
 * the DSSE signature; and every refusal with its exit code.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, startServeCli } from './helpers/cli.js';
import { reply, startServer, type TestServer } from './helpers/servers.js';

const dir = mkdtempSync(join(tmpdir(), 'seal-attest-'));
const env = { SEAL_DATA_DIR: join(dir, '.seal') };
const seal = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { env: { ...env, ...extra }, cwd: dir, timeoutMs: 60_000 });
const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');
const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
const IN_TOTO = 'application/vnd.in-toto+json';

interface Statement {
  _type: string;
  subject: { name: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate: { result: string; configuration: { name: string; uri?: string; digest: { sha256: string }; annotations: Record<string, unknown> }[]; url?: string; passedTests: string[]; warnedTests: string[]; failedTests: string[] };
}
interface Envelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

/** openssl, which must succeed. */
function openssl(...args: string[]): string {
  const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

/** The envelope with one byte of its payload changed (decoded, changed, encoded again). */
function tamper(line: string, find: string, replace: string): string {
  const envelope = JSON.parse(line) as Envelope;
  const payload = Buffer.from(envelope.payload, 'base64');
  const at = payload.indexOf(find);
  expect(at).toBeGreaterThan(0);
  payload.write(replace, at);
  return JSON.stringify({ ...envelope, payload: payload.toString('base64') });
}

/** DSSE's PAE, written out here from protocol.md rather than taken from seal. */
function pae(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body]);
}

let prod: TestServer;
let runId: string;
let keyid: string;
beforeAll(async () => {
  prod = await startServer((_req, res) => reply(res, 200, 'ok'));
  writeFileSync(join(dir, 'seal.config.yaml'), `apps:\n  web:\n    production_url: ${prod.url}\n    checks:\n      - { name: home, http: /, expect: { status: 200 } }\n      - { name: up, http: /up, expect: { status: 200 } }\n`);
  expect((await seal(['release', 'record', 'web', '--version', 'v1', '--sha', SHA])).code).toBe(0);
  const smoke = await seal(['smoke', 'web', '--release', 'v1', '--json']);
  expect(smoke.code, smoke.stderr).toBe(0);
  runId = (JSON.parse(smoke.stdout) as { run_id: string }).run_id;
  writeFileSync(join(dir, 'unit.xml'), '<?xml version="1.0"?>\n<testsuites><testsuite name="unit"><testcase name="adds"/><testcase name="subtracts"/><testcase name="later"><skipped/></testcase></testsuite></testsuites>\n');
  writeFileSync(join(dir, 'e2e.xml'), '<testsuites><testsuite name="e2e"><testcase name="login"><failure message="no"/></testcase></testsuite></testsuites>\n');
  expect((await seal(['credit', 'web', '--release', 'v1', '--tier', 'unit', '--junit', 'unit.xml'])).stderr).toContain('web v1: unit credited');
  expect((await seal(['credit', 'web', '--release', 'v1', '--tier', 'e2e', '--junit', 'e2e.xml'])).stderr).toContain('web v1: e2e not credited');
  openssl('genpkey', '-algorithm', 'ed25519', '-out', 'signing.pem');
  openssl('pkey', '-in', 'signing.pem', '-pubout', '-out', 'signing.pub.pem');
  openssl('genpkey', '-algorithm', 'ed25519', '-out', 'other.pem');
  openssl('pkey', '-in', 'other.pem', '-pubout', '-out', 'other.pub.pem');
  // The keyid as documented: SHA-256 of the public key's DER SubjectPublicKeyInfo, by openssl.
  openssl('pkey', '-pubin', '-in', 'signing.pub.pem', '-outform', 'DER', '-out', 'signing.pub.der');
  keyid = sha256(readFileSync(join(dir, 'signing.pub.der')));
});
afterAll(() => prod?.close());

describe('seal attest', () => {
  it('without a key: plain in-toto Statements of the seal and the credited tier, linked to the board, the run digest recomputable from the board\'s API', async () => {
    const board = await startServeCli(['--config', join(dir, 'seal.config.yaml')], { env });
    try {
      const made = await seal(['attest', 'web', 'v1'], { SEAL_BOARD_URL: `${board.url}/` });
      expect(made.code, made.stderr).toBe(0);
      expect(made.stderr).toContain('note: the 2 attestations are unsigned in-toto Statements; set SEAL_SIGNING_KEY to an Ed25519 private key to sign attestations in DSSE envelopes');
      const lines = made.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      const [sealed, unit] = lines.map((line) => JSON.parse(line) as Statement);
      expect(sealed).toMatchObject({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'web@v1', digest: { gitCommit: SHA } }], predicateType: 'https://in-toto.io/attestation/test-result/v0.1' });
      expect(sealed?.predicate).toMatchObject({ result: 'PASSED', url: `${board.url}/releases/web/v1`, warnedTests: [], failedTests: [] });
      expect(sealed?.predicate.passedTests.sort()).toEqual(['home', 'up']);
      // Each statement keeps the audit log's head as it was: the chain can be checked against it later.
      const head = { name: expect.stringMatching(/^smoke-seal audit log head #\d+$/) as unknown, digest: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown }, annotations: { seq: expect.any(Number) as unknown, check: expect.stringMatching(/^seal audit verify --head \d+:[0-9a-f]{64}$/) as unknown } };
      expect(sealed?.predicate.configuration).toEqual([{ name: `seal run ${runId}`, uri: `urn:uuid:${runId}`, digest: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }, mediaType: 'application/json', annotations: expect.objectContaining({ verdict: 'green', base_url: prod.url, skippedTests: [] }) }, head]);
      const published = sealed?.predicate.configuration[1];
      const checked = await seal(['audit', 'verify', '--head', `${published?.annotations.seq as number}:${published?.digest.sha256}`]);
      expect(checked.code, checked.stdout).toBe(0);
      const rewritten = await seal(['audit', 'verify', '--head', `${published?.annotations.seq as number}:${'e'.repeat(64)}`]);
      expect(rewritten.code).toBe(1);
      expect(rewritten.stdout).toContain(`first: event #${published?.annotations.seq as number} hashes to ${published?.digest.sha256.slice(0, 12)}, but it was published as eeeeeeeeeeee: the chain was rewritten from there on`);
      expect((await seal(['audit', 'verify', '--head', 'latest'])).stderr).toContain('--head must be SEQ:HASH');
      // The run result as the board serves it hashes to the digest attested.
      const served = (await (await fetch(`${board.url}/api/runs/${runId}`)).json()) as { result: unknown };
      expect(sha256(JSON.stringify(served.result))).toBe(sealed?.predicate.configuration[0]?.digest.sha256);
      expect((await fetch(sealed?.predicate.url ?? '')).status).toBe(200);
      // The tier: the report by its digest, its counts as annotations; the failing e2e report is not attested.
      expect(unit?.subject).toEqual(sealed?.subject);
      expect(unit?.predicate).toEqual({
        result: 'PASSED',
        configuration: [{ name: 'unit junit report', digest: { sha256: sha256(readFileSync(join(dir, 'unit.xml'))) }, mediaType: 'application/xml', annotations: expect.objectContaining({ tier: 'unit', format: 'junit', tests: 3, passed: 2, failed: 0, skipped: 1, flaky: 0 }) }, published],
        url: `${board.url}/releases/web/v1`,
        passedTests: [],
        warnedTests: [],
        failedTests: [],
      });
    } finally {
      await board.stop();
    }
  });

  it('signed with SEAL_SIGNING_KEY, a path or the PEM itself: DSSE envelopes that seal and openssl both verify', async () => {
    const written = await seal(['attest', 'web', 'v1', '--out', 'web-v1.intoto.jsonl'], { SEAL_SIGNING_KEY: 'signing.pem' });
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toBe('');
    expect(written.stderr).toContain(`wrote 2 attestations of web v1 to ${join(dir, 'web-v1.intoto.jsonl')}`);
    expect(written.stderr).toContain(`signed 2 attestations with the Ed25519 key ${keyid} (SEAL_SIGNING_KEY)`);
    const file = readFileSync(join(dir, 'web-v1.intoto.jsonl'), 'utf8');
    // Ed25519 signs deterministically: the PEM given inline signs the very same bytes.
    const inline = await seal(['attest', 'web', 'v1'], { SEAL_SIGNING_KEY: readFileSync(join(dir, 'signing.pem'), 'utf8') });
    expect(inline.stdout).toBe(file);
    const envelopes = file.trimEnd().split('\n').map((line) => JSON.parse(line) as Envelope);
    expect(envelopes.map((e) => [e.payloadType, e.signatures.map((s) => s.keyid)])).toEqual([[IN_TOTO, [keyid]], [IN_TOTO, [keyid]]]);
    expect((JSON.parse(Buffer.from(envelopes[0]!.payload, 'base64').toString()) as Statement).subject).toEqual([{ name: 'web@v1', digest: { gitCommit: SHA } }]);

    const verified = await seal(['attest', 'verify', 'web-v1.intoto.jsonl', '--key', 'signing.pub.pem']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toBe(`line 1: ok, web@v1 gitCommit:${SHA}: PASSED (seal run ${runId})\nline 2: ok, web@v1 gitCommit:${SHA}: PASSED (unit junit report)\n`);
    expect(verified.stderr).toContain(`all 2 attestations verify with signing.pub.pem (keyid ${keyid})`);
    const json = await seal(['attest', 'verify', 'web-v1.intoto.jsonl', '--key', 'signing.pub.pem', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ ok: true, key: 'signing.pub.pem', keyid, attestations: [1, 2].map((line) => ({ line, ok: true, subject: [{ name: 'web@v1', digest: { gitCommit: SHA } }], result: 'PASSED', about: line === 1 ? `seal run ${runId}` : 'unit junit report' })) });
    const stdin = await runCli([], { env, cwd: dir, timeoutMs: 60_000, shell: `"${process.execPath}" "${ROOT}bin/seal" attest verify - --key signing.pub.pem < web-v1.intoto.jsonl` });
    expect(stdin.code, stdin.stderr).toBe(0);
    expect(stdin.stdout).toBe(verified.stdout);

    // openssl, knowing nothing of seal, verifies the Ed25519 signature over the PAE it is given.
    const first = envelopes[0]!;
    const body = Buffer.from(first.payload, 'base64');
    writeFileSync(join(dir, 'pae.bin'), pae(first.payloadType, body));
    writeFileSync(join(dir, 'sig.bin'), Buffer.from(first.signatures[0]!.sig, 'base64'));
    expect(openssl('pkeyutl', '-verify', '-pubin', '-inkey', 'signing.pub.pem', '-rawin', '-in', 'pae.bin', '-sigfile', 'sig.bin')).toContain('Signature Verified Successfully');
    const changed = Buffer.from(body);
    changed[changed.indexOf('PASSED')] = 'X'.charCodeAt(0);
    writeFileSync(join(dir, 'pae-changed.bin'), pae(first.payloadType, changed));
    const refused = spawnSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'signing.pub.pem', '-rawin', '-in', 'pae-changed.bin', '-sigfile', 'sig.bin'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(refused.status).not.toBe(0);
    expect(refused.stdout).toContain('Signature Verification Failure');
  });

  it('verify names each line that fails: a changed payload byte, another key, an unsigned statement', async () => {
    await seal(['attest', 'web', 'v1', '--out', 'signed.jsonl'], { SEAL_SIGNING_KEY: join(dir, 'signing.pem') });
    const [first, second] = readFileSync(join(dir, 'signed.jsonl'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(dir, 'tampered.jsonl'), `${first}\n\n${tamper(second!, '"passed":2', '"passed":3')}\n`);
    const tampered = await seal(['attest', 'verify', 'tampered.jsonl', '--key', 'signing.pub.pem']);
    expect(tampered.code).toBe(1);
    // Line numbers as an editor counts them (the blank line 2 is skipped, not renumbered).
    expect(tampered.stdout).toBe(`line 1: ok, web@v1 gitCommit:${SHA}: PASSED (seal run ${runId})\nline 3: the signature does not verify with signing.pub.pem (keyid ${keyid})\n`);
    expect(tampered.stderr).toContain('1 of 2 attestations did not verify with signing.pub.pem');
    const json = JSON.parse((await seal(['attest', 'verify', 'tampered.jsonl', '--key', 'signing.pub.pem', '--json'])).stdout) as { ok: boolean; attestations: unknown[] };
    expect(json.ok).toBe(false);
    expect(json.attestations[1]).toEqual({ line: 3, ok: false, subject: null, result: null, about: null, reason: `the signature does not verify with signing.pub.pem (keyid ${keyid})` });

    const otherKey = await seal(['attest', 'verify', 'signed.jsonl', '--key', 'other.pub.pem']);
    expect(otherKey.code).toBe(1);
    openssl('pkey', '-pubin', '-in', 'other.pub.pem', '-outform', 'DER', '-out', 'other.pub.der');
    const otherKeyid = sha256(readFileSync(join(dir, 'other.pub.der')));
    expect(otherKey.stdout).toBe([1, 2].map((n) => `line ${n}: the signature does not verify with other.pub.pem (keyid ${keyid}; the key's is ${otherKeyid})\n`).join(''));

    const plain = await seal(['attest', 'web', 'v1']);
    writeFileSync(join(dir, 'mixed.jsonl'), `${plain.stdout.split('\n')[0]}\n${first}\n`);
    const mixed = await seal(['attest', 'verify', 'mixed.jsonl', '--key', 'signing.pub.pem']);
    expect(mixed.code).toBe(1);
    expect(mixed.stdout.split('\n')[0]).toBe('line 1: not signed: a plain in-toto Statement, not a DSSE envelope (sign with SEAL_SIGNING_KEY set)');
  });

  it('verify refuses bad input with exit 2: no file, an empty one, a key that is missing or not Ed25519', async () => {
    const missing = await seal(['attest', 'verify', 'nope.jsonl', '--key', 'signing.pub.pem']);
    expect(missing).toMatchObject({ code: 2, stderr: 'seal: nope.jsonl: no such file\n' });
    writeFileSync(join(dir, 'empty.jsonl'), '\n\n');
    expect(await seal(['attest', 'verify', 'empty.jsonl', '--key', 'signing.pub.pem'])).toMatchObject({ code: 2, stderr: 'seal: empty.jsonl holds no attestation (it is empty)\n' });
    expect(await seal(['attest', 'verify', 'signed.jsonl', '--key', 'none.pem'])).toMatchObject({ code: 2, stderr: 'seal: --key none.pem: no such file\n' });
    // Bounded: lines are counted before any is parsed, the size is read before the file.
    writeFileSync(join(dir, 'long.jsonl'), '{}\n'.repeat(10_001));
    expect(await seal(['attest', 'verify', 'long.jsonl', '--key', 'signing.pub.pem'])).toMatchObject({ code: 2, stderr: 'seal: long.jsonl has more than 10000 lines; seal attest verify reads at most 10000\n' });
    writeFileSync(join(dir, 'big.jsonl'), Buffer.alloc(32 * 1024 * 1024 + 1, 0x20));
    expect(await seal(['attest', 'verify', 'big.jsonl', '--key', 'signing.pub.pem'])).toMatchObject({ code: 2, stderr: 'seal: big.jsonl: 33554433 bytes, over the 32 MiB read\n' });
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'p256.pem');
    openssl('pkey', '-in', 'p256.pem', '-pubout', '-out', 'p256.pub.pem');
    const p256 = await seal(['attest', 'verify', 'signed.jsonl', '--key', 'p256.pub.pem']);
    expect(p256.code).toBe(2);
    expect(p256.stderr).toContain('seal: --key p256.pub.pem is an EC (prime256v1) public key; seal signs and verifies with Ed25519 only');
  });

  // Many seal commands in a row: 35 to 60 s on a slow, loaded 2-core machine (CI, 2026-12-02). The bound is against a hang, not a speed test.
  it('refuses a release without its commit, an unknown app or release, nothing to attest, and a signing key it cannot use (never printing it)', async () => {
    // v2: recorded by a credit alone, so without its commit.
    await seal(['credit', 'web', '--release', 'v2', '--tier', 'unit', '--junit', 'unit.xml']);
    const noSha = await seal(['attest', 'web', 'v2']);
    expect(noSha).toMatchObject({ code: 2, stdout: '' });
    expect(noSha.stderr).toBe("seal: web v2 has no recorded commit, and an attestation's subject is the commit: record it with seal release record web --version v2 --sha SHA\n");
    expect(await seal(['attest', 'shop', 'v1'])).toMatchObject({ code: 2, stderr: 'seal: no app "shop" in the ledger (apps: web)\n' });
    expect(await seal(['attest', 'web', 'v9'])).toMatchObject({ code: 2, stderr: 'seal: no release "v9" of web in the ledger (seal release list web)\n' });
    await seal(['release', 'record', 'web', '--version', 'v3', '--sha', SHA]);
    await seal(['credit', 'web', '--release', 'v3', '--tier', 'e2e', '--junit', 'e2e.xml']);
    const nothing = await seal(['attest', 'web', 'v3']);
    expect(nothing).toMatchObject({ code: 2, stdout: '' });
    expect(nothing.stderr).toContain('seal: nothing to attest: web v3 has no seal and no credited test tier');

    // A seal made when the release named another commit does not vouch for the one it names now.
    const other = 'b'.repeat(40);
    await seal(['release', 'record', 'web', '--version', 'v4', '--sha', other]);
    expect((await seal(['smoke', 'web', '--release', 'v4'])).code).toBe(0);
    await seal(['release', 'record', 'web', '--version', 'v4', '--sha', SHA]);
    const moved = await seal(['attest', 'web', 'v4']);
    expect(moved).toMatchObject({ code: 2, stdout: '', stderr: `seal: the seal of web v4 was made when the release's commit was bbbbbbbbbbbb; it is now ${SHA.slice(0, 12)}: seal it again (seal smoke web --release v4) before attesting\n` });

    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.pem');
    const rsaPem = readFileSync(join(dir, 'rsa.pem'), 'utf8');
    const rsaFile = await seal(['attest', 'web', 'v1'], { SEAL_SIGNING_KEY: 'rsa.pem' });
    expect(rsaFile).toMatchObject({ code: 2, stdout: '', stderr: `seal: SEAL_SIGNING_KEY (${join(dir, 'rsa.pem')}) is an RSA private key; seal signs and verifies with Ed25519 only (openssl genpkey -algorithm ed25519 -out signing.pem)\n` });
    const rsaInline = await seal(['attest', 'web', 'v1'], { SEAL_SIGNING_KEY: rsaPem });
    expect(rsaInline).toMatchObject({ code: 2, stdout: '', stderr: 'seal: SEAL_SIGNING_KEY is an RSA private key; seal signs and verifies with Ed25519 only (openssl genpkey -algorithm ed25519 -out signing.pem)\n' });
    const broken = await seal(['attest', 'web', 'v1'], { SEAL_SIGNING_KEY: rsaPem.replace(/\n[A-Za-z0-9+/]{8}/, '\n!!!!!!!!') });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^seal: SEAL_SIGNING_KEY is not a PEM private key that can be read \(.+\)/);
    const bodyLine = rsaPem.split('\n')[3] ?? '';
    for (const run of [rsaInline, broken]) expect(run.stderr).not.toContain(bodyLine);
    // A raw key pasted without its PEM header is taken for a path, and not printed back.
    const raw = readFileSync(join(dir, 'signing.pem'), 'utf8').split('\n')[1] ?? '';
    const pasted = await seal(['attest', 'web', 'v1'], { SEAL_SIGNING_KEY: raw });
    expect(pasted).toMatchObject({ code: 2, stderr: 'seal: SEAL_SIGNING_KEY: the file SEAL_SIGNING_KEY names: no such file (SEAL_SIGNING_KEY holds an Ed25519 private key in PEM, -----BEGIN PRIVATE KEY-----, or the path of a file with one)\n' });
    expect(await seal(['attest', 'web', 'v1'], { SEAL_SIGNING_KEY: 'keys/missing.pem' })).toMatchObject({ code: 2, stderr: expect.stringContaining(`seal: SEAL_SIGNING_KEY: ${join(dir, 'keys/missing.pem')}: no such file`) });
    expect(await seal(['attest', 'web', 'v1'], { SEAL_SIGNING_KEY: '' })).toMatchObject({ code: 2, stderr: expect.stringContaining('seal: SEAL_SIGNING_KEY is set but empty') });
    expect(await seal(['attest', 'web', 'v1', '--board', 'seal.example.com'])).toMatchObject({ code: 2, stderr: 'seal: --board (or SEAL_BOARD_URL) "seal.example.com" is not an absolute URL (https://seal.example.com)\n' });

    // Last (it leaves the ledger changed): a ledger whose audit log does not verify is not attested.
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(join(dir, '.seal', 'db'));
    await db.query("UPDATE tier_credits SET tests = 99 WHERE tier = 'unit'");
    await db.close();
    const tampered = await seal(['attest', 'web', 'v1']);
    expect(tampered).toMatchObject({ code: 2, stdout: '' });
    expect(tampered.stderr).toMatch(/^seal: the audit log does not verify \(credit \d+ of web v\d was changed outside smoke-seal since event #\d+ .*\); attestations would vouch for records changed outside smoke-seal: see seal audit verify\n$/);
  }, 180_000);
});
