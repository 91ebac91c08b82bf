// The HTTP section of `npm run bench`: time-to-seal of the whole `seal smoke` CLI for 40 HTTP
// checks of 300 ms each, side by side with Step CI on the same 40 requests, plus seal's peak RSS
// with a 200 MiB response in the suite. Every run is checked; the first wrong one throws.
// Two context runs share the rounds: the same seal with its store on the machine's Postgres
// (DATABASE_URL, a database created for the section), and the same seal run by Node 22, beside
// a bare `node22 -e ""`. Without Postgres or Node 22 their rows say why, and the section goes on.
// Loopback only; every run has a time limit; the server is closed and the database dropped
// whatever happens.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runTimed } from './child.mjs';
import { parseStepciSummary, tail } from './peers.mjs';
import { createDatabase } from './postgres.mjs';
import { startServer } from './server.mjs';
import { writeSealConfig, writeStepciWorkflow } from './suites.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'bench', '.work');
const CHECKS = 40;
const DELAY_MS = 300;
const HUGE_BYTES = 200 * 1024 * 1024;
const RUN_TIMEOUT_MS = 60_000;
const HUGE_TIMEOUT_MS = 120_000;
/** Emptied before every first-seal run. */
const FRESH_DATA = join(WORK, 'seal-data-fresh');
/** Installed by `npm ci --prefix test/node-versions`. */
export const NODE22 = join(ROOT, 'test', 'node-versions', 'node_modules', 'node22', 'bin', 'node');

/**
 * Runs the section against its own server: 1 warm-up round and `runs` rounds, then the memory
 * run. `env(extra)` is the environment every measured process gets.
 */
export async function measureHttp({ runs, log, env, stepci }) {
  const server = await startServer({ delayMs: DELAY_MS, hugeBytes: HUGE_BYTES });
  let database = null;
  try {
    log(`server on ${server.url}; ${runs} runs after 1 warm-up`);
    const node22 = findNode22(log);
    database = await createDatabase('seal_http').catch((error) => {
      log(`no Postgres for the context run with DATABASE_URL: ${error.message} (its rows say "not measured")`);
      return { missing: `no Postgres: ${reason(error)}` };
    });
    return await measure(server, stepci, runs, env, log, { database, node22 });
  } finally {
    await database?.drop?.();
    await server.close();
  }
}

