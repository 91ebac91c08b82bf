/**
 * Running queued jobs, on a real embedded store with a real webhook receiver on loopback: a job
 * retried after the worker that recorded its seal died before telling anyone tells the notifiers
 * then, once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../test/helpers/apps.js';
import { runResult } from '../../test/helpers/run-results.js';
import { reply, startServer, type TestServer } from '../../test/helpers/servers.js';
import { recordOnLedger } from '../seal/record.js';
import { openDb, type OpenDb } from '../store/db.js';
import { DeliveryStore } from '../store/deliveries.js';
import { EvidenceStore } from '../store/evidence.js';
import { Ledger } from '../store/ledger.js';
import { createJobRunner } from './execute.js';
import { createMemoryQueue } from './memory.js';

describe('a retried job whose seal is recorded', () => {
  let dir: string;
  let store: OpenDb;
  let hooks: TestServer;
  const told: string[] = [];
  const lines: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seal-execute-'));
    store = await openDb({ databaseUrl: null, dataDir: join(dir, 'data') });
    hooks = await startServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      told.push((JSON.parse(Buffer.concat(chunks).toString()) as { run_id: string }).run_id);
      reply(res, 200, 'ok');
    });
  }, 60_000);
  afterAll(async () => {
    await hooks?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is told then when no notifier heard of it (its worker died between recording and telling), and only once', async () => {
    const config = resolveConfig({ apps: { studio: { production_url: 'http://127.0.0.1:9', notify: ['hook'], checks: [{ name: 'up', http: '/' }] } }, notifiers: { hook: { type: 'webhook', url: `${hooks.url}/hook`, secret: '0123456789abcdef0123' } } });
    const ledger = new Ledger(store.db);
    const runner = createJobRunner({ config, ledger, evidence: new EvidenceStore(store.db), deliveries: new DeliveryStore(store.db), logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }), env: {}, evidenceRoot: join(dir, 'evidence'), boardBase: () => null, interrupted: 'retry', queue: createMemoryQueue() });
    const job = { run_id: '00000000-0000-4000-8000-000000000001', app: 'studio', version: 'v1', requested_at: new Date().toISOString() };
    // What the dead worker did: the seal recorded, nobody told.
    const seal = runResult('studio', { run_id: job.run_id, release: { version: 'v1', sha: null, merge_sha: null, previous_version: null } });
    await recordOnLedger(ledger, seal, { rollbackTemplate: null, flags: { release: 'v1' }, env: {}, redact: (text) => text, where: 'the test' });
    const stop = new AbortController();
    // The first attempt finding its own run recorded (a duplicate delivery of the job): nobody is told.
    await runner.execute(job, stop.signal, { retries: 0, last: false });
    expect(told).toEqual([]);
    // The retry after the worker's expiry: the webhook is told, and the log says why.
    await runner.execute(job, stop.signal, { retries: 1, last: false });
    expect(told).toEqual([job.run_id]);
    expect(lines.some((line) => line.includes('stopped before any notifier was told: telling them now'))).toBe(true);
    // Another retry: the delivery is on record, nobody is told twice.
    await runner.execute(job, stop.signal, { retries: 2, last: true });
    expect(told).toEqual([job.run_id]);
  }, 60_000);
});
