import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runResult } from '../../test/helpers/run-results.js';
import { listOutbox, outboxDir, putInOutbox, takeFromOutbox } from './outbox.js';

describe('the outbox', () => {
  it('keeps a run whole in a file of its own (0600, no temporary file left), lists it, and lets it go', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'seal-outbox-'));
    const run = runResult('studio');
    const file = putInOutbox(dataDir, run, { rollbackTemplate: 'git revert {merge_sha}', flags: { release: 'v1' }, env: { GITHUB_SHA: 'abc123', HOME: '/root', SECRET_TOKEN: 'x' } });
    expect(readdirSync(outboxDir(dataDir))).toEqual([`${run.run_id}.json`]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const [found] = listOutbox(dataDir);
    // Only the variables that name a release are kept, nothing else of the environment.
    expect(found).toEqual({ file, entry: { version: 1, written_at: expect.any(String), run, rollback_template: 'git revert {merge_sha}', flags: { release: 'v1' }, env: { GITHUB_SHA: 'abc123' } } });
    takeFromOutbox(dataDir, run.run_id);
    expect(listOutbox(dataDir)).toEqual([]);
  });

  it('lists a file it cannot read as broken, with why, and an empty or missing outbox as nothing', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'seal-outbox-'));
    expect(listOutbox(dataDir)).toEqual([]);
    putInOutbox(dataDir, runResult('studio'), { rollbackTemplate: null, flags: {}, env: {} });
    writeFileSync(join(outboxDir(dataDir), 'half.json'), '{"version":1,"run":');
    writeFileSync(join(outboxDir(dataDir), 'other.json'), '{"version":2}');
    const broken = listOutbox(dataDir).filter((f) => 'broken' in f);
    expect(broken).toEqual([
      { file: join(outboxDir(dataDir), 'half.json'), broken: expect.stringMatching(/JSON/) },
      { file: join(outboxDir(dataDir), 'other.json'), broken: 'not an outbox entry of this version' },
    ]);
  });
});
