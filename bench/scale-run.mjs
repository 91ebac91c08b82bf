// The scale section of `npm run bench` (issue 19): seal workers on the machine's Postgres.
// 1. One worker's throughput: one `seal worker` (one job at a time) drains 40 queued seals of an
//    app with 2 HTTP checks of 20 ms each; the floor is one seal's own checks, one after another.
// 2. The scale row: 2 `seal serve` (queueing only) + 4 `seal worker`s, 2 in each of 2 locations
//    (4 jobs at a time each), drain 200 queued releases of 50 apps whose seals are made from both
//    locations: 400 location runs and 200 combined seals. Timed from the workers' start to the
//    last seal recorded. Checked: every asked seal recorded once, each location's run once, the
//    webhook told once per seal, both servers' live streams saw every release, the audit log
//    verifies.
// Every process is the real CLI; production and the webhook are servers in this process, on
// loopback. The database is made for the section and dropped after it, whatever happens.
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { runTimed } from './child.mjs';
import { createDatabase } from './postgres.mjs';

export const SCALE = { apps: 50, releases: 200, servers: 2, workers: 4, locations: ['eu-west', 'us-east'], workerConcurrency: 4, checkMs: 20, single: 40 };

/** Measures both; every process it starts is stopped and its database dropped, whatever happens. */
export async function measureScale({ root, log, env }) {
  const database = await createDatabase('seal_bench_scale');
  const dir = mkdtempSync(join(tmpdir(), 'seal-bench-scale-'));
  const processes = [];
  const delivered = new Map();
  const production = await listen((req, res) => setTimeout(() => res.end('OK'), SCALE.checkMs));
  const hook = await listen((req, res) => {
    const id = String(req.headers['x-seal-delivery'] ?? '');
    req.resume();
    req.on('end', () => {
      delivered.set(id, (delivered.get(id) ?? 0) + 1);
      res.statusCode = 204;
      res.end();
    });
  });
  const client = new pg.Client({ connectionString: database.url });
  try {
    const config = join(dir, 'seal.config.yaml');
    const app = (name, located) =>
      `  ${name}:\n    production_url: http://127.0.0.1:${production.port}\n    notify: [hook]\n${located ? `    locations: [${SCALE.locations.join(', ')}]\n` : ''}    checks:\n      - { name: up, http: /up, expect: { status: 200, body_contains: OK } }\n      - { name: home, http: /, expect: { status: 200 } }\n`;
    writeFileSync(
      config,
      `apps:\n${app('single', false)}${Array.from({ length: SCALE.apps }, (_, i) => app(`app${String(i).padStart(2, '0')}`, true)).join('')}notifiers:\n  hook: { type: webhook, url: "http://127.0.0.1:${hook.port}/hook", secret: "0123456789abcdef0123" }\n`,
    );
    const childEnv = env({ DATABASE_URL: database.url, SEAL_DATA_DIR: join(dir, 'data'), SEAL_CONFIG: config, SEAL_LOG_LEVEL: 'info' });
    const created = await runTimed(process.execPath, [join(root, 'bin/seal'), 'token', 'create', '--name', 'bench'], { cwd: root, env: childEnv, timeoutMs: 60_000 });
    if (created.code !== 0) throw new Error(`seal token create failed: ${created.stderr}`);
    const token = created.stdout.trim();
    await client.connect();
    const count = async (sql, values = []) => Number((await client.query(sql, values)).rows[0].n);
    const start = (args, ready) => {
      const child = startSeal(root, childEnv, args, ready);
      processes.push(child);
      return child.ready;
    };

    // 1. One worker.
    const [first] = await Promise.all([start(['serve', '--port', '0', '--worker-concurrency', '0'], /board at (http:\/\/\S+)\/deployments/)]);
    const ask = async (server, name, version) => {
      const response = await fetch(`${server.url}/api/releases/${name}/${version}/smoke`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      if (response.status !== 202) throw new Error(`POST …/smoke answered ${response.status}: ${await response.text()}`);
      return (await response.json()).run_id;
    };
    log(`scale: one worker, ${SCALE.single} queued seals of an app with 2 checks of ${SCALE.checkMs} ms`);
    for (let i = 0; i < SCALE.single; i++) await ask(first, 'single', `s${i}`);
    const t0 = performance.now();
    await start(['worker', '--concurrency', '1'], /taking seal jobs/);
    const ready = performance.now() - t0;
    await until(async () => (await count('SELECT count(*)::int AS n FROM seal_runs')) === SCALE.single, 120_000, 'one worker draining its queue');
    const singleMs = performance.now() - t0;
    const one = { seals: SCALE.single, ms: singleMs, startMs: ready, perSealMs: (singleMs - ready) / SCALE.single, floorMs: SCALE.checkMs };
    for (const p of processes.splice(1)) await p.stop();

    // 2. Two servers, four workers in two locations.
    log(`scale: ${SCALE.servers} servers + ${SCALE.workers} workers in ${SCALE.locations.length} locations, ${SCALE.releases} releases of ${SCALE.apps} apps`);
    const second = await start(['serve', '--port', '0', '--worker-concurrency', '0'], /board at (http:\/\/\S+)\/deployments/);
    const servers = [first, second];
    const streams = await Promise.all(servers.map((s) => watch(s.url)));
    const asked = [];
    const e0 = performance.now();
    for (let i = 0; i < SCALE.releases; i++) {
      const name = `app${String(i % SCALE.apps).padStart(2, '0')}`;
      asked.push({ name, version: `v${Math.floor(i / SCALE.apps) + 1}`, runId: await ask(servers[i % 2], name, `v${Math.floor(i / SCALE.apps) + 1}`) });
    }
    const enqueueMs = performance.now() - e0;
    const w0 = performance.now();
    await Promise.all(Array.from({ length: SCALE.workers }, (_, i) => start(['worker', '--location', SCALE.locations[i % SCALE.locations.length], '--concurrency', String(SCALE.workerConcurrency)], /taking seal jobs/)));
    const workersReadyMs = performance.now() - w0;
    const ids = asked.map((a) => a.runId);
    await until(async () => (await count('SELECT count(*)::int AS n FROM seal_runs WHERE run_id = ANY($1::uuid[])', [ids])) === SCALE.releases, 300_000, 'the 200 seals');
    const drainMs = performance.now() - w0;
    await until(() => ids.every((id) => delivered.has(id)), 30_000, 'the webhook told of every seal');
    await until(() => streams.every((s) => asked.every((a) => s.seen.has(`${a.name} ${a.version}`))), 30_000, 'both live boards showing every release');
    // Exactly once, checked in the store: each asked seal once, each location's run once, nothing else.
    const combined = await client.query(`SELECT run_id::text, verdict, result->'locations' AS locations FROM seal_runs WHERE run_id = ANY($1::uuid[])`, [ids]);
    const parts = await client.query(`SELECT run_id::text, result->>'part_of' AS part_of, result->>'location' AS location FROM seal_runs WHERE result->>'part_of' IS NOT NULL`);
    const perSet = new Map();
    for (const row of parts.rows) perSet.set(row.part_of, [...(perSet.get(row.part_of) ?? []), row.location]);
    const lost = ids.filter((id) => !combined.rows.some((r) => r.run_id === id)).length;
    const wrongParts = ids.filter((id) => (perSet.get(id) ?? []).sort().join(',') !== [...SCALE.locations].sort().join(',')).length;
    const notGreen = combined.rows.filter((r) => r.verdict !== 'green').length;
    const toldTwice = [...delivered.entries()].filter(([id, n]) => ids.includes(id) && n !== 1).length;
    // A location's run is never told on its own: only the seal it is part of.
    const partsTold = parts.rows.filter((r) => delivered.has(r.run_id)).length;
    const audit = await runTimed(process.execPath, [join(root, 'bin/seal'), 'audit', 'verify', '--json'], { cwd: root, env: childEnv, timeoutMs: 120_000 });
    streams.forEach((s) => s.stop());
    const rss = await Promise.all(processes.map(async (p) => ({ what: p.what, kb: await p.rssKb() })));
    for (const p of processes.splice(0).reverse()) await p.stop();
    const result = {
      one,
      row: {
        releases: SCALE.releases,
        apps: SCALE.apps,
        servers: SCALE.servers,
        workers: SCALE.workers,
        locations: SCALE.locations,
        workerConcurrency: SCALE.workerConcurrency,
        enqueueMs,
        workersReadyMs,
        drainMs,
        sealsPerSecond: SCALE.releases / (drainMs / 1000),
        runsPerSecond: (SCALE.releases * SCALE.locations.length) / (drainMs / 1000),
        recorded: combined.rows.length,
        partRuns: parts.rows.length,
        lost,
        // A seal whose locations did not each record exactly one run, or that was told twice, or a part told on its own.
        duplicated: wrongParts + toldTwice + partsTold,
        wrongParts,
        notGreen,
        toldTwice,
        partsTold,
        auditVerified: audit.code === 0,
        rss,
      },
      postgres: database.version,
    };
    if (lost > 0 || result.row.duplicated !== 0 || !result.row.auditVerified) throw new Error(`scale: exactly-once broken: ${JSON.stringify({ lost, wrongParts, toldTwice, partsTold, audit: audit.stderr.slice(0, 500) })}`);
    return result;
  } finally {
    for (const p of processes.reverse()) await p.stop().catch(() => undefined);
    await client.end().catch(() => undefined);
    production.server.close();
    hook.server.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function listen(handler) {
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.keepAliveTimeout = 1000;
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port }));
  });
}

