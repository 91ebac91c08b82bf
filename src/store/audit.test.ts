/**
 * The audit log's contract, on the embedded store (PGlite in a temp dir) and on the machine's
 * real Postgres: every change through smoke-seal appends a chained event in its transaction;
 * an edit made directly in the database (a seal, its checks, a credit, a release, an incident,
 * a token, a stored screenshot, an event) or on disk (an evidence file) makes verify fail
 * naming it; the log refuses UPDATE, DELETE and TRUNCATE.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresSkipReason } from '../../test/helpers/postgres.js';
import { runResult } from '../../test/helpers/run-results.js';
import { errorMessage } from '../errors.js';
import { newIncident } from '../incidents/edit.js';
import { createRedactor } from '../redact/redact.js';
import { redactEvidenceFolder } from '../redact/evidence-files.js';
import { audited, AuditLog, eventHash, GENESIS, withActor, type AuditReport } from './audit.js';
import { CreditStore, type NewCredit } from './credits.js';
import { openDb, type OpenDb } from './db.js';
import { openStoreEarly } from './early-store.js';
import { EvidenceStore } from './evidence.js';
import { IncidentStore } from './incidents.js';
import { Ledger } from './ledger.js';
import { TokenStore } from './tokens.js';

const postgresSkip = await postgresSkipReason();

// A 1×1 PNG.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4b30000000049454e44ae426082', 'hex');

const credit = (tier: string, overrides: Partial<NewCredit> = {}): NewCredit => ({
  tier,
  credited: true,
  reason: null,
  format: 'junit',
  tests: 3,
  passed: 3,
  failed: 0,
  skipped: 0,
  flaky: 0,
  report_sha256: 'a'.repeat(64),
  report_bytes: 100,
  run_id: null,
  credited_by: 'ci@runner',
  ...overrides,
});

const messages = (report: AuditReport): string[] => report.problems.map((p) => p.message);

function contract(name: string, open: () => Promise<{ store: OpenDb; cleanup: () => Promise<void> }>): void {
  describe(name, () => {
    let store: OpenDb;
    let cleanup: () => Promise<void>;
    let audit: AuditLog;
    const dir = mkdtempSync(join(tmpdir(), 'seal-audit-'));
    const exec = (query: ReturnType<typeof sql>) => store.db.execute(query);
    beforeAll(async () => {
      ({ store, cleanup } = await open());
      audit = new AuditLog(store.db);
    }, 60_000);
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
      rmSync(dir, { recursive: true, force: true });
    });

    it('starts empty and verifies; rows written before the log began are adopted by the first change', async () => {
      const empty = await audit.verify();
      expect(empty).toMatchObject({ ok: true, events: 0, head: { seq: 0, hash: GENESIS }, not_adopted: 0 });
      // A store that had rows before it had the log (an upgrade): not a problem, adopted at the next change.
      await exec(sql`INSERT INTO apps (name) VALUES ('legacy')`);
      await exec(sql`INSERT INTO releases (app_id, version) SELECT id, 'v0' FROM apps WHERE name = 'legacy'`);
      // More than a report lists: counted whole.
      await exec(sql`INSERT INTO releases (app_id, version) SELECT a.id, 'v0.' || g FROM apps a, generate_series(1, 149) g WHERE a.name = 'legacy'`);
      const before = await audit.verify();
      expect(before).toMatchObject({ ok: true, events: 0, not_adopted: 150, problem_count: 0 });
      await new Ledger(store.db).recordRelease({ app: 'legacy', version: 'v1' });
      const trail = await audit.trail('legacy', { limit: 1000 });
      expect(trail).toHaveLength(151);
      expect(trail[0]).toMatchObject({ kind: 'release', version: 'v0', action: 'adopted', detail: 'recorded before the audit log began' });
      expect(trail.filter((e) => e.action === 'adopted')).toHaveLength(150);
      expect(trail.at(-1)).toMatchObject({ kind: 'release', version: 'v1', action: 'recorded' });
      expect(await audit.verify()).toMatchObject({ ok: true, events: 151, not_adopted: 0, problems: [] });
    });

    it('appends one chained event per change, in the change\'s transaction, naming who made it', async () => {
      const ledger = new Ledger(store.db);
      await ledger.recordRelease({ app: 'studio', version: 'v1', sha: 'abc' });
      await ledger.recordRelease({ app: 'studio', version: 'v1', branch: 'main' });
      // The same values again change nothing: no event.
      await ledger.recordRelease({ app: 'studio', version: 'v1' });
      const run = runResult('studio', { verdict: 'red', summary: '1 of 2 failed' }, [{}, { status: 'failed', error: 'status 500' }]);
      await withActor('token ci-deploy (abc123)', () => ledger.recordSeal(run, 'v1'));
      await new CreditStore(store.db).record('studio', 'v1', credit('unit'));
      const incidents = new IncidentStore(store.db);
      const incident = await incidents.create(newIncident({ app: 'studio', release: 'v1', title: 'Checkout 500s', severity: 2 }));
      await incidents.update(incident.id, (current) => ({ ...current, status: 'in review' }));
      const trail = await audit.trail('studio', { version: 'v1' });
      expect(trail.map((e) => `${e.kind} ${e.action}`)).toEqual(['release recorded', 'release changed', 'seal recorded', 'release changed', 'credit recorded', 'incident recorded', 'incident changed']);
      const seal = trail.find((e) => e.kind === 'seal');
      expect(seal).toMatchObject({ subject: run.run_id, actor: 'token ci-deploy (abc123)', detail: 'red: 1 of 2 failed' });
      expect(trail[3]).toMatchObject({ actor: 'token ci-deploy (abc123)', detail: expect.stringContaining(`sealed red by run ${run.run_id}`) as unknown });
      expect(trail[1]?.detail).toBe('changed: branch');
      expect(trail.at(-1)?.detail).toBe('changed: draft → in review');
      // Each event follows the one before it and hashes to what it says.
      for (const e of trail) expect(eventHash(e)).toBe(e.hash);
      const all = await exec(sql`SELECT seq, prev_hash, hash FROM audit_events ORDER BY seq`);
      const rows = (all as { rows: { seq: number | string; prev_hash: string; hash: string }[] }).rows;
      rows.forEach((row, i) => {
        expect(Number(row.seq)).toBe(i + 1);
        expect(row.prev_hash).toBe(i === 0 ? GENESIS : rows[i - 1]?.hash);
      });
      const report = await audit.verify();
      expect(report).toMatchObject({ ok: true, problems: [] });
      expect(report.head).toEqual({ seq: rows.length, hash: rows.at(-1)?.hash });
    });

    it('tokens and stored screenshots are in the log too', async () => {
      const tokens = new TokenStore(store.db);
      const { info } = await tokens.create('deployer');
      await tokens.revoke('deployer');
      const run = runResult('studio');
      await new Ledger(store.db).recordSeal(run, 'v1');
      await new EvidenceStore(store.db).put(run.run_id, 'home.png', PNG);
      const events = await exec(sql`SELECT kind, subject, action, detail FROM audit_events WHERE kind IN ('token', 'evidence') ORDER BY seq`);
      expect((events as { rows: unknown[] }).rows).toEqual([
        { kind: 'token', subject: info.id, action: 'recorded', detail: 'created: deployer (write)' },
        { kind: 'token', subject: info.id, action: 'changed', detail: 'revoked: deployer' },
        { kind: 'evidence', subject: `${run.run_id}/home.png`, action: 'recorded', detail: `kept home.png (${PNG.length} bytes)` },
      ]);
      expect((await audit.verify()).ok).toBe(true);
    });

    it('a change that fails leaves no event behind (the event is in the change\'s transaction)', async () => {
      const before = (await audit.verify()).head;
      // Written, then failed: the write and its event go together.
      await expect(audited(store.db, async (tx) => {
        await new Ledger(tx).recordRelease({ app: 'studio', version: 'v-never' });
        throw new Error('validation failed');
      })).rejects.toThrow('validation failed');
      expect(await new Ledger(store.db).getRelease('studio', 'v-never')).toBeNull();
      expect((await audit.verify()).head).toEqual(before);
    });

    it('events name rows as the database does, and keep text the database can hold (an upper-case run id, a NUL, an emoji cut at the limit)', async () => {
      const run = runResult('studio', { summary: `${'x'.repeat(290)}🙂🙂 and \u0000 more` });
      const upper = { ...run, run_id: run.run_id.toUpperCase() };
      await new Ledger(store.db).recordSeal(upper, 'v2');
      await new EvidenceStore(store.db).put(upper.run_id, 'shot.png', PNG);
      await new IncidentStore(store.db).create(newIncident({ app: 'studio', release: 'v2', title: 'NUL \u0000 in a title' }));
      const trail = await audit.trail('studio', { version: 'v2' });
      expect(trail.map((e) => `${e.kind} ${e.subject.replace(/^\d+$/, 'N')}`)).toEqual(['release N', `seal ${run.run_id}`, `evidence ${run.run_id}/shot.png`, 'incident N']);
      expect(Array.from(trail[1]?.detail ?? '')).toHaveLength(300);
      expect(trail[1]?.detail.endsWith('🙂…')).toBe(true);
      expect(trail[3]?.detail).toBe('opened: NUL \uFFFD in a title');
      expect((await audit.verify()).problems).toEqual([]);
    });

    it('concurrent changes each get their own place in one unbroken chain', async () => {
      const credits = new CreditStore(store.db);
      // Verifications running while changes commit never take the changes for tampering.
      const [reports] = await Promise.all([
        Promise.all(Array.from({ length: 4 }, () => audit.verify())),
        Promise.all(Array.from({ length: 24 }, (_, i) => credits.record('busy', `v${i % 3}`, credit(i % 2 ? 'unit' : 'e2e')))),
      ]);
      for (const during of reports) expect(during.problems).toEqual([]);
      const report = await audit.verify();
      expect(report.problems).toEqual([]);
      expect((await audit.trail('busy')).filter((e) => e.kind === 'credit')).toHaveLength(24);
    });

    it('a chain rewritten whole (every hash recomputed) verifies on its own, but not against a head published before', async () => {
      const published = (await audit.verify()).head;
      expect((await audit.verify({ heads: [published] })).ok).toBe(true);
      // What someone who can write the database and knows the scheme can do: change event #2 and
      // recompute every hash after it, and the head.
      await store.db.transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL session_replication_role = replica`);
        const answer: unknown = await tx.execute(sql`SELECT * FROM audit_events WHERE seq >= 2 ORDER BY seq`);
        const rows = (answer as { rows: Record<string, unknown>[] }).rows;
        const first: unknown = await tx.execute(sql`SELECT hash FROM audit_events WHERE seq = 1`);
        let prev = (first as { rows: { hash: string }[] }).rows[0]?.hash ?? '';
        for (const row of rows) {
          const event = { seq: Number(row.seq), at: String(row.at), actor: row.seq === 2 || row.seq === '2' ? 'someone else' : String(row.actor), action: row.action as 'recorded', kind: row.kind as 'release', subject: String(row.subject), app: row.app as string | null, version: row.version as string | null, digest: String(row.digest), detail: String(row.detail), prev_hash: prev };
          prev = eventHash(event);
          await tx.execute(sql`UPDATE audit_events SET actor = ${event.actor}, prev_hash = ${event.prev_hash}, hash = ${prev} WHERE seq = ${event.seq}`);
        }
        await tx.execute(sql`UPDATE audit_head SET hash = ${prev} WHERE id = 1`);
      });
      expect((await audit.verify()).ok).toBe(true);
      const against = await audit.verify({ heads: [published, { seq: published.seq + 5, hash: published.hash }] });
      expect(against.ok).toBe(false);
      expect(messages(against)).toEqual([
        expect.stringMatching(new RegExp(`^event #${published.seq} hashes to [0-9a-f]{12}, but it was published as ${published.hash.slice(0, 12)}: the chain was rewritten from there on$`)),
        `the head published as #${published.seq + 5} (${published.hash.slice(0, 12)}) is not in the log: it ends at #${published.seq}`,
      ]);
    });

    it('evidence files on disk are hashed in the run result, and a changed, deleted or relinked one is named; only this machine\'s evidence folder is read', async () => {
      const root = join(dir, 'evidence');
      const evidence = join(root, 'files', 'run-1');
      mkdirSync(join(evidence, 'trace'), { recursive: true });
      writeFileSync(join(evidence, 'home.png'), PNG);
      writeFileSync(join(evidence, 'trace', 'trace.txt'), 'zip bytes');
      writeFileSync(join(evidence, 'console.txt'), 'console');
      // Hashed as a run hashes them: by the redactor's walk, as it leaves them.
      const { files } = await redactEvidenceFolder(evidence, createRedactor([]));
      expect(files.map((f) => f.path)).toEqual(['console.txt', 'home.png', 'trace/trace.txt']);
      const run = runResult('files', { evidence_dir: evidence, evidence_files: files });
      await new Ledger(store.db).recordSeal(run, 'v1');
      // A run sealed on another machine: its folder is not here. And one a reporter pointed at
      // this machine's own files: never read (it would tell the reporter whether its guess of a
      // file's hash was right).
      await new Ledger(store.db).recordSeal(runResult('files', { evidence_dir: join(dir, 'elsewhere'), evidence_files: files }), 'v1');
      writeFileSync(join(dir, 'secret.txt'), 'not evidence');
      await new Ledger(store.db).recordSeal(runResult('files', { evidence_dir: dir, evidence_files: [{ path: 'secret.txt', sha256: '0'.repeat(64), bytes: 12 }] }), 'v1');
      const roots = [root];
      expect(await audit.verify({ evidenceRoots: roots })).toMatchObject({ ok: true, files: { checked: 3, not_here: 4 } });
      writeFileSync(join(evidence, 'trace', 'trace.txt'), 'zip bytes, edited');
      writeFileSync(join(evidence, 'console.txt'), 'CONSOLE');
      rmSync(join(evidence, 'home.png'));
      const report = await audit.verify({ evidenceRoots: roots });
      expect(report.ok).toBe(false);
      expect(messages(report)).toEqual([
        expect.stringMatching(new RegExp(`^evidence file console\\.txt of seal ${run.run_id} \\(files v1\\) was changed since the seal \\(sha256 [0-9a-f]{12} then, [0-9a-f]{12} now; `)),
        expect.stringMatching(new RegExp(`^evidence file home\\.png of seal ${run.run_id} \\(files v1\\) was deleted`)),
        expect.stringMatching(new RegExp(`^evidence file trace/trace\\.txt of seal ${run.run_id} \\(files v1\\) was changed since the seal \\(9 bytes then, 17 now; `)),
      ]);
      // A file replaced by a link to something outside the run's folder is not followed.
      writeFileSync(join(evidence, 'console.txt'), 'console');
      writeFileSync(join(evidence, 'trace', 'trace.txt'), 'zip bytes');
      symlinkSync(join(dir, 'secret.txt'), join(evidence, 'home.png'));
      expect(messages(await audit.verify({ evidenceRoots: roots }))).toEqual([expect.stringMatching(/^evidence file home\.png of seal .* was replaced by a link out of the run's folder/)]);
      // Put back as it was: verifies again.
      rmSync(join(evidence, 'home.png'));
      writeFileSync(join(evidence, 'home.png'), PNG);
      expect((await audit.verify({ evidenceRoots: roots })).ok).toBe(true);
    });

    it('refuses UPDATE, DELETE and TRUNCATE of the log, and a head that moves back', async () => {
      const refused = async (query: ReturnType<typeof sql>): Promise<string> => {
        try {
          await exec(query);
          return 'not refused';
        } catch (error) {
          return errorMessage(error);
        }
      };
      expect(await refused(sql`UPDATE audit_events SET detail = 'nothing happened' WHERE seq = 1`)).toMatch(/insert-only: UPDATE refused/);
      expect(await refused(sql`DELETE FROM audit_events WHERE seq = 1`)).toMatch(/insert-only: DELETE refused/);
      expect(await refused(sql`TRUNCATE audit_events`)).toMatch(/insert-only: TRUNCATE refused/);
      expect(await refused(sql`UPDATE audit_head SET seq = 1`)).toMatch(/only moves forward: UPDATE refused/);
      expect(await refused(sql`DELETE FROM audit_head`)).toMatch(/only moves forward: DELETE refused/);
      expect((await audit.verify()).ok).toBe(true);
    });

    it('an edit made directly in the database to a seal, its checks, a credit, a release, an incident, a token or a screenshot is named', async () => {
      const seal = await exec(sql`SELECT run_id::text AS id FROM seal_runs WHERE app_id = (SELECT id FROM apps WHERE name = 'studio') AND verdict = 'red'`);
      const runId = (seal as { rows: { id: string }[] }).rows[0]?.id as string;
      const green = await exec(sql`SELECT run_id::text AS id FROM seal_runs WHERE app_id = (SELECT id FROM apps WHERE name = 'studio') AND verdict = 'green'`);
      const greenId = (green as { rows: { id: string }[] }).rows[0]?.id as string;
      const edits: [ReturnType<typeof sql>, RegExp][] = [
        [sql`UPDATE seal_runs SET verdict = 'green', summary = '2/2 passed' WHERE run_id = ${runId}::uuid`, new RegExp(`^seal ${runId} of studio v1 was changed outside smoke-seal since event #\\d+`)],
        // Another seal: only its checks change, and its digest covers them.
        [sql`UPDATE check_results SET status = 'failed' WHERE run_id = ${greenId}::uuid`, new RegExp(`^seal ${greenId} of studio v1 was changed outside smoke-seal`)],
        [sql`UPDATE tier_credits SET failed = 0, credited = true, reason = NULL WHERE id = (SELECT max(id) FROM tier_credits WHERE tier = 'unit' AND release_id = (SELECT r.id FROM releases r JOIN apps a ON a.id = r.app_id WHERE a.name = 'studio' AND r.version = 'v1'))`, /^credit \d+ of studio v1 was changed outside smoke-seal/],
        [sql`UPDATE releases SET notes = 'all good' WHERE version = 'v1' AND app_id = (SELECT id FROM apps WHERE name = 'studio')`, /^release \d+ of studio v1 was changed outside smoke-seal/],
        [sql`UPDATE incidents SET severity = 4 WHERE title = 'Checkout 500s'`, /^incident \d+ of studio v1 was changed outside smoke-seal/],
        [sql`UPDATE api_tokens SET scope = 'write', revoked_at = NULL`, /^token [a-z0-9]{12} was changed outside smoke-seal/],
        [sql`UPDATE evidence_files SET data = ${PNG.subarray(0, 40)} WHERE name = 'home.png'`, /^evidence [0-9a-f-]{36}\/home\.png of studio v1 was changed outside smoke-seal/],
      ];
      // The credit edit changes something only if it was not credited: make it so, through smoke-seal.
      await new CreditStore(store.db).record('studio', 'v1', credit('unit', { credited: false, failed: 1, passed: 2, reason: '1 of 3 tests failed' }));
      let found = 0;
      for (const [edit, expected] of edits) {
        await exec(edit);
        const report = await audit.verify();
        expect(report.ok).toBe(false);
        expect(messages(report).some((m) => expected.test(m)), `${expected} in ${JSON.stringify(messages(report))}`).toBe(true);
        // Each edit is one more problem: the ones before are still there.
        found += 1;
        expect(report.problem_count).toBe(found);
      }
      // A row written directly, and one deleted directly.
      await exec(sql`INSERT INTO tier_credits (app_id, release_id, tier, credited, format, tests, passed, failed, skipped, flaky, report_sha256, report_bytes, credited_by)
        SELECT r.app_id, r.id, 'e2e', true, 'junit', 9, 9, 0, 0, 0, ${'b'.repeat(64)}, 1, 'someone' FROM releases r JOIN apps a ON a.id = r.app_id WHERE a.name = 'studio' AND r.version = 'v1'`);
      await exec(sql`DELETE FROM evidence_files`);
      const report = await audit.verify();
      expect(messages(report)).toEqual(expect.arrayContaining([
        expect.stringMatching(/^credit \d+ of studio v1 is not in the audit log: it was written outside smoke-seal$/),
        expect.stringMatching(/^evidence [0-9a-f-]{36}\/home\.png of studio v1 was deleted outside smoke-seal \(its newest event is #\d+\)$/),
      ]));
    });

    it('an event changed or removed with the trigger switched off breaks the chain at that event', async () => {
      // What someone with the database's superuser can do: the chain still tells.
      await store.db.transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL session_replication_role = replica`);
        await tx.execute(sql`UPDATE audit_events SET actor = 'someone else' WHERE seq = 3`);
        await tx.execute(sql`DELETE FROM audit_events WHERE seq = 5`);
      });
      const report = await audit.verify();
      expect(report.ok).toBe(false);
      expect(report.problems[0]).toMatchObject({ type: 'chain', seq: 3, message: expect.stringMatching(/^event #3 \(release \d+ of legacy v1|^event #3 \(.*\) was changed: its fields hash to [0-9a-f]{12}, not [0-9a-f]{12}$/) as unknown });
      expect(messages(report)).toEqual(expect.arrayContaining(['event #5 is missing: the next event is #6', expect.stringMatching(/^event #6 does not follow the event before it/)]));
    });
  });
}

contract('the audit log on the embedded store (PGlite in a temp dir)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seal-store-'));
  return { store: await openDb({ databaseUrl: null, dataDir: dir }), cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
});

contract('the audit log on the embedded store opened in a worker thread while checks run (early-store.ts)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seal-store-'));
  const taken = await openStoreEarly({ databaseUrl: null, dataDir: dir }, true)?.take();
  if (!taken?.store) throw new Error(`the store's thread did not open it: ${taken?.why ?? 'dist/store-worker.js is missing'}`);
  return { store: taken.store, cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
});

describe.skipIf(postgresSkip !== null)('Postgres', () => {
  contract('the audit log on Postgres (a fresh database)', async () => {
    const database = await createTestDatabase();
    return { store: await openDb({ databaseUrl: database.url, dataDir: '/nonexistent' }), cleanup: database.drop };
  });
});
