/**
 * The `playwright` check: run the team's own Playwright Test spec, as they wrote it, against
 * production. Only tests matching `grep` run; every request they make goes through the run's
 * guard (each worker on a channel of its own, in the network sandbox where available), so a
 * `page.click` on a submit button or a `request.post` never reaches production. Each test
 * becomes one check in the run result, with the writes it made.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PlaywrightCheckSpec } from '../../config/types.js';
import type { Channel, GuardedRequest } from '../../guard/guard.js';
import { runGuarded } from '../../guard/guarded-process.js';
import { describeBlocked, type AttemptOutcome, type BlockedRequest, type CheckResult } from '../../runner/run-result.js';
import { CHROMIUM_ARGS } from '../browser/browser-session.js';
import { fileNameOf } from '../browser/browser-check.js';
import { findChromium } from '../browser/find-chromium.js';
import { sandboxWarning } from '../guard-evidence.js';
import type { CheckContext } from '../types.js';
import { attributeToTests } from './attribution.js';
import { reportErrors, testsFromReport, type JsonReport, type ReportedTest } from './json-report.js';
import { renderWrapperConfig } from './wrapper-config.js';

/** Requests of one kind listed per test in its evidence (the count says how many in all). */
const MAX_LISTED = 20;

/** Runs the spec once (Playwright retries failed tests itself). */
export async function runPlaywrightCheck(spec: PlaywrightCheckSpec, { app, signal, resources, redact }: CheckContext): Promise<AttemptOutcome> {
  for (const file of [spec.specPath, spec.configPath]) {
    if (file !== null && !existsSync(file)) return { outcome: 'error', assertions: [], error: `file not found: ${file}`, evidence: {} };
  }
  const executablePath = await findChromium(resources.env);
  const dir = join(resources.evidenceDir, `playwright-${fileNameOf(redact(spec.name))}`);
  mkdirSync(dir, { recursive: true });
  const guard = await resources.guard();
  const unavailable = await resources.sandboxUnavailable();
  // The runner process (global setup) has a channel, and so does each worker, by parallel index.
  const runnerChannel = guard.channel({ check: spec.name, client: 'spec' });
  const workerChannels = Array.from({ length: spec.workers }, (_, worker) => guard.channel({ check: spec.name, client: 'spec', worker }));
  const channels = [runnerChannel, ...workerChannels];
  try {
    const runner = resolvePlaywright(spec.specPath);
    const reportFile = join(dir, 'report.json');
    const configFile = join(dir, 'playwright.seal.config.mjs');
    writeFileSync(configFile, renderWrapperConfig({
      specPath: spec.specPath,
      teamConfigPath: spec.configPath,
      baseUrl: app.productionUrl,
      executablePath,
      chromiumArgs: CHROMIUM_ARGS,
      outputDir: join(dir, 'results'),
      reportFile,
      retries: spec.testRetries,
      workers: spec.workers,
    }));
    const run = await runGuarded({
      command: process.execPath,
      args: [runner.cli, 'test', '--config', configFile, ...(spec.grep ? ['--grep', spec.grep] : [])],
      cwd: dirname(spec.configPath ?? spec.specPath),
      env: {
        ...resources.env,
        // The team's spec imports @playwright/test; without their own, it must find ours.
        ...(runner.ours ? { NODE_PATH: [runner.nodeModules, resources.env.NODE_PATH].filter(Boolean).join(':') } : {}),
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
        FORCE_COLOR: '0',
      },
      signal,
      guard,
      mode: spec.networkSandbox,
      unavailable,
      channel: runnerChannel,
      workers: workerChannels,
      productionPorts: app.productionPorts,
    });
    await Promise.all(channels.map((c) => c.close()));
    const warnings = run.sandbox.startsWith('off (unavailable') ? [sandboxWarning(unavailable ?? '')] : [];
    const report = readReport(reportFile);
    const tests = report ? testsFromReport(report, spec.name, dirname(spec.specPath), spec.baseDir) : [];
    const evidence = { spec: spec.specPath, grep: spec.grep, playwright: runner.cli, report: existsSync(reportFile) ? reportFile : null, exit_code: run.code, network_sandbox: run.sandbox, output_tail: tail(run.stdout + run.stderr) };
    const blocked = blockedOfSpec(spec.name, channels, tests);
    if (tests.length === 0) {
      const why = run.sandboxError ? `the network sandbox could not be set up: ${run.sandboxError}` : run.spawnError ?? reportErrors(report ?? {})[0] ?? (report ? `no test in ${spec.specPath}${spec.grep ? ` matches ${spec.grep}` : ''}` : `Playwright wrote no report (exit ${String(run.code ?? run.signal)})`);
      return { outcome: 'error', assertions: [], error: why, evidence, blocked: blocked.flat(), warnings };
    }
    const allowed = attributeToTests(channels.flatMap((c) => c.allowed), tests);
    const outside = attributeToTests(channels.flatMap((c) => c.outsideProxy.map((o) => ({ ...o, worker: null }))), tests);
    const checks: CheckResult[] = tests.map((test, index) => withGuard(spec, test, blocked[index] ?? [], {
      network_sandbox: run.sandbox,
      ...(allowed.perTest[index]?.length ? { allowed_requests: allowed.perTest[index].slice(0, MAX_LISTED).map((a) => ({ method: a.method, url: a.url, reason: a.reason })) } : {}),
      ...(outside.perTest[index]?.length ? { outside_proxy: outside.perTest[index].slice(0, MAX_LISTED).map((o) => `${o.target}: refused by the network sandbox (not production, not through the proxy)`) } : {}),
    }));
    const loose = blocked[tests.length] ?? [];
    if (loose.length > 0 || outside.outside.length > 0) checks.push(outsideAnyTest(spec, loose, outside.outside.map((o) => o.target)));
    const ok = checks.every((t) => t.status === 'passed' || t.status === 'flaky' || t.status === 'skipped');
    return { outcome: ok ? 'passed' : 'failed', assertions: [], error: null, evidence, blocked: checks.flatMap((c) => c.blocked_requests ?? []), expand: checks, warnings };
  } finally {
    await Promise.all(channels.map((c) => c.close()));
  }
}

