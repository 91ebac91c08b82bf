// What makes a browser-section run right. Each function returns the run's figures, or throws
// a VerifyError saying what was wrong (the bench then records the run as failed).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pageTitle } from './browser-server.mjs';
import { tail } from './peers.mjs';

export class VerifyError extends Error {}

const fail = (message, run) => {
  const output = run ? `\n--- stdout (tail) ---\n${tail(run.stdout)}\n--- stderr (tail) ---\n${tail(run.stderr)}` : '';
  throw new VerifyError(`${message}${output}`);
};

function expectExit(run) {
  if (run.code !== 0) fail(`${run.label} exited with ${run.code ?? run.signal}, expected 0`, run);
}

/** The server saw every page: the tool did load them, not just say so. */
function expectPages(run, stats, count) {
  if (stats.pagesSeen.size !== count) fail(`${run.label}: the server saw ${stats.pagesSeen.size} of the ${count} pages`, run);
}

/** seal --json: verdict green, exactly the expected check names, every one passed. */
function checkSealJson(run, names) {
  let json;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    fail(`${run.label}: --json output is not JSON (exit ${run.code ?? run.signal})`, run);
  }
  if (json.verdict !== 'green') fail(`${run.label}: verdict ${json.verdict} (${json.summary})`, run);
  expectExit(run);
  const passed = json.checks.filter((check) => check.status === 'passed').map((check) => check.name);
  const missing = names.filter((name) => !passed.includes(name));
  if (json.checks.length !== names.length || missing.length > 0) {
    fail(`${run.label}: ${passed.length} of ${json.checks.length} checks passed, expected ${names.length} of ${names.length} (missing: ${missing.join(', ')})`, run);
  }
  return json;
}

/** The writes seal's guard blocked in the run ("POST host"): the pages themselves make none. */
function blockedWrites(json) {
  return (json.blocked_requests ?? []).map((r) => {
    let host = r.url;
    try {
      host = new URL(r.url).host;
    } catch {
      // keep the raw text
    }
    return `${r.method} ${host}`;
  });
}

/** Start-up, run and exit of a seal run, from the clock hook and the run result. */
function sealPhases(run, json) {
  if (!run.clock) return {};
  const started = Date.parse(json.started_at);
  const finished = Date.parse(json.finished_at);
  return { startup: started - run.clock.startedAt, run: json.duration_ms, exit: run.clock.exitedAt - finished };
}

/** `seal smoke` with `count` browser checks named like the pages. */
export function verifySealBrowser(run, stats, pages) {
  const json = checkSealJson(run, pages);
  expectPages(run, stats, pages.length);
  const checkMs = json.checks.map((check) => check.duration_ms);
  return { reported: json.duration_ms, phases: sealPhases(run, json), slowestCheckMs: Math.max(...checkMs), blocked: blockedWrites(json) };
}

/**
 * Playwright's JSON report: `count` expected (passed) tests, none unexpected, flaky or skipped,
 * run by `workers` workers (the report's `actualWorkers`).
 */
export function readPlaywrightReport(file, run, count, workers) {
  if (!existsSync(file)) fail(`${run.label}: Playwright wrote no JSON report at ${file}`, run);
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    fail(`${run.label}: the JSON report at ${file} is not JSON`, run);
  }
  const s = report.stats ?? {};
  if (s.expected !== count || s.unexpected !== 0 || s.flaky !== 0 || s.skipped !== 0) {
    fail(`${run.label}: report stats ${JSON.stringify(s)}, expected ${count} passed and nothing else`, run);
  }
  if ((report.errors ?? []).length > 0) fail(`${run.label}: report errors: ${report.errors[0].message}`, run);
  const actual = report.config?.metadata?.actualWorkers;
  if (actual !== workers) fail(`${run.label}: Playwright ran ${actual} workers, expected ${workers}`, run);
  return report;
}

/** `npx playwright test` on the spec, run directly. */
export function verifyPlaywright(run, stats, pages, reportFile, workers) {
  expectExit(run);
  const report = readPlaywrightReport(reportFile, run, pages.length, workers);
  expectPages(run, stats, pages.length);
  return { reported: report.stats.duration };
}

/**
 * The bare playwright-core floor (bench/browser-floor.mjs): exit 0, every page's expected title
 * read; its own time (launch to the browser's close) is what it reports.
 */
export function verifyFloor(run, stats, pages) {
  expectExit(run);
  let out;
  try {
    out = JSON.parse(run.stdout);
  } catch {
    fail(`${run.label}: its output is not JSON`, run);
  }
  const wrong = pages.filter((name) => out.titles?.[name] !== pageTitle(name));
  if (wrong.length > 0) fail(`${run.label}: ${pages.length - wrong.length} of ${pages.length} pages had the expected title (wrong or missing: ${wrong.join(', ')})`, run);
  expectPages(run, stats, pages.length);
  return { reported: out.ms };
}

/**
 * `seal smoke` with one `playwright` check running the spec: green, one passed check per test
 * ("spec › p01"), and the Playwright report seal kept in the run's evidence folder, whose own
 * duration splits seal's run into Playwright's and the wrapper's share.
 */
export function verifySealSpec(run, stats, pages, dataDir, workers) {
  const json = checkSealJson(run, pages.map((name) => `spec › ${name}`));
  expectPages(run, stats, pages.length);
  const reportFile = findFile(join(dataDir, 'evidence'), 'report.json');
  if (!reportFile) fail(`${run.label}: no Playwright report.json under ${dataDir}`, run);
  const inner = readPlaywrightReport(reportFile, run, pages.length, workers).stats.duration;
  return { reported: json.duration_ms, phases: sealPhases(run, json), innerMs: inner, blocked: blockedWrites(json) };
}

/** The first file named `name` under `dir` (bounded: a fresh folder of one run's evidence). */
function findFile(dir, name) {
  if (!existsSync(dir)) return null;
  const entry = readdirSync(dir, { recursive: true, withFileTypes: true }).find((e) => e.isFile() && e.name === name);
  return entry ? join(entry.parentPath ?? entry.path, entry.name) : null;
}
