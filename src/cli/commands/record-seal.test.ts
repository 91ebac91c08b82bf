/** Recording on this machine's store keeps the run's screenshots for the board. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runResult } from '../../../test/helpers/run-results.js';
import { TINY_PNG } from '../../../test/helpers/web.js';
import { openDb } from '../../store/db.js';
import { EvidenceStore } from '../../store/evidence.js';
import { sql } from 'drizzle-orm';
import { recordOnLedger } from '../../seal/record.js';
import { Ledger } from '../../store/ledger.js';
import type { RunResult } from '../../runner/run-result.js';
import { recordSeal } from './record-seal.js';

describe('recordSeal on the embedded store', () => {
  it('keeps the screenshots the run points at, and says which one it could not keep', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seal-record-'));
    try {
      const shot = join(dir, 'home-1c53bd.png');
      writeFileSync(shot, TINY_PNG);
      const notImage = join(dir, 'other-2d64ce.png');
      writeFileSync(notImage, '<svg/>');
      const result = runResult('studio', { verdict: 'red' }, [
        { name: 'home', kind: 'browser', status: 'failed', evidence: { screenshot: shot } },
        { name: 'other', kind: 'browser', status: 'failed', evidence: { screenshot: notImage } },
      ]);
      const { result: recorded } = await recordSeal(result, { rollbackTemplate: 'git revert -m 1 {merge_sha}', flags: { release: 'v1' }, env: { SEAL_DATA_DIR: join(dir, 'data') }, cwd: dir, redact: (t) => t });
      expect(recorded.warnings).toEqual([
        'the rollback command needs {merge_sha}: pass --merge-sha (or record them with `seal release record`) to print it',
        'screenshot other-2d64ce.png was not kept for the board: evidence file other-2d64ce.png is not a PNG or JPEG image',
      ]);
      const store = await openDb({ databaseUrl: null, dataDir: join(dir, 'data') });
      try {
        expect(await new EvidenceStore(store.db).names(result.run_id)).toEqual(['home-1c53bd.png']);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on a store not created yet, announces the verdict before making the store, with the release recording then records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seal-record-'));
    try {
      const data = join(dir, 'data');
      const sha = 'feedface0123456789abcdef0123456789abcdef';
      const seen: { run: RunResult; storeMade: boolean }[] = [];
      const { result: recorded } = await recordSeal(runResult('studio'), {
        rollbackTemplate: 'git revert {sha}',
        flags: {},
        env: { SEAL_DATA_DIR: data, GITHUB_SHA: sha },
        cwd: dir,
        redact: (t) => t,
        announce: (run) => seen.push({ run, storeMade: existsSync(join(data, 'db')) }),
      });
      expect(seen).toHaveLength(1);
      expect(seen[0]?.storeMade).toBe(false);
      expect(seen[0]?.run).toMatchObject({ release: { version: 'feedface0123', sha }, rollback: `git revert ${sha}`, warnings: [] });
      expect([recorded.release, recorded.rollback]).toEqual([seen[0]?.run.release, seen[0]?.run.rollback]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records a green seal whose post-mortem crediting fails, with a warning: the verdict and the seal stand', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seal-record-'));
    const store = await openDb({ databaseUrl: null, dataDir: dir });
    try {
      const ledger = new Ledger(store.db);
      await ledger.recordRelease({ app: 'studio', version: 'v1' });
      // The incidents table is unreadable: crediting cannot run.
      await store.db.execute(sql`ALTER TABLE incidents RENAME TO incidents_elsewhere`);
      const green = runResult('studio', { verdict: 'green' });
      const outcome = await recordOnLedger(ledger, green, { rollbackTemplate: null, flags: { release: 'v1' }, env: {}, redact: (t) => t.replaceAll('incidents', '[redacted]'), where: 'the test store' });
      expect(outcome.recorded).toMatchObject({ inserted: true, current: true });
      expect(outcome.result.verdict).toBe('green');
      expect(outcome.result.warnings).toEqual([expect.stringMatching(/^post-mortem actions proved by this seal were not marked done: .*\[redacted\]/)]);
      expect((await ledger.getRelease('studio', 'v1'))?.smoke_seal?.run_id).toBe(green.run_id);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
