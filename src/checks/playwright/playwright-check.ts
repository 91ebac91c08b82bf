/**
 * The `playwright` check: run the team's own Playwright Test spec, as they wrote it, against
 * production. Only tests matching `grep` run; every request they make goes through the guard
 * proxy, so a `page.click` on a submit button or a `request.post` never reaches production.
 * Each test becomes one check in the run result.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PlaywrightCheckSpec } from '../../config/types.js';
import { hostnameOf } from '../../config/urls.js';
import { proxyEnvironment, startGuardProxy } from '../../guard/guard-proxy.js';
import type { AttemptOutcome, CheckResult } from '../../runner/run-result.js';
import { CHROMIUM_ARGS } from '../browser/browser-session.js';
import { fileNameOf } from '../browser/browser-check.js';
import { findChromium } from '../browser/find-chromium.js';
import { runProcess } from '../process.js';
import type { CheckContext } from '../types.js';
import { checksFromReport, reportErrors, type JsonReport } from './json-report.js';
import { renderWrapperConfig } from './wrapper-config.js';

/** Runs the spec once (Playwright retries failed tests itself). */
export async function runPlaywrightCheck(spec: PlaywrightCheckSpec, { app, signal, resources, redact }: CheckContext): Promise<AttemptOutcome> {
  for (const file of [spec.specPath, spec.configPath]) {
    if (file !== null && !existsSync(file)) return { outcome: 'error', assertions: [], error: `file not found: ${file}`, evidence: {} };
  }
  const executablePath = await findChromium(resources.env);
  const dir = join(resources.evidenceDir, `playwright-${fileNameOf(redact(spec.name))}`);
  mkdirSync(dir, { recursive: true });
  const guard = await startGuardProxy({ check: spec.name, dir, upstreamCa: app.ca, authority: await resources.guardAuthority() });
  try {
    const runner = resolvePlaywright(spec.specPath);
    const reportFile = join(dir, 'report.json');
    const configFile = join(dir, 'playwright.seal.config.mjs');
    writeFileSync(configFile, renderWrapperConfig({
      specPath: spec.specPath,
      teamConfigPath: spec.configPath,
      baseUrl: app.productionUrl,
      proxyUrl: guard.url,
      executablePath,
      chromiumArgs: CHROMIUM_ARGS,
      outputDir: join(dir, 'results'),
      reportFile,
      retries: spec.testRetries,
      workers: spec.workers,
    }));
    const run = await runProcess({
      command: process.execPath,
      args: [runner.cli, 'test', '--config', configFile, ...(spec.grep ? ['--grep', spec.grep] : [])],
      cwd: dirname(spec.configPath ?? spec.specPath),
      env: {
        ...resources.env,
        // The team's spec imports @playwright/test; without their own, it must find ours.
        ...(runner.ours ? { NODE_PATH: [runner.nodeModules, resources.env.NODE_PATH].filter(Boolean).join(':') } : {}),
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
        FORCE_COLOR: '0',
        // Node code in the runner (global setup) that honours proxy variables goes through the guard too.
        ...proxyEnvironment(guard, resources.env),
      },
      signal,
    });
    const report = readReport(reportFile);
    const tests = report ? checksFromReport(report, spec.name) : [];
    const evidence = { spec: spec.specPath, grep: spec.grep, playwright: runner.cli, report: existsSync(reportFile) ? reportFile : null, exit_code: run.code, output_tail: tail(run.stdout + run.stderr) };
    if (tests.length === 0) {
      const why = run.spawnError ?? reportErrors(report ?? {})[0] ?? (report ? `no test in ${spec.specPath}${spec.grep ? ` matches ${spec.grep}` : ''}` : `Playwright wrote no report (exit ${String(run.code ?? run.signal)})`);
      return { outcome: 'error', assertions: [], error: why, evidence, blocked: guard.blocked };
    }
    const expand: CheckResult[] = [...tests];
    // Chromium's own background requests go through the guard too; only writes to production count.
    const toProduction = guard.blocked.filter((b) => app.hostnames.includes(hostnameOf(new URL(b.url).host)));
    if (spec.onWrite === 'fail' && toProduction.length > 0) expand.push(writeFailure(spec, toProduction.length));
    return { outcome: expand.every((t) => t.status === 'passed' || t.status === 'flaky' || t.status === 'skipped') ? 'passed' : 'failed', assertions: [], error: null, evidence, blocked: guard.blocked, expand };
  } finally {
    await guard.stop();
  }
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

function writeFailure(spec: PlaywrightCheckSpec, count: number): CheckResult {
  return {
    name: `${spec.name} › no write attempted`,
    kind: 'playwright',
    status: 'failed',
    duration_ms: 0,
    attempts: 1,
    assertions: [{ label: 'no write attempted', ok: false, expected: 0, actual: count, message: `the spec tried ${count} write${count === 1 ? '' : 's'} (blocked; on_write: fail)` }],
    error: null,
    evidence: {},
  };
}

function tail(text: string): string {
  const lines = text.trim().split('\n');
  return lines.slice(-30).join('\n');
}
