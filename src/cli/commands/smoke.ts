/**
 * `seal smoke <app>`: run the suite, reach a verdict, report it. Whatever happens after the
 * command starts, it ends with a verdict and exit 0 (a seal is not a gate) unless --gate.
 */
import type { Credited } from '../../store/incidents.js';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findConfigPath, loadConfig } from '../../config/load.js';
import type { AppConfig, SealConfig } from '../../config/types.js';
import { errorMessage, UnknownAppError } from '../../errors.js';
import { resolveReleaseInfo, type ReleaseFlags } from '../../release/release-info.js';
import { writeJsonResult } from '../../reporters/json.js';
import { createTerminalReporter } from '../../reporters/terminal.js';
import { createRedactor } from '../../redact/redact.js';
import { withWarning, type ReleaseInfo, type RunResult, type Verdict } from '../../runner/run-result.js';
import { defaultEvidenceRoot, runSuite } from '../../runner/run-suite.js';
import { openStoreEarly, type EarlyStore } from '../../store/early-store.js';
import { isNewEmbeddedStore, msFromEnv, storeLocation } from '../../store/location.js';
import type { CliIo } from '../io.js';
// Recording and reporting (the store, drizzle, PGlite, the notifiers) load after the verdict:
// nothing of them is needed to run the checks.
import type { RecordContext, recordSeal } from './record-seal.js';

/** Flags of `seal smoke`. */
export interface SmokeOptions extends ReleaseFlags {
  readonly config?: string;
  readonly json?: boolean;
  readonly junit?: string;
  readonly gate?: boolean;
  readonly server?: string;
  /** Checks of these kinds are listed as skipped with the reason (the demo without Chromium). */
  readonly skipKinds?: { readonly kinds: readonly string[]; readonly reason: string };
}

const GATE_EXIT: Record<Verdict, number> = { green: 0, red: 1, error: 2 };