/** Node 22 for its context run: its path and version, or why it cannot run. */
function findNode22(log) {
  if (!existsSync(NODE22)) {
    log(`Node 22 not installed (${NODE22}; \`npm ci --prefix test/node-versions\` installs it): its rows say "not measured"`);
    return { missing: 'Node 22 not installed' };
  }
  try {
    const version = execFileSync(NODE22, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
    if (!version.startsWith('v22.')) return { missing: `${NODE22} is Node ${version}, not 22` };
    return { path: NODE22, version };
  } catch (error) {
    return { missing: `Node 22 (${NODE22}) does not run: ${reason(error)}` };
  }
}

/** An error's first line, for a "not measured" row. */
const reason = (error) => {
  const message = error.message.split('\n')[0];
  return (error.code && !message.includes(error.code) ? `${error.code}: ${message}` : message).replace(/\|/g, '/');
};

/** Runs every measurement against the one server; throws on the first run that is not right. */
async function measure(server, stepci, runs, env, log, { database, node22 }) {
  const baseUrl = server.url;
  const sealConfig = writeSealConfig(WORK, 'seal.config.yaml', { baseUrl, count: CHECKS, huge: false });
  const hugeConfig = writeSealConfig(WORK, 'seal-huge.config.yaml', { baseUrl, count: CHECKS, huge: true });
  const workflow = writeStepciWorkflow(WORK, 'stepci.workflow.yml', { baseUrl, count: CHECKS });
  const sealVersion = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

  const tools = {
    nodeEmpty: { label: 'node -e ""', args: ['-e', ''], check: (run) => expectExit(run, 0) },
    sealVersion: {
      label: 'seal --version',
      args: ['bin/seal', '--version'],
      check: (run) => {
        expectExit(run, 0);
        const printed = run.stdout.trim();
        if (printed !== sealVersion) fail(`seal --version printed ${JSON.stringify(printed)}, expected ${sealVersion}`, run);
      },
    },
    seal: {
      label: 'seal smoke',
      args: ['bin/seal', 'smoke', 'bench', '--config', sealConfig, '--json'],
      check: (run, stats) => {
        const json = checkSeal(run, stats, CHECKS);
        return { reported: json.duration_ms, phases: sealPhases(run, json) };
      },
    },
    // The same run on an empty SEAL_DATA_DIR: a newcomer's first seal, or a CI job without a
    // cache, which also creates the embedded store (unpacked from the build's template).
    sealFirst: {
      label: 'seal smoke (first seal, fresh store)',
      args: ['bin/seal', 'smoke', 'bench', '--config', sealConfig, '--json'],
      before: () => rmSync(FRESH_DATA, { recursive: true, force: true }),
      env: { SEAL_DATA_DIR: FRESH_DATA },
      check: (run, stats) => ({ reported: checkSeal(run, stats, CHECKS).duration_ms }),
    },
    stepci: {
      label: 'stepci run',
      args: [stepci.entry, 'run', workflow],
      check: (run, stats) => ({ reported: checkStepci(run, stats) }),
    },
    // Context: the same seal with its store on the machine's Postgres instead of the embedded one.
    ...(database.url && {
      sealPostgres: {
        label: 'seal smoke (DATABASE_URL, Postgres)',
        args: ['bin/seal', 'smoke', 'bench', '--config', sealConfig, '--json'],
        env: { DATABASE_URL: database.url },
        check: (run, stats) => {
          const json = checkSeal(run, stats, CHECKS);
          return { reported: json.duration_ms, phases: sealPhases(run, json) };
        },
      },
    }),
    // Context: the same seal (embedded store) run by Node 22, which keeps a compile cache, and
    // its bare start and exit.
    ...(node22.path && {
      node22Empty: { label: 'node22 -e ""', node: node22.path, args: ['-e', ''], check: (run) => expectExit(run, 0) },
      sealNode22: {
        label: 'seal smoke (Node 22)',
        node: node22.path,
        args: ['bin/seal', 'smoke', 'bench', '--config', sealConfig, '--json'],
        check: (run, stats) => {
          const json = checkSeal(run, stats, CHECKS);
          return { reported: json.duration_ms, phases: sealPhases(run, json) };
        },
      },
    }),
  };
  const series = Object.fromEntries(
    Object.keys(tools).map((key) => [
      key,
      { wall: [], rssKb: [], reported: [], peakInFlight: [], phases: { startup: [], run: [], exit: [] } },
    ]),
  );

  for (let round = 0; round <= runs; round += 1) {
    const warmUp = round === 0;
    const times = {};
    for (const [key, tool] of Object.entries(tools)) {
      tool.before?.();
      const run = await timedRun(server, tool.args, RUN_TIMEOUT_MS, tool.label, (extra) => env({ ...tool.env, ...extra }), tool.node);
      const { reported, phases } = tool.check(run, server.stats) ?? {};
      times[key] = `${Math.round(run.ms)} ms`;
      if (warmUp) continue;
      const s = series[key];
      s.wall.push(run.ms);
      s.rssKb.push(run.rssKb);
      if (typeof reported === 'number') s.reported.push(reported);
      if (server.stats.requests > 0) s.peakInFlight.push(server.stats.peakInFlight);
      for (const [phase, value] of Object.entries(phases ?? {})) s.phases[phase].push(value);
    }
    const context = [times.sealPostgres && `on Postgres ${times.sealPostgres}`, times.sealNode22 && `on Node 22 ${times.sealNode22}`].filter(Boolean);
    log(`${warmUp ? 'warm-up' : `run ${round}/${runs}`}: seal ${times.seal}, first seal ${times.sealFirst}, Step CI ${times.stepci}${context.length ? `; context: seal ${context.join(', ')}` : ''}`);
  }
  // Every Postgres run recorded its seal there, not in the embedded store.
  if (database.url) await expectRecorded(database.url, runs + 1);

  log(`memory run: ${CHECKS} checks + huge (${HUGE_BYTES / 1024 ** 2} MiB body)`);
  const args = ['bin/seal', 'smoke', 'bench', '--config', hugeConfig, '--json'];
  const run = await timedRun(server, args, HUGE_TIMEOUT_MS, 'seal smoke (huge)', env);
  const json = checkSeal(run, server.stats, CHECKS + 1);
  const huge = json.checks.find((check) => check.name === 'huge');
  const response = huge?.evidence?.response;
  return {
    checks: CHECKS,
    delayMs: DELAY_MS,
    runs,
    stepciVersion: stepci.version,
    node: process.version,
    postgres: database.url ? { version: database.version } : { missing: database.missing },
    node22: node22.path ? { version: node22.version } : { missing: node22.missing },
    series,
    huge: {
      hugeBytes: HUGE_BYTES,
      wallMs: run.ms,
      rssKb: run.rssKb,
      verdict: json.verdict,
      checks: json.checks.length,
      bodyBytes: response?.body_bytes,
      truncated: response?.body_truncated,
      serverBytesSent: server.stats.hugeBytesSent,
      closedEarly: server.stats.hugeClosedEarly,
    },
  };
}

/**
 * Runs `node <hooks> ...args` (the bench's own Node unless `node` names another) in the repo
 * root with the server's counters reset; returns the run with its wall time and peak RSS.
 * Fails on a time-out or on any non-loopback connection.
 */
async function timedRun(server, args, timeoutMs, label, childEnv, node = process.execPath) {
  const rssFile = join(WORK, 'maxrss.txt');
  const clockFile = join(WORK, 'clock.json');
  const netFile = join(WORK, 'net-guard.log');
  for (const file of [rssFile, clockFile, netFile]) rmSync(file, { force: true });
  server.reset();
  const hooks = ['--import', './bench/net-guard.mjs', '--import', './bench/maxrss-hook.mjs'];
  const run = await runTimed(node, [...hooks, ...args], {
    cwd: ROOT,
    env: childEnv({ SEAL_BENCH_MAXRSS_FILE: rssFile, SEAL_BENCH_CLOCK_FILE: clockFile, SEAL_BENCH_NETGUARD_FILE: netFile }),
    timeoutMs,
  });
  run.label = label;
  if (run.timedOut) fail(`${label} did not finish within ${timeoutMs / 1000} s and was killed`, run);
  if (existsSync(netFile)) {
    const hosts = [...new Set(readFileSync(netFile, 'utf8').trim().split('\n'))].join(', ');
    fail(`${label} tried to reach non-loopback hosts (refused by bench/net-guard.mjs): ${hosts}`, run);
  }
  run.rssKb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : null;
  if (!Number.isFinite(run.rssKb)) fail(`${label} left no peak RSS figure`, run);
  run.clock = existsSync(clockFile) ? JSON.parse(readFileSync(clockFile, 'utf8')) : null;
  return run;
}

/** A seal run must exit 0 with verdict green and `expected` passed checks; returns its JSON. */
function checkSeal(run, stats, expected) {
  expectExit(run, 0);
  let json;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    fail(`${run.label}: --json output is not JSON`, run);
  }
  if (json.verdict !== 'green') fail(`${run.label}: verdict ${json.verdict} (${json.summary})`, run);
  const passed = json.checks.filter((check) => check.status === 'passed').length;
  if (json.checks.length !== expected || passed !== expected) {
    fail(`${run.label}: ${passed} of ${json.checks.length} checks passed, expected ${expected} of ${expected}`, run);
  }
  if (stats.requests < expected) fail(`${run.label}: the server saw ${stats.requests} requests, expected ${expected}`, run);
  return json;
}

