/**
 * The store's contract, run twice: against the embedded PGlite store in a temp dir and against
 * the machine's real Postgres (a database created for the suite and dropped after it).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresSkipReason } from '../../test/helpers/postgres.js';
import type { CheckResult, RunResult } from '../runner/run-result.js';
import { openDb, type OpenDb } from './db.js';
import { Ledger } from './ledger.js';

const postgresSkip = await postgresSkipReason();

/** A run result as `seal smoke --json` prints it. */
export function runResult(app: string, overrides: Partial<RunResult> = {}, checks: Partial<CheckResult>[] = [{}]): RunResult {
  const finished = overrides.finished_at ?? new Date().toISOString();
  return {
    run_id: randomUUID(),
    app,
    base_url: 'https://studio.example.com',
    verdict: 'green',
    summary: `${checks.length}/${checks.length} passed`,
    started_at: new Date(Date.parse(finished) - 1000).toISOString(),
    finished_at: finished,
    duration_ms: 1000,
    release: null,
    checks: checks.map((c, i) => ({ name: `check ${i}`, kind: 'http', status: 'passed', duration_ms: 12, attempts: 1, assertions: [], error: null, evidence: {}, ...c })),
    blocked_requests: [],
    rollback: null,
    warnings: [],
    evidence_dir: null,
    ...overrides,
  };
}

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

    it('keeps hostile strings exactly: quotes, SQL, unicode, 100 KB notes (NUL, which Postgres cannot store, becomes U+FFFD)', async () => {
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
    });

    it('answers when a check last failed', async () => {
      await ledger.recordSeal(runResult('history', { verdict: 'red', finished_at: at(1) }, [{ name: 'up', status: 'failed' }]), 'v1');
      const lastRed = runResult('history', { verdict: 'red', finished_at: at(2) }, [{ name: 'up', status: 'failed' }]);
      await ledger.recordSeal(lastRed, 'v2');
      await ledger.recordSeal(runResult('history', { finished_at: at(3) }, [{ name: 'up' }]), 'v3');
      expect(await ledger.lastCheckStatus('history', 'up')).toEqual({ run_id: lastRed.run_id, finished_at: at(2) });
      expect(await ledger.lastCheckStatus('history', 'never')).toBeNull();
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
      });
    });
  });
}

contract('the ledger on the embedded store (PGlite in a temp dir)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seal-store-'));
  return { store: await openDb({ databaseUrl: null, dataDir: dir }), cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
});

describe.skipIf(postgresSkip !== null)('Postgres', () => {
  contract('the ledger on Postgres (a fresh database)', async () => {
    const database = await createTestDatabase();
    return { store: await openDb({ databaseUrl: database.url, dataDir: '/nonexistent' }), cleanup: database.drop };
  });
});
