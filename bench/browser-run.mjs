// The browser section of `npm run bench`: 10 `browser` checks of `seal smoke` (with its default
// page limit, and again with all 10 pages at once) side by side with `npx playwright test` on an
// equivalent spec (2 workers), the bare playwright-core floor (bench/browser-floor.mjs: the same
// pages opened by a plain script), and seal's `playwright` check running that same spec; wall
// time and the peak memory of each run's whole process tree, Chromium included. Loopback only; every run has a time limit and its whole tree is killed when it
// outlives it; the page server is closed whatever happens.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pageNames, startPageServer } from './browser-server.mjs';
import { writeBrowserSuites } from './browser-suites.mjs';
import { VerifyError, verifyFloor, verifyPlaywright, verifySealBrowser, verifySealSpec } from './browser-verify.mjs';
import { runTimed } from './child.mjs';
import { waitForQuiet } from './machine-load.mjs';
import { stillRunning, treePids, watchTree } from './proc-tree.mjs';

export const COUNT = 10;
export const DELAY_MS = 100;
export const WORKERS = 2;
export const SAMPLE_MS = 50;
/** In the timed runs the tree is only tracked (to find leftovers), not measured: a cheap scan. */
const TRACK_MS = 250;
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const TIMEOUT_MS = { sealBrowser: 90_000, sealBrowserAll: 90_000, playwright: 120_000, floor: 60_000, sealSpec: 150_000 };
/** seal's default `browser_concurrency` on this machine (src/config/types.ts, defaultBrowserConcurrency). */
export const DEFAULT_BROWSER_CONCURRENCY = Math.max(2, Math.min(8, os.availableParallelism()));
/** Before each round, wait at most QUIET_WAIT_MS for the CPUs to be less than QUIET_BUSY busy. */
const QUIET_BUSY = 0.25;
const QUIET_WAIT_MS = 60_000;
/**
 * A tool whose timed (or sampled) runs fail this many times in a row gets no more timed (or
 * sampled) runs: a crash need not be timed six times. The two kinds are counted apart, since
 * the sampler's own load can fail runs that pass without it.
 */
const GIVE_UP_AFTER = 2;

/**
 * Runs the section: 1 warm-up round and `runs` rounds, the five runs interleaved in each.
 * `env(extra)` is the environment every measured process gets (bench/run.mjs's childEnv).
 */
export async function measureBrowser({ root, work, runs, log, env }) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser section needs Debian's Chromium (apt-get install -y chromium)`);
  const dir = join(work, 'browser');
  const pages = pageNames(COUNT);
  const server = await startPageServer({ delayMs: DELAY_MS, count: COUNT });
  const notes = [];
  const busy = [];
  const loadBefore = os.loadavg();
  try {
    log(`browser section: pages on ${server.url}; ${runs} runs after 1 warm-up`);
    const files = writeBrowserSuites(dir, { baseUrl: server.url, count: COUNT, workers: WORKERS, executablePath: CHROMIUM, chromiumArgs: CHROMIUM_ARGS });
    const sealDataDir = join(dir, 'seal-data');
    const seal = (config) => ['bin/seal', 'smoke', 'bench', '--config', config, '--json'];
    const tools = {
      sealBrowser: {
        label: `seal smoke (${COUNT} browser checks)`,
        args: seal(files.sealBrowser),
        verify: (run) => verifySealBrowser(run, server.stats, pages),
      },
      sealBrowserAll: {
        label: `seal smoke (${COUNT} browser checks, browser_concurrency: ${COUNT})`,
        args: seal(files.sealBrowserAll),
        verify: (run) => verifySealBrowser(run, server.stats, pages),
      },
      playwright: {
        label: `npx playwright test (${COUNT} tests, ${WORKERS} workers)`,
        args: [join(root, 'node_modules', '@playwright', 'test', 'cli.js'), 'test', '--config', files.playwrightConfig],
        before: () => rmSync(files.reportFile, { force: true }),
        verify: (run) => verifyPlaywright(run, server.stats, pages, files.reportFile, WORKERS),
      },
      // Issue 18's floor: what the pages cost Chromium driven by playwright-core alone.
      floor: {
        label: `bare playwright-core floor (${COUNT} pages, ${WORKERS} contexts at a time)`,
        args: [join(root, 'bench', 'browser-floor.mjs'), files.floor],
        verify: (run) => verifyFloor(run, server.stats, pages),
      },
      sealSpec: {
        label: `seal smoke (1 playwright check: the spec, ${WORKERS} workers)`,
        args: seal(files.sealSpec),
        verify: (run) => verifySealSpec(run, server.stats, pages, sealDataDir, WORKERS),
      },
    };
    const series = Object.fromEntries(Object.keys(tools).map((key) => [key, emptySeries()]));
    // Each round: the five runs timed, then (not in the warm-up) the five again with their
    // memory sampled; a sampled run's wall time is kept only to show what sampling costs.
    for (let round = 0; round <= runs; round += 1) {
      busy.push(await waitForQuiet(log, QUIET_BUSY, QUIET_WAIT_MS));
      const times = [];
      for (const memory of round === 0 ? [false] : [false, true]) {
        for (const [key, tool] of Object.entries(tools)) {
          const s = series[key];
          if (s.consecutiveFailures[memory ? 'memory' : 'timed'] >= GIVE_UP_AFTER) continue;
          // Evidence (and the spec's report) is read per run; the ledger stays, as a user's would.
          rmSync(join(sealDataDir, 'evidence'), { recursive: true, force: true });
          tool.before?.();
          server.reset();
          const run = await watchedRun(root, work, tool, key, memory, env({ SEAL_DATA_DIR: sealDataDir }));
          await leftovers(run, notes, log);
          const result = judge(run, tool);
          times.push(`${key}${memory ? ' (memory)' : ''} ${Math.round(run.ms)} ms${result.error ? ' FAILED' : ''}`);
          if (round === 0 && !result.error) continue; // the warm-up: checked, not counted
          record(s, run, result, server.stats, { round, memory });
        }
      }
      log(`browser ${round === 0 ? 'warm-up' : `run ${round}/${runs}`}: ${times.join(', ')}`);
    }
    for (const s of Object.values(series)) delete s.consecutiveFailures;
    const honest = await measureHonest(root, files, env({ SEAL_DATA_DIR: sealDataDir }), runs, log);
    return { honest, checks: COUNT, browserConcurrency: DEFAULT_BROWSER_CONCURRENCY, delayMs: DELAY_MS, workers: WORKERS, sampleMs: SAMPLE_MS, trackMs: TRACK_MS, runs, chromiumArgs: CHROMIUM_ARGS, chromium: chromiumVersion(), series, notes, busy, quietBusy: QUIET_BUSY, quietWaitMs: QUIET_WAIT_MS, loadBefore, loadAfter: os.loadavg() };
  } finally {
    await server.close();
  }
}

