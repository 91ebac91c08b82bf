/**
 * The verdict is printed before recording with the ledger's view of the release: that view must
 * be what recording then makes of the run, for every way a release is found.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runResult } from '../../test/helpers/run-results.js';
import { openDb, type OpenDb } from '../store/db.js';
import { Ledger } from '../store/ledger.js';
import type { ReleaseFlags } from '../release/release-info.js';
import { previewOnLedger, recordOnLedger } from './record.js';

describe('previewOnLedger', () => {
  let dir: string;
  let store: OpenDb;
  let ledger: Ledger;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seal-preview-'));
    store = await openDb({ databaseUrl: null, dataDir: dir });
    ledger = new Ledger(store.db);
    await ledger.recordRelease({ app: 'studio', version: 'v1', mergeSha: 'aaa111' });
    await ledger.recordRelease({ app: 'studio', version: 'v2', mergeSha: 'bbb222' });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: { name: string; app: string; flags: ReleaseFlags; env: NodeJS.ProcessEnv; expected: { version: string | null; previous_version: string | null; rollback: string | null } }[] = [
    { name: 'the latest release (no --release)', app: 'studio', flags: {}, env: {}, expected: { version: 'v2', previous_version: 'v1', rollback: 'deploy studio v1 # revert bbb222' } },
    { name: 'a release --release names that the ledger has', app: 'studio', flags: { release: 'v1' }, env: {}, expected: { version: 'v1', previous_version: null, rollback: null } },
    { name: 'a new release --release names (its previous: the last recorded)', app: 'studio', flags: { release: 'v3', mergeSha: 'ccc333' }, env: {}, expected: { version: 'v3', previous_version: 'v2', rollback: 'deploy studio v2 # revert ccc333' } },
    { name: 'an app with no release, in CI (the commit becomes the release)', app: 'fresh', flags: {}, env: { GITHUB_SHA: '0123456789abcdef' }, expected: { version: '0123456789ab', previous_version: null, rollback: null } },
    { name: 'an app with no release and no commit', app: 'none', flags: {}, env: {}, expected: { version: null, previous_version: null, rollback: null } },
  ];

  for (const c of cases) {
    it(`shows what recording then records: ${c.name}`, async () => {
      const run = runResult(c.app, { verdict: 'red' });
      const recording = { rollbackTemplate: 'deploy {app} {previous_version} # revert {merge_sha}', flags: c.flags, env: c.env, redact: (t: string) => t, where: 'the test store' };
      const preview = await previewOnLedger(ledger, run, recording);
      expect({ version: preview.release?.version ?? null, previous_version: preview.release?.previous_version ?? null, rollback: preview.rollback }).toEqual(c.expected);
      const recorded = await recordOnLedger(ledger, run, recording);
      expect(recorded.result.release).toEqual(preview.release);
      expect(recorded.result.rollback).toEqual(preview.rollback);
      // The preview's warnings are recording's, less what only recording can say.
      expect(recorded.result.warnings.filter((w) => !w.startsWith('the seal was recorded in the test store without a release'))).toEqual(preview.warnings);
    });
  }

  it('writes nothing, and shows the run as it is when the config did not load and the ledger has no such app', async () => {
    const before = await ledger.pageReleases({ limit: 100 });
    const run = runResult('typo', { verdict: 'red' });
    const preview = await previewOnLedger(ledger, run, { rollbackTemplate: null, flags: { release: 'v9' }, env: {}, redact: (t) => t, where: 'the test store', knownAppOnly: true });
    expect(preview).toEqual(run);
    expect(await ledger.appExists('typo')).toBe(false);
    expect((await ledger.pageReleases({ limit: 100 })).releases).toEqual(before.releases);
  });
});
