/** Recording on this machine's store keeps the run's screenshots for the board. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runResult } from '../../../test/helpers/run-results.js';
import { TINY_PNG } from '../../../test/helpers/web.js';
import { openDb } from '../../store/db.js';
import { EvidenceStore } from '../../store/evidence.js';
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
});