/** `seal …args` as a child, ready once stderr matches; stopped with SIGTERM (killed after 30 s). */
function startSeal(root, env, args, ready) {
  const child = spawn(process.execPath, [join(root, 'bin/seal'), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout.resume();
  const killer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
  const exited = new Promise((done) => child.once('exit', (code) => (clearTimeout(killer), done(code))));
  const handle = {
    what: args[0],
    ready: new Promise((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        const match = ready.exec(stderr);
        if (match) resolve({ url: match[1] });
      });
      void exited.then((code) => reject(new Error(`seal ${args.join(' ')} exited (${code}) before it was ready: ${stderr}`)));
    }),
    rssKb: async () => {
      const { readFile } = await import('node:fs/promises');
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
      return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
  handle.ready.catch(() => undefined);
  return handle;
}

/** A board's live stream: the app and version of every seal event it sees. */
async function watch(url) {
  const controller = new AbortController();
  const response = await fetch(`${url}/events`, { signal: controller.signal });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const seen = new Set();
  let text = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
        let end;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const message = text.slice(0, end);
          text = text.slice(end + 2);
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (!/^event: seal$/m.test(message) || !data) continue;
          const event = JSON.parse(data);
          if (event.app && event.version) seen.add(`${event.app} ${event.version}`);
        }
      }
    } catch {
      // Aborted by stop().
    }
  })();
  return { seen, stop: () => controller.abort() };
}

async function until(condition, ms, what) {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`scale: timed out after ${ms} ms waiting for ${what}`);
}
