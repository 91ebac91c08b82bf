/**
 * Beyond one machine, on the machine's real Postgres (a database made and dropped per suite):
 * `seal serve` queues seal jobs on pg-boss, `seal worker` processes take them, and each seal is
 * recorded, and announced, exactly once: across a server restart, across 3 workers, and when a
 * worker is killed mid-job. Every process here is the real CLI.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServeCli, startWorkerCli, type ServeProcess, type WorkerProcess } from './helpers/cli.js';
import { createTestDatabase, postgresSkipReason } from './helpers/postgres.js';
import { reply, startServer, type TestServer } from './helpers/servers.js';
import { waitFor } from './helpers/wait-for.js';
import { openDb } from '../src/store/db.js';
import { TokenStore } from '../src/store/tokens.js';

const skip = await postgresSkipReason();

let database: { url: string; drop: () => Promise<void> };
let dir: string;
let config: string;
let production: TestServer;
let hooks: TestServer;
let token: string;
let client: pg.Client;
/** Requests production answered, by path. */
const hits = new Map<string, number>();
/** Webhook deliveries, by run id (X-Seal-Delivery). */
const deliveries = new Map<string, number>();
/** Requests to /hold wait here until the test lets them go. */
let holding: { release: boolean; arrived: ((value: void) => void)[] } = { release: false, arrived: [] };
/** What /soaky answers. */
let soakyStatus = 200;

const env = (): NodeJS.ProcessEnv => ({ DATABASE_URL: database.url, SEAL_DATA_DIR: join(dir, 'data'), SEAL_QUEUE_POLL_MS: '100', SEAL_QUEUE_MAINTENANCE_S: '1', SEAL_JOB_MARGIN_S: '1', SEAL_LOG_LEVEL: 'info' });
const workers: WorkerProcess[] = [];
const servers: ServeProcess[] = [];
const worker = async (args: string[] = []): Promise<WorkerProcess> => {
  const started = await startWorkerCli(['--config', config, ...args], { env: env() });
  workers.push(started);
  return started;
};
const serve = async (args: string[] = []): Promise<ServeProcess> => {
  const started = await startServeCli(['--config', config, ...args], { env: env() });
  servers.push(started);
  return started;
};
const ask = async (server: ServeProcess, app: string, version: string): Promise<{ run_id: string; status: string }> => {
  const response = await fetch(`${server.url}/api/releases/${app}/${version}/smoke`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(202);
  return (await response.json()) as { run_id: string; status: string };
};
const count = async (query: string, values: unknown[] = []): Promise<number> => Number((await client.query<{ n: string }>(query, values)).rows[0]?.n);
/** The locations of the runs each worker's log says it made as one location's part of a seal. */
const partsBy = (w: WorkerProcess): string[] =>
  w
    .output()
    .stdout.split('\n')
    .filter((line) => line.includes('"smoke run finished (one location of a seal)"'))
    .map((line) => (JSON.parse(line) as { run_location: string }).run_location);
type ReleaseBody = { smoke_seal: { run_id: string; status: string }; current_run: { verdict: string; summary: string; locations?: { location: string; verdict: string; summary: string; run_id: string | null }[]; checks: { name: string }[] }; seal_history: { run_id: string; status: string; location?: string; part_of?: string; soak?: string }[] };
const releaseOf = async (server: ServeProcess, app: string, version: string): Promise<ReleaseBody> => (await (await fetch(`${server.url}/api/releases/${app}/${version}`)).json()) as ReleaseBody;
/** The run ids each worker's log says it recorded. */
const finishedBy = (w: WorkerProcess): string[] =>
  w
    .output()
    .stdout.split('\n')
    .filter((line) => line.includes('"smoke run finished"'))
    .map((line) => (JSON.parse(line) as { run_id: string }).run_id);

beforeAll(async () => {
  if (skip) return;
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'seal-workers-'));
  production = await startServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === '/soaky') return reply(res, soakyStatus, 'soaky');
    if (path === '/hold') {
      if (holding.release) return reply(res, 200, 'OK');
      for (const arrived of holding.arrived.splice(0)) arrived();
      const wait = setInterval(() => holding.release && (clearInterval(wait), reply(res, 200, 'OK')), 20);
      res.on('close', () => clearInterval(wait));
      return;
    }
    reply(res, 200, 'OK');
  });
  hooks = await startServer((req, res) => {
    const id = String(req.headers['x-seal-delivery'] ?? '');
    req.resume();
    req.on('end', () => {
      deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      reply(res, 204, '');
    });
  });
  config = join(dir, 'seal.config.yaml');
  writeFileSync(
    config,
    `apps:
  studio:
    production_url: ${production.url}
    notify: [hook]
    checks:
      - { name: up, http: /up, expect: { status: 200, body_contains: OK } }
  global:
    production_url: ${production.url}
    locations: [eu-west, us-east]
    location_timeout: 3s
    notify: [hook]
    checks:
      - { name: up, http: /up, expect: { status: 200, body_contains: OK } }
  soaky:
    production_url: ${production.url}
    soak: [1s, 2s, 1h]
    notify: [hook]
    checks:
      - { name: soaked, http: /soaky, expect: { status: 200 } }
  slow:
    production_url: ${production.url}
    deadline_ms: 3000
    notify: [hook]
    checks:
      - { name: held, http: /hold, timeout_ms: 2500, expect: { status: 200 } }
notifiers:
  hook: { type: webhook, url: "${hooks.url}/hook", secret: "0123456789abcdef0123" }
`,
  );
  const store = await openDb({ databaseUrl: database.url, dataDir: dir });
  token = (await new TokenStore(store.db).create('ci')).token;
  await store.close();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
}, 60_000);