/**
 * Issue 18's "honest timings": what one loopback HTTP check (answered at once) measures in a seal
 * of its own, and in a seal beside the COUNT browser checks, where Chromium is launching and
 * pages are loading while it runs; `runs` of each, in turn. Its `duration_ms` should not change.
 */
async function measureHonest(root, files, env, runs, log) {
  const out = { alone: [], beside: [] };
  for (let i = 0; i < runs; i += 1) {
    for (const [key, config] of [['alone', files.sealQuickAlone], ['beside', files.sealQuickBeside]]) {
      const run = await runTimed(process.execPath, [join(root, 'bin/seal'), 'smoke', 'bench', '--config', config, '--json'], { cwd: root, env, timeoutMs: 120_000 });
      const check = JSON.parse(run.stdout || '{}').checks?.find((c) => c.name === 'quick');
      if (!check || check.status !== 'passed') throw new Error(`the quick HTTP check (${key}) did not pass: ${run.stderr.slice(-400)}`);
      out[key].push(check.duration_ms);
    }
  }
  log(`browser section: a loopback HTTP check alone ${out.alone.map(Math.round).join(', ')} ms; beside ${COUNT} browser checks ${out.beside.map(Math.round).join(', ')} ms`);
  return out;
}

function emptySeries() {
  return {
    wall: [], rounds: [], reported: [], cliRssKb: [], peakInFlight: [], innerMs: [], slowestCheckMs: [], phases: { startup: [], run: [], exit: [] },
    mem: { pssKb: [], failedPeakKb: [], processes: [], wall: [], intervalMs: [], cpuMs: [], rssFallbacks: 0 },
    blocked: {}, failures: [], consecutiveFailures: { timed: 0, memory: 0 },
  };
}

/** The run's figures, or its error (a time-out, a refused connection, a wrong result). */
function judge(run, tool) {
  try {
    if (run.timedOut) throw new VerifyError(`${tool.label} did not finish within ${run.timeoutMs / 1000} s; its process tree was killed`);
    if (run.refusedHosts.length > 0) throw new VerifyError(`${tool.label} tried to reach non-loopback hosts (refused by bench/net-guard.mjs): ${run.refusedHosts.join(', ')}`);
    return { figures: tool.verify(run) };
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error;
    return { error: error.message };
  }
}