/** The Postgres store must hold one seal per run with DATABASE_URL (the warm-up's included). */
async function expectRecorded(databaseUrl, expected) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS runs FROM seal_runs');
    if (rows[0].runs !== expected) fail(`seal smoke (DATABASE_URL, Postgres): the database holds ${rows[0].runs} seals, expected ${expected}`);
  } finally {
    await client.end();
  }
}

/** A Step CI run must exit 0 and report every test passed; returns its own run time (ms). */
function checkStepci(run, stats) {
  expectExit(run, 0);
  const summary = parseStepciSummary(run.stdout);
  if (summary.passed !== CHECKS || summary.failed !== 0 || summary.total !== CHECKS || !summary.workflowPassed) {
    fail(`Step CI: expected "Tests: 0 failed, ${CHECKS} passed, ${CHECKS} total" and "Workflow passed"`, run);
  }
  if (stats.requests < CHECKS) fail(`Step CI: the server saw ${stats.requests} requests, expected ${CHECKS}`, run);
  return summary.reportedMs;
}

/**
 * Where a seal run's wall time went: start-up (process start to the suite's started_at: Node,
 * module loading, config), the run itself (duration_ms), and exit (finished_at to process exit).
 */
function sealPhases(run, json) {
  if (!run.clock) return {};
  const started = Date.parse(json.started_at);
  const finished = Date.parse(json.finished_at);
  return { startup: started - run.clock.startedAt, run: json.duration_ms, exit: run.clock.exitedAt - finished };
}

function expectExit(run, code) {
  if (run.code !== code) fail(`${run.label} exited with ${run.code ?? run.signal}, expected ${code}`, run);
}

function fail(message, run) {
  const output = run ? `\n--- stdout (tail) ---\n${tail(run.stdout)}\n--- stderr (tail) ---\n${tail(run.stderr)}` : '';
  throw new Error(`${message}${output}`);
}
