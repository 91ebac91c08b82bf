// `npm run bench`: time-to-seal of the whole `seal smoke` CLI for 40 HTTP checks of 300 ms each,
// side by side with Step CI on the same 40 requests, plus seal's peak RSS with a 200 MiB response
// in the suite (and, for context, the same seal with its store on Postgres and run by Node 22);
// then the browser section (bench/browser-run.mjs): 10 browser checks side by side
// with `npx playwright test` and the bare playwright-core floor, and seal running the same spec,
// with the whole run's peak memory.
// Then the exec section (bench/exec-run.mjs): what a command costs as an exec probe, with and
// without the network sandbox, beside the command run directly. Then the server section
// (bench/server-run.mjs): `seal serve` on Postgres with 10,000 releases, board latency under
// load from a second process and API ingest throughput.
// Prints the tables, issue 18's goals and the earlier targets, and overwrites BENCHMARKS.md; a
// section that fails is left out (its rows say "not measured") and the bench exits 1. Options:
// Then the scale section (bench/scale-run.mjs): seal workers on Postgres, one alone, then
// 2 servers + 4 workers in 2 locations draining 200 queued releases of 50 apps.
// --runs=N (default 5); --only=http, --only=browser, --only=exec, --only=server, --only=curve or --only=scale
// runs one section and prints it, with its goals, without writing BENCHMARKS.md.
// The curve (bench/server-curve.mjs): the same server at 1,000, 10,000 and 100,000 releases
// (SEAL_BENCH_CURVE_SIZES), written as a table and as BENCHMARKS-curve.svg.
// Loopback only; every run has a time limit; the servers are closed whatever happens.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureBrowser } from './browser-run.mjs';
import { browserGoals, renderBrowserTables } from './browser-report.mjs';
import { describeCode, distStamp } from './code.mjs';
import { renderExecTables } from './exec-report.mjs';
import { measureExec } from './exec-run.mjs';
import { measureHttp } from './http-run.mjs';
import { renderServerTables, serverGoals } from './server-report.mjs';
import { measureServer } from './server-run.mjs';
import { measureCurve } from './server-curve.mjs';
import { measureScale } from './scale-run.mjs';
import { renderScaleTables, scaleGoals } from './scale-report.mjs';
import { curveGoals, renderCurveSvg, renderCurveTable } from './curve-report.mjs';
import { ensureStepci } from './peers.mjs';
import { httpGoals, machineInfo, renderGoalTable, renderGoals, renderHttpTables, renderMarkdown, renderTables } from './report.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH = join(ROOT, 'bench');
const WORK = join(BENCH, '.work');
const RUNS = parseRuns(process.argv.slice(2));
const ONLY = parseOnly(process.argv.slice(2));

const log = (message) => process.stderr.write(`bench: ${message}\n`);

