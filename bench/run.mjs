// `npm run bench`: time-to-seal of the whole `seal smoke` CLI for 40 HTTP checks of 300 ms each,
// side by side with Step CI on the same 40 requests, plus seal's peak RSS with a 200 MiB response
// in the suite. Prints the tables and overwrites BENCHMARKS.md. Options: --runs=N (default 5).
// Loopback only; every run has a time limit; the server is closed whatever happens.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTimed } from './child.mjs';
import { ensureStepci, parseStepciSummary, tail } from './peers.mjs';
import { machineInfo, renderMarkdown, renderTables } from './report.mjs';
import { startServer } from './server.mjs';
import { writeSealConfig, writeStepciWorkflow } from './suites.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH = join(ROOT, 'bench');
const WORK = join(BENCH, '.work');
const CHECKS = 40;
const DELAY_MS = 300;
const HUGE_BYTES = 200 * 1024 * 1024;
const RUN_TIMEOUT_MS = 60_000;
const HUGE_TIMEOUT_MS = 120_000;
const RUNS = parseRuns(process.argv.slice(2));

const log = (message) => process.stderr.write(`bench: ${message}\n`);

async function main() {
  const notes = [];
  const code = describeCode(notes);
  mkdirSync(WORK, { recursive: true });
  const stepci = await ensureStepci(BENCH, log);
  const server = await startServer({ delayMs: DELAY_MS, hugeBytes: HUGE_BYTES });
  let results;
  try {
    log(`server on ${server.url}; ${RUNS} runs after 1 warm-up`);
    results = await measure(server, stepci);
  } finally {
    await server.close();
  }
  Object.assign(results, { date: new Date().toISOString(), machine: machineInfo(), code, notes });
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), renderMarkdown(results));
  process.stdout.write(`\n${renderTables(results)}\n`);
  log('wrote BENCHMARKS.md');
}

/** Runs every measurement against the one server; throws on the first run that is not right. */
async function measure(server, stepci) {
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
    stepci: {
      label: 'stepci run',
      args: [stepci.entry, 'run', workflow],
      check: (run, stats) => ({ reported: checkStepci(run, stats) }),
    },
  };
  const series = Object.fromEntries(
    Object.keys(tools).map((key) => [
      key,
      { wall: [], rssKb: [], reported: [], peakInFlight: [], phases: { startup: [], run: [], exit: [] } },
    ]),
  );

  for (let round = 0; round <= RUNS; round += 1) {
    const warmUp = round === 0;
    const times = {};
    for (const [key, tool] of Object.entries(tools)) {
      const run = await timedRun(server, tool.args, RUN_TIMEOUT_MS, tool.label);
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
    log(`${warmUp ? 'warm-up' : `run ${round}/${RUNS}`}: seal ${times.seal}, Step CI ${times.stepci}`);
  }

  log(`memory run: ${CHECKS} checks + huge (${HUGE_BYTES / 1024 ** 2} MiB body)`);
  const args = ['bin/seal', 'smoke', 'bench', '--config', hugeConfig, '--json'];
  const run = await timedRun(server, args, HUGE_TIMEOUT_MS, 'seal smoke (huge)');
  const json = checkSeal(run, server.stats, CHECKS + 1);
  const huge = json.checks.find((check) => check.name === 'huge');
  const response = huge?.evidence?.response;
  return {
    checks: CHECKS,
    delayMs: DELAY_MS,
    runs: RUNS,
    stepciVersion: stepci.version,
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
 * Runs `node <hooks> ...args` in the repo root with the server's counters reset; returns the
 * run with its wall time and peak RSS. Fails on a time-out or on any non-loopback connection.
 */
async function timedRun(server, args, timeoutMs, label) {
  const rssFile = join(WORK, 'maxrss.txt');
  const clockFile = join(WORK, 'clock.json');
  const netFile = join(WORK, 'net-guard.log');
  for (const file of [rssFile, clockFile, netFile]) rmSync(file, { force: true });
  server.reset();
  const hooks = ['--import', './bench/net-guard.mjs', '--import', './bench/maxrss-hook.mjs'];
  const run = await runTimed(process.execPath, [...hooks, ...args], {
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

/** The environment every measured process gets: the bench's own, loopback-only, no colours. */
function childEnv(extra) {
  const env = { ...process.env, ...extra };
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy']) {
    delete env[name];
  }
  return {
    ...env,
    NO_PROXY: '127.0.0.1,localhost',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    // Step CI: no usage ping to PostHog, and its anonymous-id file kept out of the user's home.
    STEPCI_DISABLE_ANALYTICS: '1',
    XDG_CONFIG_HOME: join(WORK, 'xdg-config'),
  };
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

/** Which code was measured: the commit, and a warning when dist/ is older than src/. */
function describeCode(notes) {
  let text = 'unknown commit';
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim();
    text = `commit ${sha}${dirty ? ' with uncommitted changes in src/' : ''}`;
  } catch {
    // not a git checkout: leave it unknown
  }
  // bin/seal runs whatever the build put in dist/; its layout is the build's business.
  if (!existsSync(join(ROOT, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first');
  const srcNewest = newestMtime(join(ROOT, 'src'));
  const distNewest = newestMtime(join(ROOT, 'dist'));
  if (srcNewest > distNewest) {
    const warning = 'dist/ is older than src/: these figures are for the last build, not the current source (run `npm run build`).';
    log(`warning: ${warning}`);
    notes.push(warning);
  }
  return `${text}, as compiled in dist/`;
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

function parseRuns(argv) {
  const arg = argv.find((a) => a.startsWith('--runs='));
  const runs = arg ? Number(arg.slice('--runs='.length)) : 5;
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
    throw new Error(`--runs must be a whole number from 1 to 50, got ${arg}`);
  }
  return runs;
}

main().catch((error) => {
  process.stderr.write(`bench: FAILED: ${error.message}\n`);
  process.exitCode = 1;
});