function record(s, run, { figures, error }, stats, { round, memory }) {
  const warmUp = round === 0;
  const kind = memory ? 'memory' : 'timed';
  if (error) {
    s.consecutiveFailures[kind] += 1;
    s.failures.push({ run: warmUp ? 'warm-up' : memory ? 'memory run' : 'timed run', message: error, ms: run.ms, peakKb: memory ? run.watch.peakKb : null });
    if (memory && run.watch.peakKb > 0) s.mem.failedPeakKb.push(run.watch.peakKb);
    return;
  }
  s.consecutiveFailures[kind] = 0;
  for (const write of figures.blocked ?? []) s.blocked[write] = (s.blocked[write] ?? 0) + 1;
  if (memory) {
    const m = run.watch;
    s.mem.pssKb.push(m.peakKb);
    s.mem.processes.push(m.processesAtPeak);
    s.mem.wall.push(run.ms);
    if (m.intervalMedianMs !== null) s.mem.intervalMs.push(m.intervalMedianMs);
    s.mem.cpuMs.push(m.cpuMs);
    s.mem.rssFallbacks = Math.max(s.mem.rssFallbacks, m.rssFallbacks);
    return;
  }
  s.wall.push(run.ms);
  s.rounds.push(round);
  if (Number.isFinite(run.cliRssKb)) s.cliRssKb.push(run.cliRssKb);
  s.peakInFlight.push(stats.peakInFlight);
  if (typeof figures.reported === 'number') s.reported.push(figures.reported);
  if (typeof figures.innerMs === 'number') s.innerMs.push(figures.innerMs);
  if (typeof figures.slowestCheckMs === 'number') s.slowestCheckMs.push(figures.slowestCheckMs);
  for (const [phase, value] of Object.entries(figures.phases ?? {})) s.phases[phase].push(value);
}

/**
 * Runs `node --import maxrss-hook <args>` with bench/net-guard.mjs in NODE_OPTIONS, so every
 * Node process of the tree (Playwright's workers too) is held to loopback. The tree is watched
 * all along: tracked every TRACK_MS, or with `memory` its memory sampled every SAMPLE_MS.
 */
async function watchedRun(root, work, tool, key, memory, baseEnv) {
  const rssFile = join(work, 'maxrss.txt');
  const clockFile = join(work, 'clock.json');
  const netFile = join(work, 'net-guard.log');
  for (const file of [rssFile, clockFile, netFile]) rmSync(file, { force: true });
  const guard = `--import=${pathToFileURL(join(root, 'bench', 'net-guard.mjs')).href}`;
  const env = {
    ...baseEnv,
    NODE_OPTIONS: [baseEnv.NODE_OPTIONS, guard].filter(Boolean).join(' '),
    SEAL_BENCH_MAXRSS_FILE: rssFile,
    SEAL_BENCH_CLOCK_FILE: clockFile,
    SEAL_BENCH_NETGUARD_FILE: netFile,
  };
  let watcher = null;
  let rootPid = null;
  const timeoutMs = TIMEOUT_MS[key];
  let run;
  let watch;
  try {
    run = await runTimed(process.execPath, ['--import', './bench/maxrss-hook.mjs', ...tool.args], {
      cwd: root,
      env,
      timeoutMs,
      onSpawn: (child) => {
        if (child.pid === undefined) return; // did not start: runTimed rejects with the reason
        rootPid = child.pid;
        watcher = watchTree(child.pid, memory ? { intervalMs: SAMPLE_MS, memory: true } : { intervalMs: TRACK_MS, memory: false });
      },
      onTimeout: (child) => killAll(treePids(child.pid).filter((pid) => pid !== child.pid)),
    });
  } finally {
    watch = await watcher?.stop(); // never leave the watcher's timer running
  }
  run.watch = watch;
  Object.assign(run, { label: tool.label, timeoutMs, pid: rootPid });
  run.refusedHosts = existsSync(netFile) ? [...new Set(readFileSync(netFile, 'utf8').trim().split('\n'))] : [];
  run.cliRssKb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : null;
  run.clock = existsSync(clockFile) ? JSON.parse(readFileSync(clockFile, 'utf8')) : null;
  return run;
}

function killAll(pids) {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Processes of a run's tree still running after its root exited (say, a browser whose driver
 * died): noted, then killed by pid. Only processes the sampler saw in this run's tree are
 * considered, so nothing else on the machine is touched. Waits up to 3 s for them to go first.
 */
async function leftovers(run, notes, log) {
  const seen = new Map([...run.watch.seen].filter(([pid]) => pid !== run.pid));
  let left = stillRunning(seen);
  for (let i = 0; i < 30 && left.length > 0; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = stillRunning(seen);
  }
  if (left.length === 0) return;
  const note = `${run.label} left ${left.length} process(es) running 3 s after it exited (${left.map((p) => `${p.comm} ${p.pid}`).join(', ')}); the bench killed them.`;
  log(`warning: ${note}`);
  notes.push(note);
  killAll(left.map((p) => p.pid));
}

function chromiumVersion() {
  try {
    return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}
