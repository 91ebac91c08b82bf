/**
 * The store's contract, run twice: against the embedded PGlite store in a temp dir and against
 * the machine's real Postgres (a database created for the suite and dropped after it).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresSkipReason } from '../../test/helpers/postgres.js';
import { runResult } from '../../test/helpers/run-results.js';
import type { RunResult } from '../runner/run-result.js';
import { openDb, type OpenDb } from './db.js';
import { openStoreEarly } from './early-store.js';
import { CreditStore, MAX_HISTORY } from './credits.js';
import { EvidenceStore } from './evidence.js';
import { Ledger } from './ledger.js';
import { TokenStore, VERIFIED_TTL_MS } from './tokens.js';

const postgresSkip = await postgresSkipReason();

const at = (seconds: number): string => new Date(Date.UTC(2026, 10, 21, 12, 0, seconds)).toISOString();

function contract(name: string, open: () => Promise<{ store: OpenDb; cleanup: () => Promise<void> }>): void {
  describe(name, () => {
    let store: OpenDb;
    let cleanup: () => Promise<void>;
    let ledger: Ledger;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
      ledger = new Ledger(store.db);
    }, 60_000);
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it('records the first release of a new app, then the next one with it as previous', async () => {
      const first = await ledger.recordRelease({ app: 'new-app', version: 'v1.0.0', sha: 'abc123', mergeSha: 'def456', branch: 'main', deployedAt: '2026-11-20T10:00:00+01:00' });
      expect(first.created).toBe(true);
      expect(first.release).toMatchObject({ app: 'new-app', version: 'v1.0.0', sha: 'abc123', merge_sha: 'def456', branch: 'main', deployed_at: '2026-11-20T09:00:00.000Z', previous_version: null, smoke_seal: null });
      const second = await ledger.recordRelease({ app: 'new-app', version: 'v1.1.0' });
      expect(second.release.previous_version).toBe('v1.0.0');
      expect((await ledger.listReleases('new-app')).map((r) => r.version)).toEqual(['v1.1.0', 'v1.0.0']);
      expect((await ledger.latestRelease('new-app'))?.version).toBe('v1.1.0');
      expect(await ledger.getRelease('new-app', 'v9')).toBeNull();
      expect(await ledger.listReleases('no-such-app')).toEqual([]);
    });

    it('releases recorded concurrently each get a different previous release (a chain, no fork)', async () => {
      await ledger.recordRelease({ app: 'chain', version: 'v0' });
      const versions = Array.from({ length: 10 }, (_, i) => `v${i + 1}`);
      await Promise.all(versions.map((version) => ledger.recordRelease({ app: 'chain', version })));
      const releases = await ledger.listReleases('chain');
      const previous = releases.map((r) => r.previous_version).filter((p) => p !== null);
      expect(previous).toHaveLength(10);
      expect(new Set(previous).size).toBe(10);
    });

    it('recording a release again updates only the fields given', async () => {
      await ledger.recordRelease({ app: 'upd', version: 'v1', sha: 'aaa', branch: 'main' });
      const again = await ledger.recordRelease({ app: 'upd', version: 'v1', mergeSha: 'bbb' });
      expect(again.created).toBe(false);
      expect(again.release).toMatchObject({ sha: 'aaa', merge_sha: 'bbb', branch: 'main' });
    });

    it('re-sealing replaces the current seal and keeps the history, newest first', async () => {
      await ledger.recordRelease({ app: 'reseal', version: 'v2' });
      const red = runResult('reseal', { verdict: 'red', summary: "0/1 passed; 'up' failed", finished_at: at(1) });
      const green = runResult('reseal', { finished_at: at(2) });
      expect((await ledger.recordSeal(red, 'v2')).current).toBe(true);
      expect((await ledger.recordSeal(green, 'v2')).current).toBe(true);
      const release = await ledger.getRelease('reseal', 'v2');
      expect(release?.smoke_seal).toEqual({ status: 'green', summary: '1/1 passed', checked_at: at(2), run_id: green.run_id });
      expect((await ledger.sealHistory('reseal', 'v2')).map((h) => [h.run_id, h.status])).toEqual([[green.run_id, 'green'], [red.run_id, 'red']]);
    });

    it('a seal that finished earlier but is recorded later joins the history without replacing the newer one', async () => {
      const newer = runResult('late', { finished_at: at(20) });
      const older = runResult('late', { verdict: 'red', finished_at: at(10) });
      await ledger.recordSeal(newer, 'v1');
      expect((await ledger.recordSeal(older, 'v1')).current).toBe(false);
      expect((await ledger.getRelease('late', 'v1'))?.smoke_seal?.run_id).toBe(newer.run_id);
      expect(await ledger.sealHistory('late', 'v1')).toHaveLength(2);
    });

    it('seals that finished in the same millisecond: the greater run id is current, whichever was recorded last', async () => {
      const pair = (): RunResult[] => [runResult('tie', { finished_at: at(40) }), runResult('tie', { verdict: 'red', finished_at: at(40) })].sort((x, y) => (x.run_id < y.run_id ? -1 : 1));
      const [lesser, greater] = pair() as [RunResult, RunResult];
      await ledger.recordSeal(greater, 'v1');
      expect((await ledger.recordSeal(lesser, 'v1')).current).toBe(false);
      expect((await ledger.getRelease('tie', 'v1'))?.smoke_seal?.run_id).toBe(greater.run_id);
      const [first, last] = pair() as [RunResult, RunResult];
      await ledger.recordSeal(first, 'v2');
      expect((await ledger.recordSeal(last, 'v2')).current).toBe(true);
      expect((await ledger.getRelease('tie', 'v2'))?.smoke_seal?.run_id).toBe(last.run_id);
    });

    it('tier credits: appended; the newest per tier is current; a credit for an unknown release records it', async () => {
      const credits = new CreditStore(store.db);
      const base = { credited: true, reason: null, format: 'junit', tests: 3, passed: 3, failed: 0, skipped: 0, flaky: 0, report_sha256: 'a'.repeat(64), report_bytes: 120, run_id: null, credited_by: "ci'; DROP TABLE tier_credits; --" };
      await credits.record('credit-app', 'v1', { ...base, tier: 'unit' });
      expect((await ledger.getRelease('credit-app', 'v1'))?.version).toBe('v1');
      await credits.record('credit-app', 'v1', { ...base, tier: 'unit', credited: false, reason: '1 of 3 tests failed', passed: 2, failed: 1 });
      await credits.record('credit-app', 'v1', { ...base, tier: 'e2e' });
      expect((await credits.history('credit-app', 'v1')).map((c) => [c.tier, c.credited])).toEqual([['unit', true], ['unit', false], ['e2e', true]]);
      expect(await credits.current('credit-app', 'v1')).toEqual([
        expect.objectContaining({ tier: 'unit', credited: false, reason: '1 of 3 tests failed', credited_by: base.credited_by, created_at: expect.stringMatching(/Z$/) }),
        expect.objectContaining({ tier: 'e2e', credited: true }),
      ]);
      expect(await credits.current('credit-app', 'v2')).toEqual([]);
      // A flood past the history's bound: the newest credits are the ones read, and still current.
      await store.db.execute(sql`INSERT INTO tier_credits (app_id, release_id, tier, credited, format, tests, passed, failed, skipped, flaky, report_sha256, report_bytes, credited_by)
        SELECT app_id, id, 'component', false, 'junit', 1, 0, 1, 0, 0, ${'c'.repeat(64)}, 1, 'flood' FROM releases, generate_series(1, ${MAX_HISTORY + 5}) WHERE version = 'v1' AND app_id = (SELECT id FROM apps WHERE name = 'credit-app')`);
      await credits.record('credit-app', 'v1', { ...base, tier: 'component', credited_by: 'after the flood' });
      const history = await credits.history('credit-app', 'v1');
      expect(history).toHaveLength(MAX_HISTORY);
      expect(history.at(-1)).toMatchObject({ tier: 'component', credited: true, credited_by: 'after the flood' });
      expect((await credits.current('credit-app', 'v1')).map((c) => [c.tier, c.credited, c.credited_by])).toEqual([['unit', false, base.credited_by], ['e2e', true, base.credited_by], ['component', true, 'after the flood']]);
    });

    it('recording the same run twice changes nothing', async () => {
      const run = runResult('twice', { finished_at: at(5) });
      await ledger.recordSeal(run, 'v1');
      await ledger.recordSeal(run, 'v1');
      expect(await ledger.sealHistory('twice', 'v1')).toHaveLength(1);
    });

    it('concurrent seals of one release leave the newest current and one history row each', async () => {
      await ledger.recordRelease({ app: 'busy', version: 'v3' });
      const runs = Array.from({ length: 12 }, (_, i) => runResult('busy', { verdict: i % 3 === 0 ? 'red' : 'green', finished_at: at(30 + ((i * 7) % 12)) }));
      const outcomes = await Promise.allSettled(runs.map((run) => ledger.recordSeal(run, 'v3')));
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      const newest = runs.reduce((a, b) => (a.finished_at >= b.finished_at ? a : b));
      expect((await ledger.getRelease('busy', 'v3'))?.smoke_seal?.run_id).toBe(newest.run_id);
      const history = await ledger.sealHistory('busy', 'v3');
      expect(history).toHaveLength(12);
      expect(new Set(history.map((h) => h.run_id))).toEqual(new Set(runs.map((r) => r.run_id)));
    });

    it('keeps hostile strings exactly: quotes, SQL, unicode, 100 KB notes (NUL and half an emoji, which Postgres cannot store, become U+FFFD)', async () => {
      const notes = `## Notes\n'; DROP TABLE releases; --\n"quoted" \\ back\\slash $1 %s\n${'🚀 ünïcödé ‮RTL‬ '.repeat(20)}\n${'x'.repeat(100_000)}`;
      const version = `v1'); DELETE FROM apps; --`;
      const { release } = await ledger.recordRelease({ app: 'hostile', version, notes, branch: 'feat/"quotes"' });
      expect(release.notes).toBe(notes);
      expect(release.version).toBe(version);
      const run = runResult('hostile', { summary: "1/1 passed; title 'Robert\"); DROP TABLE students;--'", finished_at: at(3) }, [{ name: 'nul\u0000check', error: 'body had \u0000 in it', evidence: { excerpt: '<script>alert(1)</script>\u0000' } }]);
      await ledger.recordSeal(run, version);
      const [entry] = await ledger.sealHistory('hostile', version);
      expect(entry?.summary).toBe(run.summary);
      expect(await ledger.lastCheckStatus('hostile', 'nul\uFFFDcheck', 'passed')).toMatchObject({ run_id: run.run_id });
      expect((await ledger.listReleases('hostile')).length).toBe(1);
      // An excerpt cut in the middle of an emoji: a lone high surrogate (and a lone low one).
      const cut = runResult('hostile', { finished_at: at(4) }, [{ name: 'cut', evidence: { excerpt: 'ok \uD83D', tail: '\uDE80 end', whole: '🚀' } }]);
      await ledger.recordSeal(cut, version);
      expect((await ledger.getRun(cut.run_id))?.result.checks[0]?.evidence).toEqual({ excerpt: 'ok \uFFFD', tail: '\uFFFD end', whole: '🚀' });
    });

    it('answers when a check last failed', async () => {
      await ledger.recordSeal(runResult('history', { verdict: 'red', finished_at: at(1) }, [{ name: 'up', status: 'failed' }]), 'v1');
      const lastRed = runResult('history', { verdict: 'red', finished_at: at(2) }, [{ name: 'up', status: 'failed' }]);
      await ledger.recordSeal(lastRed, 'v2');
      await ledger.recordSeal(runResult('history', { finished_at: at(3) }, [{ name: 'up' }]), 'v3');
      expect(await ledger.lastCheckStatus('history', 'up')).toEqual({ run_id: lastRed.run_id, finished_at: at(2) });
      expect(await ledger.lastCheckStatus('history', 'never')).toBeNull();
    });

    it('pages the board: every app newest first, one app, the cursor of the next page, and the last page', async () => {
      for (let i = 1; i <= 5; i++) await ledger.recordRelease({ app: 'board-a', version: `a${i}` });
      for (let i = 1; i <= 3; i++) await ledger.recordRelease({ app: 'board-b', version: `b${i}` });
      const first = await ledger.pageReleases({ limit: 3 });
      expect(first.releases.map((r) => r.version)).toEqual(['b3', 'b2', 'b1']);
      const second = await ledger.pageReleases({ limit: 3, before: first.next });
      expect(second.releases.map((r) => r.version)).toEqual(['a5', 'a4', 'a3']);
      const onlyA = await ledger.pageReleases({ app: 'board-a', limit: 4 });
      expect(onlyA.releases.map((r) => r.version)).toEqual(['a5', 'a4', 'a3', 'a2']);
      const lastA = await ledger.pageReleases({ app: 'board-a', limit: 4, before: onlyA.next });
      expect(lastA).toMatchObject({ next: null });
      expect(lastA.releases.map((r) => r.version)).toEqual(['a1']);
      expect(await ledger.appNames()).toEqual(expect.arrayContaining(['board-a', 'board-b']));
    });

    it('finds a recorded run by id, with the release it sealed; an unknown or malformed id is null', async () => {
      const run = runResult('runs', { verdict: 'red' });
      await ledger.recordSeal(run, 'v1');
      expect(await ledger.getRun(run.run_id)).toMatchObject({ version: 'v1', result: { run_id: run.run_id, verdict: 'red' } });
      expect(await ledger.getRun('00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(await ledger.getRun("1' OR '1'='1")).toBeNull();
    });

    it('writes new notes with a seal only if they are still as the caller read them; updateNotes rewrites them as they are', async () => {
      await ledger.recordRelease({ app: 'notes', version: 'v1', notes: 'written by hand' });
      const first = await ledger.recordSeal(runResult('notes', { finished_at: at(10) }), 'v1', { notes: { known: 'written by hand', next: 'written by hand + block' } });
      expect(first).toMatchObject({ current: true, notesWritten: true });
      await ledger.recordRelease({ app: 'notes', version: 'v1', notes: 'edited meanwhile' });
      // The caller's copy is stale: nothing of the edit is lost; the caller then uses updateNotes.
      const stale = await ledger.recordSeal(runResult('notes', { finished_at: at(11) }), 'v1', { notes: { known: 'written by hand + block', next: 'old + block' } });
      expect(stale).toMatchObject({ current: true, notesWritten: false });
      expect((await ledger.getRelease('notes', 'v1'))?.notes).toBe('edited meanwhile');
      expect(await ledger.updateNotes('notes', 'v1', (n) => `${n ?? ''} + block`)).toBe('edited meanwhile + block');
      expect(await ledger.updateNotes('notes', 'v404', (n) => `${n ?? ''}x`)).toBeNull();
    });

    it('moves its change mark when a release or a seal is recorded, and only then', async () => {
      const before = await ledger.changeMark();
      expect(await ledger.changeMark()).toBe(before);
      await ledger.recordRelease({ app: 'marks', version: 'v1' });
      const afterRelease = await ledger.changeMark();
      expect(afterRelease).not.toBe(before);
      await ledger.recordSeal(runResult('marks'), 'v1');
      expect(await ledger.changeMark()).not.toBe(afterRelease);
    });

    it('keeps screenshots byte for byte, refuses what is not a PNG/JPEG, a path, or one too many', async () => {
      const evidence = new EvidenceStore(store.db);
      const run = runResult('shots');
      await ledger.recordSeal(run, 'v1');
      const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256))]);
      await evidence.put(run.run_id, 'home-1a2b3c.png', png);
      const got = await evidence.get(run.run_id, 'home-1a2b3c.png');
      expect(got?.contentType).toBe('image/png');
      expect(Buffer.from(got?.data ?? []).equals(png)).toBe(true);
      await expect(evidence.put(run.run_id, 'page.png', Buffer.from('<svg onload=alert(1)>'))).rejects.toThrow('is not a PNG or JPEG image');
      await expect(evidence.put(run.run_id, '../../etc/passwd.png', png)).rejects.toThrow('not a plain .png/.jpg base name');
      for (let i = 1; i < 20; i++) await evidence.put(run.run_id, `shot-${i}.png`, png);
      await expect(evidence.put(run.run_id, 'one-too-many.png', png)).rejects.toThrow('already has 20 evidence files');
      expect(await evidence.names(run.run_id)).toHaveLength(20);
      expect(await evidence.get(run.run_id, 'missing.png')).toBeNull();
    });

    it('board sessions: a random id for the cookie, stored hashed, ending when they expire or their token is revoked', async () => {
      let clock = Date.parse('2026-11-30T12:00:00Z');
      const tokens = new TokenStore(store.db, () => clock);
      const made = await tokens.create('wallboard', 'read');
      const session = await tokens.createSession(made.info.id, 60_000);
      expect(session.id).toMatch(/^seal_s_[A-Za-z0-9_-]{43}$/);
      expect(await tokens.verifySession(session.id)).toEqual({ id: made.info.id, name: 'wallboard', scope: 'read' });
      // Only the hash is stored: the id is nowhere in the table.
      const rows = await store.db.execute(sql`SELECT id_hash, token_id FROM board_sessions`);
      expect(JSON.stringify(rows)).not.toContain(session.id);
      expect(await tokens.verifySession(`seal_s_${'x'.repeat(43)}`)).toBeNull();
      expect(await tokens.verifySession(made.token)).toBeNull();
      clock += 60_000 + VERIFIED_TTL_MS + 1;
      expect(await tokens.verifySession(session.id)).toBeNull();
      const second = await tokens.createSession(made.info.id, 60_000);
      expect(await tokens.verifySession(second.id)).not.toBeNull();
      await tokens.revoke(made.info.id);
      expect(await tokens.verifySession(second.id)).toBeNull();
    });

    it('creates tokens shown once (only a hash stored), verifies them, and revokes them by id or name', async () => {
      const tokens = new TokenStore(store.db);
      const { token, info } = await tokens.create('github-actions');
      expect(token).toMatch(/^seal_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
      expect(info).toMatchObject({ name: 'github-actions', scope: 'write', revoked_at: null, last_used_at: null });
      // The secret is everything after the id (base64url: it may itself hold underscores).
      expect(JSON.stringify(await tokens.list())).not.toContain(token.slice(`seal_${info.id}_`.length));
      expect(await tokens.verify(token)).toEqual({ id: info.id, name: 'github-actions', scope: 'write' });
      expect((await tokens.list({ id: info.id }))[0]?.last_used_at).not.toBeNull();
      // One character of the secret off, an unknown id, or garbage: all refused alike.
      const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
      expect(await tokens.verify(flipped)).toBeNull();
      expect(await tokens.verify(token.replace(info.id, 'zzzzzzzzzzzz'))).toBeNull();
      expect(await tokens.verify('Bearer nonsense')).toBeNull();
      const reader = await tokens.create('wallboard', 'read');
      expect(await tokens.verify(reader.token)).toMatchObject({ scope: 'read' });
      expect(await tokens.revoke('wallboard')).toBe(1);
      expect(await tokens.verify(reader.token)).toBeNull();
      expect(await tokens.revoke(info.id)).toBe(1);
      expect(await tokens.revoke(info.id)).toBe(0);
      expect(await tokens.verify(token)).toBeNull();
      await expect(tokens.create('  ')).rejects.toThrow('--name must be 1 to 100 printable characters');
    });

    it('a token revoked by another process stops working on a running server within VERIFIED_TTL_MS', async () => {
      let clock = 1_000_000;
      const server = new TokenStore(store.db, () => clock);
      const cli = new TokenStore(store.db);
      const { token } = await server.create('ci-cached');
      expect(await server.verify(token)).not.toBeNull();
      await cli.revoke('ci-cached');
      // Still trusted from the server's memory for a moment, then asked again and refused.
      expect(await server.verify(token)).not.toBeNull();
      clock += VERIFIED_TTL_MS + 1;
      expect(await server.verify(token)).toBeNull();
    });

    it('reports deployments, seal pass rate and change failure rate', async () => {
      const since = new Date(Date.now() - 3600_000).toISOString();
      expect(await ledger.stats('metrics', since)).toMatchObject({ deployments: 0, seal_pass_rate: null, change_failure_rate: null });
      for (const [version, verdict] of [['v1', 'green'], ['v2', 'red'], ['v3', 'green'], ['v4', null]] as const) {
        await ledger.recordRelease({ app: 'metrics', version });
        if (verdict) await ledger.recordSeal(runResult('metrics', { verdict }), version);
      }
      // Recorded now, but deployed two months ago: outside the window.
      await ledger.recordRelease({ app: 'metrics', version: 'v0-old', deployedAt: new Date(Date.now() - 60 * 86_400_000).toISOString() });
      // v2 was sealed again, green: it is no longer a failed change; one more run, one more pass.
      await ledger.recordSeal(runResult('metrics', { verdict: 'green' }), 'v2');
      expect(await ledger.stats('metrics', since)).toEqual({
        app: 'metrics', since, deployments: 4, sealed: 3, green: 3, red: 1, error: 0, seal_pass_rate: 3 / 4, change_failure_rate: 0,
        failed_deployments: 0, failed_deployment_recovery: { median_ms: null, median: 'n/a', recovered: 0, unrecovered: 0 },
      });
    });

    it('counts a located seal once: its runs per location are in the history, not in the run counts, recoveries or the board\'s recent runs', async () => {
      const since = new Date(Date.now() - 3600_000).toISOString();
      const t = (s: number): string => new Date(Date.now() - 600_000 + s * 1000).toISOString();
      await ledger.recordRelease({ app: 'located', version: 'l1' });
      const combined = randomUUID();
      // us-east red first, then eu-west green, then the combined seal: red.
      await ledger.recordSeal(runResult('located', { verdict: 'red', finished_at: t(1), location: 'us-east', part_of: combined }), 'l1', { historyOnly: true });
      await ledger.recordSeal(runResult('located', { verdict: 'green', finished_at: t(2), location: 'eu-west', part_of: combined }), 'l1', { historyOnly: true });
      await ledger.recordSeal(runResult('located', { run_id: combined, verdict: 'red', finished_at: t(3) }), 'l1');
      expect((await ledger.sealHistory('located', 'l1')).map((h) => h.location ?? 'combined')).toHaveLength(3);
      // eu-west's green run is not a recovery of the red seal: the release is still failed.
      expect(await ledger.stats('located', since)).toMatchObject({ green: 0, red: 1, seal_pass_rate: 0, failed_deployments: 1, failed_deployment_recovery: { recovered: 0, unrecovered: 1 } });
      expect((await ledger.appOverview({ app: 'located' }))[0]?.runs.map((r) => [r.run_id, r.verdict])).toEqual([[combined, 'red']]);
      // The next located seal, green in both places: one green run, and a recovery.
      const next = randomUUID();
      await ledger.recordSeal(runResult('located', { verdict: 'green', finished_at: t(10), location: 'us-east', part_of: next }), 'l1', { historyOnly: true });
      await ledger.recordSeal(runResult('located', { run_id: next, verdict: 'green', finished_at: t(12) }), 'l1');
      expect(await ledger.stats('located', since)).toMatchObject({ green: 1, red: 1, failed_deployments: 0 });
      expect((await ledger.appOverview({ app: 'located' }))[0]?.runs.map((r) => r.run_id)).toEqual([combined, next]);
    });

    it('gives the board each app\'s last seals (oldest first, at most `runs`), its latest release, and per row the run time, failing checks and incidents', async () => {
      for (let i = 1; i <= 4; i++) {
        await ledger.recordRelease({ app: 'board-app', version: `b${i}` });
        const red = i === 2;
        await ledger.recordSeal(
          runResult('board-app', { verdict: red ? 'red' : 'green', started_at: at(i * 10), finished_at: at(i * 10 + i) }, red ? [{ name: 'up' }, { name: 'login', status: 'failed' }, { name: 'search', status: 'error' }] : [{ name: 'up' }]),
          `b${i}`,
        );
      }
      await ledger.recordRelease({ app: 'board-app', version: 'b5' });
      const [overview] = await ledger.appOverview({ app: 'board-app', runs: 3 });
      expect(overview?.latest).toEqual({ version: 'b5', smoke_seal: null });
      expect(overview?.runs.map((r) => [r.version, r.verdict, r.duration_ms, r.finished_at])).toEqual([
        ['b2', 'red', 2000, at(22)],
        ['b3', 'green', 3000, at(33)],
        ['b4', 'green', 4000, at(44)],
      ]);
      const page = await ledger.pageReleases({ app: 'board-app' });
      const b2 = page.releases.find((r) => r.version === 'b2');
      const credit = { credited: true, reason: null, format: 'junit', tests: 1, passed: 1, failed: 0, skipped: 0, flaky: 0, report_sha256: 'b'.repeat(64), report_bytes: 10, run_id: null, credited_by: 'ci' };
      await new CreditStore(store.db).record('board-app', 'b2', { ...credit, tier: 'unit' });
      await new CreditStore(store.db).record('board-app', 'b2', { ...credit, tier: 'e2e' });
      await new CreditStore(store.db).record('board-app', 'b2', { ...credit, tier: 'unit', credited: false, reason: 'failed' });
      const details = await ledger.boardDetails(page.releases);
      expect(details.get(b2?.id ?? -1)).toEqual({ duration_ms: 2000, failing: ['login', 'search'], incidents: [], tiers: [{ tier: 'e2e', credited: true }, { tier: 'unit', credited: false }] });
      expect(details.get(page.releases[0]?.id ?? -1)).toEqual({ duration_ms: null, failing: [], incidents: [], tiers: [] });
      expect((await ledger.pageReleases({ app: 'board-app', verdict: 'red' })).releases.map((r) => r.version)).toEqual(['b2']);
      expect((await ledger.pageReleases({ app: 'board-app', verdict: 'pending' })).releases.map((r) => r.version)).toEqual(['b5']);
      // A sealed latest release: its seal comes back as the object the release carries.
      const sealed = runResult('board-app', { verdict: 'green', started_at: at(50), finished_at: at(51) });
      await ledger.recordSeal(sealed, 'b5');
      expect((await ledger.appOverview({ app: 'board-app' }))[0]?.latest).toEqual({ version: 'b5', smoke_seal: { status: 'green', summary: sealed.summary, checked_at: at(51), run_id: sealed.run_id } });
    });
  });
}

contract('the ledger on the embedded store (PGlite in a temp dir)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seal-store-'));
  return { store: await openDb({ databaseUrl: null, dataDir: dir }), cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
});

contract('the ledger on the embedded store opened in a worker thread while checks run (early-store.ts)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seal-store-'));
  const taken = await openStoreEarly({ databaseUrl: null, dataDir: dir }, true)?.take();
  if (!taken?.store) throw new Error(`the store's thread did not open it: ${taken?.why ?? 'dist/store-worker.js is missing'}`);
  return { store: taken.store, cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
});

describe.skipIf(postgresSkip !== null)('Postgres', () => {
  contract('the ledger on Postgres (a fresh database)', async () => {
    const database = await createTestDatabase();
    return { store: await openDb({ databaseUrl: database.url, dataDir: '/nonexistent' }), cleanup: database.drop };
  });
});
