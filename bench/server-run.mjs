// The server section of `npm run bench`: `seal serve` on the machine's Postgres with 10,000
// releases, its /deployments latency (p50/p95) under concurrent load from a second process, and
// how many run results a second process can ingest per second through the API.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { runTimed } from './child.mjs';
import { createDatabase } from './postgres.mjs';

export const RELEASES = 10_000;
export const APPS = 20;
export const CONCURRENCY = 16;
export const BOARD_MS = 10_000;
export const SEALS = 5_000;

/** Measures the server; every process it starts is stopped and its database dropped, whatever happens. */
export async function measureServer({ root, log, env }) {
  const database = await createDatabase('seal_bench');
  const databaseUrl = database.url;
  const childEnv = env({ DATABASE_URL: databaseUrl });
  const seal = (args, timeoutMs = 60_000) => runTimed(process.execPath, [join(root, 'bin/seal'), ...args], { cwd: root, env: childEnv, timeoutMs });
  let server = null;
  try {
    // The token command also brings the schema up to date.
    const created = await seal(['token', 'create', '--name', 'bench']);
    if (created.code !== 0) throw new Error(`seal token create failed: ${created.stderr}`);
    const token = created.stdout.trim();
    log(`server: seeding ${RELEASES} releases of ${APPS} apps`);
    await seed(databaseUrl);
    server = await startServe(root, childEnv);
    log(`server: ${server.url}, warming up`);
    await load(root, childEnv, ['board', server.url, '4', '1500', String(APPS)]);
    log(`server: /deployments under ${CONCURRENCY} concurrent requests for ${BOARD_MS / 1000} s`);
    const board = await load(root, childEnv, ['board', server.url, String(CONCURRENCY), String(BOARD_MS), String(APPS)]);
    if (board.errors > 0) throw new Error(`${board.errors} board requests failed`);
    log(`server: ingesting ${SEALS} run results, ${CONCURRENCY} at a time`);
    const ingest = await load(root, childEnv, ['ingest', server.url, String(CONCURRENCY), String(SEALS), token]);
    if (ingest.errors > 0) throw new Error(`${ingest.errors} of ${SEALS} seals were refused; first: ${ingest.firstError}`);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query('SELECT count(*)::int AS runs FROM seal_runs');
    await client.end();
    if (rows[0].runs !== SEALS) throw new Error(`the store holds ${rows[0].runs} runs, expected ${SEALS}`);
    log('server: the largest run the API accepts, and its release page');
    const heavy = await measureHeavy(server.url, token);
    const serverRssKb = await server.rssKb();
    return { releases: RELEASES, apps: APPS, concurrency: CONCURRENCY, boardMs: BOARD_MS, board, ingest, heavy, storedRuns: rows[0].runs, serverRssKb, postgres: database.version };
  } finally {
    await server?.stop();
    await database.drop();
  }
}

/**
 * Posts a run as large as the API accepts (just under its 4 MiB body limit, nested 60 deep, 10
 * checks whose evidence and assertion values are wide arrays), then times its release page: 10
 * requests one after another, then 3 at once with /healthz beside them.
 */
async function measureHeavy(base, token) {
  let deep = Array.from({ length: 3_500 }, (_, i) => ({ i, text: 'lorem ipsum dolor sit amet' }));
  for (let i = 0; i < 56; i++) deep = [deep];
  const checks = Array.from({ length: 10 }, (_, i) => ({ name: `heavy ${i}`, kind: 'http', status: 'failed', duration_ms: 10, attempts: 1, error: null, evidence: { response: { body: deep } }, assertions: [{ label: '$.data == 1', ok: false, expected: 1, actual: deep, message: 'deep' }] }));
  const now = new Date().toISOString();
  const run = { run_id: randomUUID(), app: 'heavy', base_url: 'https://heavy.example.com', verdict: 'red', summary: '0/10 passed', started_at: now, finished_at: now, duration_ms: 100, release: { version: 'v1', sha: null, merge_sha: null }, checks, blocked_requests: [], rollback: null, warnings: [], evidence_dir: null };
  const body = JSON.stringify(run);
  const posted = await fetch(`${base}/api/releases/heavy/v1/seals`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
  if (posted.status !== 201) throw new Error(`the heavy run was refused: ${posted.status} ${(await posted.text()).slice(0, 300)}`);
  const timed = async (path) => {
    const started = performance.now();
    const response = await fetch(`${base}${path}`);
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    return { ms: performance.now() - started, bytes: text.length };
  };
  const sequential = [];
  for (let i = 0; i < 10; i++) sequential.push(await timed('/releases/heavy/v1'));
  const [together, healthz] = await Promise.all([Promise.all([0, 1, 2].map(() => timed('/releases/heavy/v1'))), (async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return timed('/healthz');
  })()]);
  return { bodyBytes: body.length, sequentialMs: sequential.map((t) => t.ms), pageBytes: sequential[0].bytes, togetherMs: together.map((t) => t.ms), healthzMs: healthz.ms };
}

/** 10,000 releases over 20 apps, four in five sealed (one in seven of those red), by SQL. */
async function seed(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`INSERT INTO apps (name) SELECT 'app-' || lpad(i::text, 2, '0') FROM generate_series(0, ${APPS - 1}) i`);
    await client.query(`
      INSERT INTO releases (app_id, version, sha, merge_sha, deployed_at, created_at, smoke_seal)
      SELECT a.id, 'r' || g, md5(g::text), md5((g + 1)::text), now() - (${RELEASES} - g) * interval '1 minute', now() - (${RELEASES} - g) * interval '1 minute',
        CASE WHEN g % 5 = 0 THEN NULL ELSE jsonb_build_object('status', CASE WHEN g % 7 = 0 THEN 'red' ELSE 'green' END,
          'summary', CASE WHEN g % 7 = 0 THEN '4/5 passed; ''devops hidden'' failed: status 200, expected 404' ELSE '5/5 passed' END,
          'checked_at', now(), 'run_id', gen_random_uuid()) END
      FROM generate_series(1, ${RELEASES}) g JOIN apps a ON a.name = 'app-' || lpad((g % ${APPS})::text, 2, '0')
      ORDER BY g`);
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

/** `seal serve --port 0` as a child; resolves once it listens. */
export function startServe(root, env) {
  return new Promise((resolve, reject) => {
    // SEAL_BENCH_PROFILE=DIR writes a CPU profile of the server there (to see where its time goes).
    const profile = process.env.SEAL_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SEAL_BENCH_PROFILE}`] : [];
    const child = spawn(process.execPath, [...profile, join(root, 'bin/seal'), 'serve', '--port', '0'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    // Its request log is read and dropped, as a log shipper would.
    child.stdout.resume();
    const killer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    const exited = new Promise((done) => child.once('exit', (code) => (clearTimeout(killer), done(code))));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const url = /board at (http:\/\/\S+)\/deployments/.exec(stderr)?.[1];
      if (url) {
        resolve({
          url,
          rssKb: async () => {
            const { readFile } = await import('node:fs/promises');
            const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
            return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
          },
          stop: async () => {
            child.kill('SIGTERM');
            const code = await exited;
            if (code !== 0) throw new Error(`seal serve exited ${code}: ${stderr}`);
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`seal serve exited (${code}) before listening: ${stderr}`)));
  });
}

/** Runs the load process and returns what it measured. */
export async function load(root, env, args) {
  const run = await runTimed(process.execPath, [join(root, 'bench/server-load.mjs'), ...args], { cwd: root, env, timeoutMs: 5 * 60_000 });
  if (run.code !== 0) throw new Error(`load (${args[0]}) failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1));
}
