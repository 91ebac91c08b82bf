// The cost curve of the server section: the same `seal serve` on Postgres at 1,000, 10,000 and
// 100,000 releases (one seal run each, ten check results a run: a million at the largest size),
// grown in place by SQL. At each size, from a second process, 16 clients at once: the board
// (`/deployments`, the mix of server-load.mjs's board mode), release pages and badges; then, as a
// user would, `seal release list` and `seal audit verify` as whole processes. Prints a table and
// an SVG chart (bench/curve-chart.mjs) of the p95s against the size.
import { join } from 'node:path';
import pg from 'pg';
import { runTimed } from './child.mjs';
import { createDatabase } from './postgres.mjs';
import { load, startServe } from './server-run.mjs';

export const CURVE_SIZES = (process.env.SEAL_BENCH_CURVE_SIZES ?? '1000,10000,100000').split(',').map(Number);
const APPS = 20;
const CONCURRENCY = 16;
const LOAD_MS = 5_000;
const CHECKS_PER_RUN = 10;

/** Measures every size; the database is dropped and the server stopped whatever happens. */
export async function measureCurve({ root, log, env }) {
  const database = await createDatabase('seal_curve');
  const childEnv = env({ DATABASE_URL: database.url });
  const seal = (args, timeoutMs = 10 * 60_000) => runTimed(process.execPath, [join(root, 'bin/seal'), ...args], { cwd: root, env: childEnv, timeoutMs });
  let server = null;
  const client = new pg.Client({ connectionString: database.url });
  try {
    const created = await seal(['token', 'create', '--name', 'bench']);
    if (created.code !== 0) throw new Error(`seal token create failed: ${created.stderr}`);
    await client.connect();
    await client.query(`INSERT INTO apps (name) SELECT 'app-' || lpad(i::text, 2, '0') FROM generate_series(0, ${APPS - 1}) i`);
    server = await startServe(root, childEnv);
    const points = [];
    let seeded = 0;
    for (const size of CURVE_SIZES) {
      log(`curve: growing to ${size.toLocaleString('en-US')} releases`);
      await grow(client, seeded, size);
      seeded = size;
      // Forty releases spread over the ledger (release r<g> is app g mod 20's), and every app's badge.
      const pages = Array.from({ length: 40 }, (_, i) => {
        const g = Math.max(1, Math.floor((size * (i + 1)) / 41));
        return `/releases/app-${String(g % APPS).padStart(2, '0')}/r${g}`;
      });
      const badges = Array.from({ length: APPS }, (_, i) => `/apps/app-${String(i).padStart(2, '0')}/badge.svg`);
      await load(root, childEnv, ['board', server.url, '4', '1000', String(APPS)]);
      log(`curve: ${size}: /deployments, release pages and badges, ${CONCURRENCY} at a time, ${LOAD_MS / 1000} s each`);
      const board = await load(root, childEnv, ['board', server.url, String(CONCURRENCY), String(LOAD_MS), String(APPS)]);
      const page = await load(root, childEnv, ['get', server.url, String(CONCURRENCY), String(LOAD_MS), JSON.stringify(pages)]);
      const badge = await load(root, childEnv, ['get', server.url, String(CONCURRENCY), String(LOAD_MS), JSON.stringify(badges)]);
      for (const [what, r] of [['board', board], ['release page', page], ['badge', badge]]) if (r.errors > 0) throw new Error(`${size}: ${r.errors} ${what} requests failed`);
      const list = [];
      for (let i = 0; i < 5; i++) {
        const run = await seal(['release', 'list', 'app-03', '--limit', '50']);
        if (run.code !== 0) throw new Error(`seal release list failed: ${run.stderr}`);
        list.push(run.ms);
      }
      const verify = await seal(['audit', 'verify', '--json']);
      if (verify.code === 2) throw new Error(`seal audit verify could not run: ${verify.stderr}`);
      const { rows } = await client.query('SELECT (SELECT count(*) FROM releases)::int AS releases, (SELECT count(*) FROM check_results)::int AS checks');
      points.push({ size, releases: rows[0].releases, checks: rows[0].checks, board, page, badge, listMs: list.sort((a, b) => a - b)[2], verifyMs: verify.ms });
    }
    return { points, concurrency: CONCURRENCY, loadMs: LOAD_MS, apps: APPS, postgres: database.version };
  } finally {
    await client.end().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await database.drop();
  }
}

/** Adds releases r<from+1>..r<to> (app = g mod 20), each with one seal run (one in seven red) of ten checks, as its current seal. */
export async function grow(client, from, to) {
  await client.query(`
    WITH g AS (SELECT g, gen_random_uuid() AS run_id FROM generate_series(${from + 1}, ${to}) g),
    rel AS (
      INSERT INTO releases (app_id, version, sha, merge_sha, deployed_at, created_at, smoke_seal)
      SELECT a.id, 'r' || g.g, md5(g.g::text), md5((g.g + 1)::text), now() - (${to} - g.g) * interval '1 second', now() - (${to} - g.g) * interval '1 second',
        jsonb_build_object('status', CASE WHEN g.g % 7 = 0 THEN 'red' ELSE 'green' END, 'summary', CASE WHEN g.g % 7 = 0 THEN '9/10 passed' ELSE '10/10 passed' END, 'checked_at', now(), 'run_id', g.run_id)
      FROM g JOIN apps a ON a.name = 'app-' || lpad((g.g % ${APPS})::text, 2, '0')
      ORDER BY g.g
      RETURNING id, app_id, version
    )
    INSERT INTO seal_runs (run_id, app_id, release_id, verdict, summary, started_at, finished_at, result)
    SELECT g.run_id, rel.app_id, rel.id, CASE WHEN g.g % 7 = 0 THEN 'red' ELSE 'green' END, '10 checks', now() - interval '1 second', now(),
      jsonb_build_object('run_id', g.run_id, 'app', 'app-' || lpad((g.g % ${APPS})::text, 2, '0'), 'base_url', 'https://studio.example.com', 'verdict', CASE WHEN g.g % 7 = 0 THEN 'red' ELSE 'green' END,
        'summary', '10 checks', 'started_at', now() - interval '1 second', 'finished_at', now(), 'duration_ms', 1000, 'release', jsonb_build_object('version', 'r' || g.g, 'sha', md5(g.g::text), 'merge_sha', NULL),
        'checks', (SELECT jsonb_agg(jsonb_build_object('name', 'check ' || c, 'kind', 'http', 'status', CASE WHEN g.g % 7 = 0 AND c = 2 THEN 'failed' ELSE 'passed' END, 'duration_ms', 40 + c, 'attempts', 1, 'assertions', '[]'::jsonb, 'error', NULL, 'evidence', '{}'::jsonb)) FROM generate_series(0, ${CHECKS_PER_RUN - 1}) c),
        'blocked_requests', '[]'::jsonb, 'rollback', NULL, 'warnings', '[]'::jsonb, 'evidence_dir', NULL)
    FROM g JOIN rel ON rel.version = 'r' || g.g`);
  await client.query(`
    INSERT INTO check_results (run_id, position, app_id, name, kind, status, duration_ms, attempts, error, finished_at)
    SELECT s.run_id, c, s.app_id, 'check ' || c, 'http', CASE WHEN s.verdict = 'red' AND c = 2 THEN 'failed' ELSE 'passed' END, 40 + c, 1, NULL, s.finished_at
    FROM seal_runs s JOIN releases r ON r.id = s.release_id, generate_series(0, ${CHECKS_PER_RUN - 1}) c
    WHERE substring(r.version FROM 2)::int > ${from}`);
  await client.query('ANALYZE');
}