afterAll(async () => {
  await Promise.all([...workers.map((w) => w.kill()), ...servers.map((s) => s.stop())]);
  await client?.end().catch(() => undefined);
  await production?.close();
  await hooks?.close();
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe.skipIf(skip)('seal workers on Postgres (pg-boss)', () => {
  it('200 jobs queued through a server outlive its restart, and 3 workers seal each exactly once', async () => {
    const first = await serve(['--worker-concurrency', '0']);
    const asked: string[] = [];
    for (let i = 1; i <= 200; i++) asked.push((await ask(first, 'studio', `v${i}`)).run_id);
    expect(new Set(asked).size).toBe(200);
    // Nobody works the queue yet: the server only queues.
    expect(hits.get('/up') ?? 0).toBe(0);
    expect((await first.stop()).code).toBe(0);

    // A restarted server still knows the jobs: they are rows on Postgres, not in its memory.
    const again = await serve(['--worker-concurrency', '0']);
    const last = (await (await fetch(`${again.url}/api/runs/${asked[199]}`)).json()) as { status: string; ahead: number };
    expect(last).toMatchObject({ status: 'queued', ahead: 199 });

    const three = [await worker(['--concurrency', '3']), await worker(['--concurrency', '3']), await worker(['--concurrency', '3'])];
    await waitFor(async () => (await count('SELECT count(*) AS n FROM seal_runs')) === 200, '200 seals recorded', 120_000);
    await waitFor(() => deliveries.size === 200, '200 webhook deliveries', 30_000);
    const stopped = await Promise.all(three.map((w) => w.stop()));
    expect(stopped.map((run) => run.code)).toEqual([0, 0, 0]);

    // Exactly once: every asked run recorded under its own id, production asked once per job, the webhook told once per seal.
    const recorded = (await client.query<{ run_id: string }>('SELECT run_id FROM seal_runs')).rows.map((r) => r.run_id).sort();
    expect(recorded).toEqual([...asked].sort());
    expect(hits.get('/up')).toBe(200);
    expect([...deliveries.keys()].sort()).toEqual([...asked].sort());
    expect([...deliveries.values()].every((n) => n === 1)).toBe(true);
    // The work was shared, and what the workers say they did adds up to the 200.
    const done = three.map(finishedBy);
    expect(done.every((ids) => ids.length > 0)).toBe(true);
    expect(done.flat().sort()).toEqual([...asked].sort());
    // Every seal is in the audit log once, by the token that asked, and the chain verifies.
    expect(await count(`SELECT count(*) AS n FROM audit_events WHERE kind = 'seal'`)).toBe(200);
    expect(await count(`SELECT count(DISTINCT actor) AS n FROM audit_events WHERE kind = 'seal' AND actor LIKE 'token ci (%'`)).toBe(1);
    const verify = await runCli(['audit', 'verify'], { env: env(), timeoutMs: 60_000 });
    expect(verify.code, verify.stderr).toBe(0);
    // The server answers each as finished, from the ledger.
    expect(await (await fetch(`${again.url}/api/runs/${asked[0]}`)).json()).toMatchObject({ status: 'finished', version: 'v1', result: { verdict: 'green' } });
    await again.stop();
  }, 240_000);

  it('a worker killed with SIGKILL mid-job: its job expires, another worker runs it, and it is recorded and announced once', async () => {
    const server = await serve(['--worker-concurrency', '0']);
    const doomed = await worker();
    holding = { release: false, arrived: [] };
    const arrived = new Promise<void>((resolve) => holding.arrived.push(resolve));
    const job = await ask(server, 'slow', 'v1');
    // The doomed worker's check is waiting on production: the job is running there when it dies.
    await arrived;
    expect(await (await fetch(`${server.url}/api/runs/${job.run_id}`)).json()).toMatchObject({ status: 'running', retries: 0 });
    const killed = await doomed.kill();
    expect(killed.code).toBeNull();
    expect(finishedBy(doomed)).toEqual([]);
    holding.release = true;

    const rescuer = await worker();
    await waitFor(async () => (await count('SELECT count(*) AS n FROM seal_runs WHERE run_id = $1', [job.run_id])) === 1, 'the killed job recorded by the other worker', 60_000);
    await waitFor(() => deliveries.get(job.run_id) === 1, 'its webhook delivery', 30_000);
    await waitFor(() => finishedBy(rescuer).length > 0, "the other worker's log line", 10_000);
    expect(finishedBy(rescuer)).toEqual([job.run_id]);
    const status = (await (await fetch(`${server.url}/api/runs/${job.run_id}`)).json()) as { status: string; result: { verdict: string; run_id: string } };
    expect(status).toMatchObject({ status: 'finished', result: { verdict: 'green', run_id: job.run_id } });
    // pg-boss retried it once, under the same id; the job is completed just after the seal is told.
    const jobRow = async () => (await client.query<{ retry_count: number; state: string }>('SELECT retry_count, state FROM pgboss.job WHERE id = $1', [job.run_id])).rows[0];
    await waitFor(async () => (await jobRow())?.state === 'completed', 'the retried job to be completed', 10_000);
    expect(await jobRow()).toMatchObject({ retry_count: 1, state: 'completed' });
    // Every process that could tell it stopped: a late second delivery would have arrived by now.
    await rescuer.stop();
    await server.stop();
    expect(deliveries.get(job.run_id)).toBe(1);
  }, 120_000);

  it('two servers on one Postgres: a seal run through server A appears live on server B\'s stream, and on its board', async () => {
    const a = await serve();
    const b = await serve(['--worker-concurrency', '0']);
    const controller = new AbortController();
    const stream = await fetch(`${b.url}/events`, { signal: controller.signal });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The stream says hello first: B is listening before the seal is asked for.
    while (!text.includes('event: hello')) text += decoder.decode((await reader.read()).value);
    const job = await ask(a, 'studio', 'v-live');
    const deadline = setTimeout(() => controller.abort(), 30_000);
    try {
      while (!/event: seal\ndata: \{[^\n]*"app":"studio","version":"v-live"/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
    } finally {
      clearTimeout(deadline);
      controller.abort();
    }
    // A seal event names its app and version: it came from Postgres's NOTIFY, not from a poll (which says only "change").
    expect(text).toMatch(/event: seal\ndata: \{[^\n]*"app":"studio","version":"v-live"/);
    expect(await (await fetch(`${b.url}/api/runs/${job.run_id}`)).json()).toMatchObject({ status: 'finished', result: { verdict: 'green' } });
    expect(await (await fetch(`${b.url}/deployments?app=studio`)).text()).toContain('data-version="v-live" data-status="green"');
    await Promise.all([a.stop(), b.stop()]);
  }, 60_000);

  it("a seal from two locations: each location's run is taken only by a worker of that location; a location with no live worker within location_timeout is an error, named", async () => {
    const server = await serve(['--worker-concurrency', '0']);
    const eu = await worker(['--location', 'eu-west']);
    const first = await ask(server, 'global', 'v1');
    expect((first as { locations?: unknown }).locations).toEqual([expect.objectContaining({ location: 'eu-west' }), expect.objectContaining({ location: 'us-east', status: 'queued' })]);
    await waitFor(async () => (await count('SELECT count(*) AS n FROM seal_runs WHERE run_id = $1', [first.run_id])) === 1, 'the located seal settled at its location_timeout', 30_000);
    const settled = await releaseOf(server, 'global', 'v1');
    expect(settled.smoke_seal).toMatchObject({ run_id: first.run_id, status: 'error' });
    expect(settled.current_run.locations).toEqual([
      expect.objectContaining({ location: 'eu-west', verdict: 'green', summary: '1/1 passed' }),
      { location: 'us-east', run_id: null, verdict: 'error', summary: 'no live worker of location us-east took its run within 3s (location_timeout)' },
    ]);
    expect(settled.current_run.summary).toBe('eu-west: green, 1/1 passed | us-east: error, no live worker of location us-east took its run within 3s (location_timeout)');
    // The release notes' seal block says it per location too.
    expect((settled as unknown as { notes: string }).notes).toContain('us-east: error, no live worker of location us-east');
    // The eu-west run is in the history as one location's part; only the combined seal was told.
    const euRun = settled.current_run.locations?.[0]?.run_id as string;
    expect(settled.seal_history.find((h) => h.run_id === euRun)).toMatchObject({ location: 'eu-west', part_of: first.run_id, status: 'green' });
    await waitFor(() => deliveries.get(first.run_id) === 1, 'the combined seal told', 10_000);
    expect(deliveries.has(euRun)).toBe(false);
    // The us-east job was cancelled, not left for a worker that comes later.
    expect((await client.query<{ state: string }>(`SELECT state FROM pgboss.job WHERE name = 'seal.us-east'`)).rows.map((r) => r.state)).toEqual(['cancelled']);

    const us = await worker(['--location', 'us-east']);
    const second = await ask(server, 'global', 'v2');
    await waitFor(async () => (await count('SELECT count(*) AS n FROM seal_runs WHERE run_id = $1', [second.run_id])) === 1, 'the seal from both locations', 30_000);
    const both = await releaseOf(server, 'global', 'v2');
    expect(both.smoke_seal).toMatchObject({ run_id: second.run_id, status: 'green' });
    expect(both.current_run.summary).toBe('eu-west: green, 1/1 passed | us-east: green, 1/1 passed');
    expect(both.current_run.checks.map((c) => c.name)).toEqual(['eu-west: up', 'us-east: up']);
    await waitFor(() => partsBy(us).length === 1, "the us-east worker's log line", 10_000);
    expect(partsBy(eu)).toEqual(['eu-west', 'eu-west']);
    expect(partsBy(us)).toEqual(['us-east']);
    await waitFor(() => deliveries.get(second.run_id) === 1, 'the second combined seal told', 10_000);
    // The board's release page shows each location.
    const page = await (await fetch(`${server.url}/releases/global/v2`)).text();
    expect(page).toContain('eu-west: green, 1/1 passed | us-east: green, 1/1 passed');
    expect(page).toContain('eu-west (one location of a seal)');
    await Promise.all([eu.stop(), us.stop(), server.stop()]);
  }, 90_000);

  it('soak seals: the release is sealed again at each delay, told only when its verdict changes, and what is still pending is cancelled when a newer release is sealed', async () => {
    const server = await serve(['--worker-concurrency', '0']);
    const soaker = await worker();
    soakyStatus = 200;
    const first = await ask(server, 'soaky', 'v1');
    await waitFor(() => deliveries.get(first.run_id) === 1, 'the first seal told', 30_000);
    // Real traffic reaches the new code path: production breaks after the first seal.
    soakyStatus = 500;
    await waitFor(async () => (await releaseOf(server, 'soaky', 'v1')).seal_history.length === 3, 'the 1s and 2s soak seals', 30_000);
    const release = await releaseOf(server, 'soaky', 'v1');
    const [latest, middle, oldest] = release.seal_history;
    expect([oldest?.soak, middle?.soak, latest?.soak]).toEqual([undefined, '1s', '2s']);
    expect([oldest?.status, middle?.status, latest?.status]).toEqual(['green', 'red', 'red']);
    // The release's seal shows the latest soak.
    expect(release.smoke_seal).toMatchObject({ run_id: latest?.run_id, status: 'red' });
    // Told when green turned red; not told again when red stayed red.
    await waitFor(() => deliveries.get(middle?.run_id ?? '') === 1, 'the red soak told', 10_000);
    await waitFor(() => soaker.output().stdout.includes(`"run_id":"${latest?.run_id}","verdict":"red"`), 'the second soak finished', 10_000);
    expect(deliveries.has(latest?.run_id ?? '')).toBe(false);
    const pendingV1 = async () => (await client.query<{ state: string; soak: string }>(`SELECT state, data->>'soak' AS soak FROM pgboss.job WHERE data->>'app' = 'soaky' AND data->>'version' = 'v1' AND data->>'soak' = '1h'`)).rows;
    expect(await pendingV1()).toEqual([{ state: 'created', soak: '1h' }]);

    // A newer release is sealed: v1's pending 1h soak is cancelled, v2 gets its own.
    soakyStatus = 200;
    const second = await ask(server, 'soaky', 'v2');
    await waitFor(() => deliveries.get(second.run_id) === 1, 'the newer release sealed', 30_000);
    await waitFor(async () => (await pendingV1())[0]?.state === 'cancelled', "v1's soak cancelled", 10_000);
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM pgboss.job WHERE data->>'app' = 'soaky' AND data->>'version' = 'v2' AND data->>'soak' IS NOT NULL`)) === 3, "v2's three soak seals scheduled", 10_000);
    await Promise.all([soaker.stop(), server.stop()]);
    // v2's soaks are not this test's: they must not run in the next one.
    await client.query(`UPDATE pgboss.job SET state = 'cancelled' WHERE data->>'soak' IS NOT NULL AND state < 'active'`);
  }, 90_000);

  it('a worker that was only frozen (SIGSTOP past its job\'s expiry) wakes after another worker sealed the job: nothing is recorded or announced twice', async () => {
    const server = await serve(['--worker-concurrency', '0']);
    const frozen = await worker();
    holding = { release: false, arrived: [] };
    const arrived = new Promise<void>((resolve) => holding.arrived.push(resolve));
    const job = await ask(server, 'slow', 'v2');
    await arrived;
    process.kill(frozen.pid, 'SIGSTOP');
    try {
      holding.release = true;
      const rescuer = await worker();
      await waitFor(async () => (await count('SELECT count(*) AS n FROM seal_runs WHERE run_id = $1', [job.run_id])) === 1, 'the frozen job recorded by the other worker', 60_000);
      await waitFor(() => finishedBy(rescuer).length > 0, "the other worker's log line", 10_000);
      expect(finishedBy(rescuer)).toEqual([job.run_id]);
      await rescuer.stop();
    } finally {
      process.kill(frozen.pid, 'SIGCONT');
    }
    // The frozen worker finishes its run, finds the seal recorded, and drops its own.
    await waitFor(() => frozen.output().stdout.includes('recorded by another worker meanwhile'), 'the woken worker to give up its run', 30_000);
    expect(await count('SELECT count(*) AS n FROM seal_runs WHERE run_id = $1', [job.run_id])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM audit_events WHERE kind = 'seal' AND subject = $1`, [job.run_id])).toBe(1);
    expect(deliveries.get(job.run_id)).toBe(1);
    expect(finishedBy(frozen)).toEqual([]);
    expect((await frozen.stop()).code).toBe(0);
    await server.stop();
  }, 120_000);
});