/** The blocked writes of each test (same order as `tests`), then those outside any test. */
function blockedOfSpec(check: string, channels: readonly Channel[], tests: readonly ReportedTest[]): BlockedRequest[][] {
  const records = channels.flatMap((c) => c.blocked);
  const { perTest, outside } = attributeToTests(records, tests);
  const shape = (record: GuardedRequest, test: ReportedTest | null): BlockedRequest => ({
    check: test ? test.check.name : `${check} › outside any test`,
    method: record.method,
    url: record.url,
    ...(record.why !== record.method ? { reason: record.why } : {}),
    ...(test ? { test: test.title, location: test.location } : {}),
  });
  return [...perTest.map((list, index) => list.map((record) => shape(record, tests[index] ?? null))), outside.map((record) => shape(record, null))];
}

/** A test's check with its blocked writes: said in its error when it failed, failed by them under `on_write: fail`. */
function withGuard(spec: PlaywrightCheckSpec, test: ReportedTest, blocked: readonly BlockedRequest[], extra: Record<string, unknown>): CheckResult {
  const check = test.check;
  const evidence = { ...check.evidence, ...extra };
  if (blocked.length === 0) return { ...check, evidence, blocked_requests: [] };
  const listed = blocked.slice(0, 3).map((b) => `${b.method} ${b.url}`).join(', ');
  const writes = `${blocked.length} write${blocked.length === 1 ? '' : 's'}`;
  const note = `the read-only guard answered ${writes} of this test itself (${listed}${blocked.length > 3 ? ', …' : ''}: 204, never sent to production), so what the test saw after ${blocked.length === 1 ? 'it' : 'them'} came from the guard; if a request only reads, list it under allow_requests`;
  let assertions = check.assertions.map((a) => (a.ok ? a : { ...a, message: `${a.message ?? a.label} (${note})` }));
  let status = check.status;
  if (spec.onWrite === 'fail' && status !== 'skipped') {
    assertions = [...assertions, { label: 'no write attempted', ok: false, expected: 0, actual: blocked.length, message: `the test tried ${blocked.length} write${blocked.length === 1 ? '' : 's'} (blocked; on_write: fail)` }];
    if (status !== 'error') status = 'failed';
  }
  return { ...check, status, assertions, evidence: { ...evidence, guard_answered: `${describeBlocked(blocked.length)}: ${note}` }, blocked_requests: blocked };
}

/** Writes (and connections around the proxy) no test can be named for: global setup, hooks between tests. */
function outsideAnyTest(spec: PlaywrightCheckSpec, blocked: readonly BlockedRequest[], refused: readonly string[]): CheckResult {
  const fail = spec.onWrite === 'fail' && blocked.length > 0;
  return {
    name: `${spec.name} › outside any test`,
    kind: 'playwright',
    status: fail ? 'failed' : 'passed',
    duration_ms: 0,
    attempts: 1,
    assertions: fail ? [{ label: 'no write attempted', ok: false, expected: 0, actual: blocked.length, message: `the spec tried ${blocked.length} write${blocked.length === 1 ? '' : 's'} outside any test (blocked; on_write: fail)` }] : [],
    error: null,
    evidence: {
      note: 'requests made while no test of this spec was running on their worker (global setup or teardown, hooks between tests), or by a connection the guard could not trace to a worker',
      ...(refused.length > 0 ? { outside_proxy: refused.slice(0, MAX_LISTED).map((target) => `${target}: refused by the network sandbox (not production, not through the proxy)`) } : {}),
    },
    blocked_requests: blocked,
  };
}

/** The team's @playwright/test when the spec's folder can resolve one, else ours. */
function resolvePlaywright(specPath: string): { cli: string; ours: boolean; nodeModules: string } {
  try {
    const cli = createRequire(specPath).resolve('@playwright/test/cli');
    return { cli, ours: false, nodeModules: '' };
  } catch {
    const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
    return { cli, ours: true, nodeModules: join(dirname(cli), '..', '..') };
  }
}

function readReport(file: string): JsonReport | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
  } catch {
    return null;
  }
}

function tail(text: string): string {
  const lines = text.trim().split('\n');
  return lines.slice(-30).join('\n');
}