/** Runs `seal smoke` and returns the exit code. Never throws. */
export async function smokeCommand(appName: string, options: SmokeOptions, io: CliIo): Promise<number> {
  const release = resolveReleaseInfo(options, io.env);
  const reporter = createTerminalReporter({ stream: io.stderr });
  // Progress is live; the verdict block is printed once the verdict is reached, before recording
  // (with the release and rollback read from the ledger when it answers in time).
  const live = { ...reporter, onRunFinish: undefined };
  let result: RunResult;
  let secrets: readonly string[] = [];
  let rollbackTemplate: string | null = null;
  let sealApp: AppConfig | null = null;
  let notifiers: SealConfig['notifiers'] = {};
  let tiers: RecordContext['tiers'];
  // Set once the config loaded and named the app: before that, nothing is recorded or reported
  // (a broken config must not create a release, nor become the app's latest one).
  let configured = false;
  // The embedded store, opened while an HTTP suite's checks run (early-store.ts).
  let early: EarlyStore | null = null;
  // Ctrl-C or a CI job's SIGTERM ends the run cleanly: checks stop, child processes are
  // killed, and the (error) verdict is still printed.
  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const config = loadConfig(findConfigPath(options.config, io.env, io.cwd), io.env);
    secrets = config.secrets;
    const picked = pickApp(config, appName);
    const skip = options.skipKinds;
    const app = skip ? { ...picked, checks: picked.checks.map((c) => (skip.kinds.includes(c.kind) ? { ...c, skip: skip.reason } : c)) } : picked;
    rollbackTemplate = app.rollback;
    sealApp = app;
    notifiers = config.notifiers;
    tiers = { vocabulary: config.tiers, expected: app.expectTiers };
    configured = true;
    early = options.server ? null : openStoreEarlyFor(app, io.env, io.cwd);
    result = await runSuite({ app, release, secrets }, { listeners: [live], env: io.env, evidenceRoot: defaultEvidenceRoot(io.env, io.cwd), signal: interrupt.signal });
  } catch (error) {
    // Anything that stops the run before a verdict is still a verdict: error, with its reason.
    result = errorResult(appName, release, createRedactor(secrets).text(errorMessage(error)));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  // The verdict is printed (terminal, JUnit, --json) before anything is recorded or reported, so
  // that whatever happens afterwards (a store that hangs until the deadline, a kill -9 from a
  // CI timeout) the ship flow has it. What recording adds comes after, on stderr.
  // The XML builder (about 0.8 MB of code) loads only for --junit.
  const junit = options.junit ? await import('../../reporters/junit.js') : null;
  let announced: RunResult | null = null;
  const announce = (run: RunResult): void => {
    if (announced) return;
    let shown = run;
    try {
      reporter.onRunFinish?.(shown);
    } catch (error) {
      // A reporter bug must not cost the verdict: say so, and keep going to the JSON and exit 0.
      shown = withWarning(shown, `the terminal report failed: ${errorMessage(error)}`);
      io.stderr.write(`warning: ${shown.warnings.at(-1) ?? ''}\nSeal: ${shown.verdict}  ${shown.summary}\n`);
    }
    if (options.junit && junit) {
      const path = resolve(io.cwd, options.junit);
      try {
        writeFileSync(path, junit.renderJunit(shown));
      } catch (error) {
        shown = withWarning(shown, `could not write the JUnit report to ${path}: ${errorMessage(error)}`);
        io.stderr.write(`warning: ${shown.warnings.at(-1) ?? ''}\n`);
      }
    }
    if (options.json) writeJsonResult(io.stdout, shown);
    announced = shown;
  };
  const exitCode = (run: RunResult): number => (options.gate ? GATE_EXIT[run.verdict] : 0);
  // Ctrl-C or a CI job's SIGTERM while the seal is being recorded or reported: the verdict is
  // already printed (or is printed now, with a warning), the command exits as it would have, and
  // the run stays in the outbox for the next command that opens the store.
  const verdictSoFar = result;
  const onLateSignal = (signal: NodeJS.Signals): void => {
    const cut = `${signal} arrived while the seal was being ${options.server ? 'reported' : 'recorded'}: it was cut short (the run is kept in the outbox: \`seal outbox flush\` ${options.server ? 'sends' : 'records'} it)`;
    if (announced) io.stderr.write(`warning: ${cut}\n`);
    else announce(withWarning(verdictSoFar, cut));
    process.exit(exitCode(announced ?? verdictSoFar));
  };
  process.once('SIGINT', onLateSignal);
  process.once('SIGTERM', onLateSignal);
  try {
    return await afterVerdict();
  } finally {
    process.off('SIGINT', onLateSignal);
    process.off('SIGTERM', onLateSignal);
    // Recording closed it, or gave up on it (its deadline): the thread must not keep the process alive.
    await early?.dispose();
  }

  /** Recording or reporting (after the verdict is printed), then what they added, and the exit code. */
  async function afterVerdict(): Promise<number> {
    let boardUrl: string | null = null;
    let told: NonNullable<Awaited<ReturnType<typeof recordSeal>>['deliveries']>['outcomes'] = [];
    let proved: readonly Credited[] = [];
    let fromOutbox = 0;
    if (!configured) {
      announce(withWarning(result, `nothing was recorded${options.server ? ' or reported' : ''}: the config did not load or does not name the app, so no release was created or changed`));
      if (io.env.GITHUB_ACTIONS === 'true') io.stderr.write(githubError(`seal smoke ${appName}`, result.summary));
    } else if (options.server) {
      const [{ outboxDir, putInOutbox, takeFromOutbox }, { PREVIEW_MS }, { REPORT_BUDGET_MS, reportSeal }] = await Promise.all([import('../../seal/outbox.js'), import('./record-seal.js'), import('./report-seal.js')]);
      const budget = msFromEnv(io.env, 'SEAL_SERVER_TIMEOUT_MS');
      const redactor = createRedactor(secrets);
      // A secret in the template (`--token ${DEPLOY_TOKEN}`) must not reach the server.
      const template = rollbackTemplate === null ? null : redactor.text(rollbackTemplate);
      // Written ahead, as for the store: a server that cannot be reached loses nothing.
      const { dataDir } = storeLocation(io.env, io.cwd);
      const kept = keepForServer(() => putInOutbox(dataDir, result, { rollbackTemplate: template, flags: options, env: io.env, server: options.server }));
      // Announced once the server said which release it is, or without its view after PREVIEW_MS.
      const previewMs = Math.min(PREVIEW_MS, Math.floor((budget ?? REPORT_BUDGET_MS) / 3));
      const unread = result;
      const previewTimer = setTimeout(() => announce(withWarning(unread, `the release and the rollback command are the run's own: the seal server at ${options.server} did not answer within ${previewMs} ms (reporting goes on)`)), previewMs);
      const reported = await reportSeal(result, {
        announce,
        server: options.server,
        token: io.env.SEAL_TOKEN?.trim() || null,
        rollbackTemplate: template,
        flags: options,
        env: io.env,
        ...(budget !== undefined ? { budgetMs: budget } : {}),
      });
      clearTimeout(previewTimer);
      result = reported.result;
      boardUrl = reported.boardUrl;
      if (reported.outcome === 'unreached') {
        result = withWarning(result, kept.file ? `the run is kept in ${kept.file}: \`seal outbox flush\` sends it to ${options.server} (with SEAL_TOKEN)` : `the run could not be kept in the outbox (${outboxDir(dataDir)}): ${kept.problem}`);
      } else if (kept.file) {
        takeFromOutbox(dataDir, result.run_id);
      }
    } else {
      const redactor = createRedactor(secrets);
      const { recordSeal } = await import('./record-seal.js');
      const recorded = await recordSeal(result, { rollbackTemplate, flags: options, env: io.env, cwd: io.cwd, redact: (text) => redactor.text(text), app: sealApp, notifiers, announce, tiers, early });
      result = recorded.result;
      told = recorded.deliveries?.outcomes ?? [];
      proved = recorded.credited ?? [];
      fromOutbox = recorded.fromOutbox ?? 0;
    }
    announce(result);
    const shown: RunResult = announced ?? result;
    // What recording or reporting added to what was printed.
    for (const warning of result.warnings) if (!shown.warnings.includes(warning)) io.stderr.write(`warning: ${warning}\n`);
    if (result.verdict === 'red' && result.rollback && result.rollback !== shown.rollback) {
      io.stderr.write(`The rollback command as ${options.server ? 'the seal server recorded it' : 'recorded'} (the ledger knows more of the release than the run did):\n\n    ${result.rollback}\n\n`);
    }
    if (result.release?.version && result.release.version !== shown.release?.version) io.stderr.write(`Recorded on release ${result.release.version}\n`);
    if (boardUrl) io.stderr.write(`Board: ${boardUrl}\n`);
    // Failures are among the warnings already; this says where the seal went.
    const sent = told.filter((t) => t.outcome.status !== 'failed').map((t) => `${t.target}: ${t.outcome.detail}`);
    if (sent.length > 0) io.stderr.write(`Told: ${sent.join('; ')}\n`);
    if (fromOutbox > 0) io.stderr.write(`Recorded from the outbox: ${fromOutbox} earlier seal${fromOutbox === 1 ? '' : 's'} that could not be recorded when made\n`);
    for (const c of proved) io.stderr.write(`Proved: action ${c.action} of incident ${c.incident} is done ("${c.title}": its smoke check "${c.check}" passed)\n`);
    return exitCode(shown);
  }
}

