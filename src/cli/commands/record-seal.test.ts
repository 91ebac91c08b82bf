/** Recording on this machine's store keeps the run's screenshots for the board. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