async function main() {
  const notes = [];
  const code = describeCode(ROOT, notes, log);
  const distBefore = distStamp(ROOT);
  mkdirSync(WORK, { recursive: true });
  if (ONLY === 'server') {
    const server = await measureServer({ root: ROOT, log, env: childEnv });
    process.stdout.write(`\n${renderServerTables(server)}\n\n${renderGoalTable(serverGoals(server))}\n`);
    log('--only=server: BENCHMARKS.md left as it was');
    return;
  }
  if (ONLY === 'curve') {
    const curve = await measureCurve({ root: ROOT, log, env: childEnv });
    const svg = join(WORK, 'BENCHMARKS-curve.svg');
    writeFileSync(svg, renderCurveSvg(curve));
    process.stdout.write(`\n${renderCurveTable(curve)}\n\n${renderGoalTable(curveGoals(curve))}\n`);
    log(`--only=curve: BENCHMARKS.md left as it was; the chart is in ${svg}`);
    return;
  }
  if (ONLY === 'scale') {
    const scale = await measureScale({ root: ROOT, log, env: childEnv });
    process.stdout.write(`\n${renderScaleTables(scale)}\n\n${renderGoalTable(scaleGoals(scale))}\n`);
    log('--only=scale: BENCHMARKS.md left as it was');
    return;
  }
  if (ONLY === 'exec') {
    const exec = await measureExec({ runs: RUNS, log, env: childEnv });
    process.stdout.write(`\n${renderExecTables(exec)}\n`);
    log('--only=exec: BENCHMARKS.md left as it was');
    return;
  }
  if (ONLY === 'browser') {
    const browser = await measureBrowser({ root: ROOT, work: WORK, runs: RUNS, log, env: childEnv });
    process.stdout.write(`\n${renderBrowserTables(browser)}\n${renderGoalTable(browserGoals(browser))}\n`);
    log('--only=browser: BENCHMARKS.md left as it was');
    return;
  }
  const measureHttpSection = async () => measureHttp({ runs: RUNS, log, env: childEnv, stepci: await ensureStepci(BENCH, log) });
  if (ONLY === 'http') {
    const http = await measureHttpSection();
    process.stdout.write(`\n${renderHttpTables(http)}\n\n${renderGoalTable(httpGoals(http))}\n`);
    log('--only=http: BENCHMARKS.md left as it was');
    return;
  }
  const results = (await section('HTTP', notes, measureHttpSection)) ?? {};
  results.browser = await section('browser', notes, () => measureBrowser({ root: ROOT, work: WORK, runs: RUNS, log, env: childEnv }));
  results.exec = await section('exec', notes, () => measureExec({ runs: RUNS, log, env: childEnv }));
  results.server = await section('server', notes, () => measureServer({ root: ROOT, log, env: childEnv }));
  results.curve = await section('curve', notes, () => measureCurve({ root: ROOT, log, env: childEnv }));
  results.scale = await section('scale', notes, () => measureScale({ root: ROOT, log, env: childEnv }));
  if (results.curve) writeFileSync(join(ROOT, 'BENCHMARKS-curve.svg'), renderCurveSvg(results.curve));
  if (distStamp(ROOT) !== distBefore) {
    const warning = 'dist/ changed while the bench ran (someone rebuilt it): the figures may mix two builds; run the bench again.';
    log(`warning: ${warning}`);
    notes.push(warning);
  }
  Object.assign(results, { date: new Date().toISOString(), machine: machineInfo(), code, notes });
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), renderMarkdown(results));
  process.stdout.write(`\n${renderTables(results)}\n${renderGoals(results)}`);
  log('wrote BENCHMARKS.md');
  // A timed run that fails is a wrong measurement: the bench fails, as the HTTP section does.
  // A sampled run can fail under the sampler's own load; it is reported, not fatal.
  const failures = Object.values(results.browser?.series ?? {}).flatMap((s) => s.failures);
  const sampled = failures.filter((f) => f.run === 'memory run').length;
  if (sampled > 0) log(`warning: ${sampled} sampled (memory) run(s) did not pass their checks (listed under Notes in BENCHMARKS.md)`);
  if (failures.length > sampled) {
    log(`FAILED: ${failures.length - sampled} timed browser-section run(s) did not pass their checks (listed under Notes in BENCHMARKS.md)`);
    process.exitCode = 1;
  }
}

/**
 * Runs one section of the full bench. One that fails (a wrong run, a missing tool, no Postgres)
 * is noted and left out, so the page still shows every other section, with this one's rows "not
 * measured"; the bench then exits 1.
 */
async function section(name, notes, measure) {
  try {
    return await measure();
  } catch (error) {
    log(`FAILED: the ${name} section: ${error.message}`);
    notes.push(`The ${name} section failed, so its figures are missing: ${error.message.split('\n')[0]}`);
    process.exitCode = 1;
    return undefined;
  }
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
    // seal records every seal in its embedded ledger: one kept across the bench's runs (created
    // in the warm-up), as a user's is; the browser section passes its own, which wins.
    SEAL_DATA_DIR: extra?.SEAL_DATA_DIR ?? join(WORK, 'seal-data'),
  };
}

function parseRuns(argv) {
  const arg = argv.find((a) => a.startsWith('--runs='));
  const runs = arg ? Number(arg.slice('--runs='.length)) : 5;
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
    throw new Error(`--runs must be a whole number from 1 to 50, got ${arg}`);
  }
  return runs;
}

function parseOnly(argv) {
  const arg = argv.find((a) => a.startsWith('--only='));
  const only = arg ? arg.slice('--only='.length) : null;
  if (only !== null && !['http', 'browser', 'exec', 'server', 'curve', 'scale'].includes(only)) throw new Error(`--only must be http, browser, exec, server, curve or scale, got ${only}`);
  return only;
}

main().catch((error) => {
  process.stderr.write(`bench: FAILED: ${error.message}\n`);
  process.exitCode = 1;
});