/** Kinds of check that mostly wait on the network: the store can open on the other core meanwhile. */
const WAITING_KINDS: ReadonlySet<string> = new Set(['http', 'tls']);

/**
 * Starts opening the embedded store in a worker thread while the checks run, for a suite of HTTP
 * and TLS checks only: Chromium, a Playwright spec or an exec probe wants the machine's cores for
 * itself, and a check's timing must not pay for our own work (BENCHMARKS.md, "honest timings").
 * `SEAL_STORE_EARLY=0` turns it off.
 */
function openStoreEarlyFor(app: AppConfig, env: NodeJS.ProcessEnv, cwd: string): EarlyStore | null {
  if (env.SEAL_STORE_EARLY?.trim() === '0') return null;
  if (!app.checks.every((check) => check.skip !== null || WAITING_KINDS.has(check.kind))) return null;
  const location = storeLocation(env, cwd);
  return openStoreEarly(location, isNewEmbeddedStore(location));
}

/** Puts the run in the outbox for the server (`put`); when it cannot be written, why (said if the server is not reached either). */
function keepForServer(put: () => string): { file: string; problem?: undefined } | { file: null; problem: string } {
  try {
    return { file: put() };
  } catch (error) {
    return { file: null, problem: errorMessage(error) };
  }
}

/**
 * A GitHub Actions error annotation. Written to stderr: the runner reads workflow commands from
 * both streams, and with --json stdout must stay one JSON document. Escaped as the runner
 * expects, so a message cannot end the command early or start another.
 */
export function githubError(title: string, message: string): string {
  const data = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const property = (text: string): string => data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return `::error title=${property(title)}::${data(message)}\n`;
}

function pickApp(config: SealConfig, name: string) {
  const app = config.apps[name];
  if (!app) throw new UnknownAppError(name, Object.keys(config.apps), config.source);
  return app;
}

/** A run result for a run that could not start: verdict error, the reason as summary. */
export function errorResult(app: string, release: ReleaseInfo | null, reason: string): RunResult {
  const now = new Date().toISOString();
  return {
    run_id: randomUUID(),
    app,
    base_url: '',
    verdict: 'error',
    summary: `could not verify: ${reason}`,
    started_at: now,
    finished_at: now,
    duration_ms: 0,
    release,
    checks: [],
    blocked_requests: [],
    rollback: null,
    warnings: [],
    evidence_dir: null,
  };
}
