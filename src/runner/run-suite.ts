/**
 * The runner: takes a job (one app's resolved suite and its release), runs the checks in
 * parallel under the concurrency limits, timeouts, retries and the overall deadline, and
 * returns plain data. It never throws for a failing check and does not own any store.
 */
import { defaultEvidenceRoot } from './evidence-hashes.js';

export { defaultEvidenceRoot };
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBrowserSession } from '../checks/browser/browser-session.js';
import { EXECUTORS, PREPARE } from '../checks/registry.js';
import type { CheckContext, RunResources } from '../checks/types.js';
import type { AppConfig, CheckSpec } from '../config/types.js';
import { SealError, errorMessage } from '../errors.js';
import { timeLimit } from '../time-limit.js';
import { startRunGuard, type RunGuard } from '../guard/guard.js';
import { sandboxUnavailableReason } from '../guard/sandbox.js';
import { createRedactor } from '../redact/redact.js';
import type { RunListener } from './listener.js';
import { rollbackOf } from './rollback.js';
import { redactEvidenceFolder } from '../redact/evidence-files.js';
import { blockedOf, type AttemptOutcome, type CheckResult, type ReleaseInfo, type RunResult } from './run-result.js';
import { decideVerdict, summarize } from './verdict.js';

/** One unit of work: everything needed to seal one release of one app. */
export interface RunJob {
  readonly app: AppConfig;
  readonly release: ReleaseInfo | null;
  /** Values to redact from the result (from `${VAR}` interpolation). */
  readonly secrets: readonly string[];
}

/** Injected edges of the runner. */
export interface RunOptions {
  readonly listeners?: readonly RunListener[];
  readonly now?: () => Date;
  /** Parent folder of run evidence; each run writes to `<dir>/<app>/<run_id>/`. */
  readonly evidenceRoot?: string;
  /** Environment for the checkers (SEAL_CHROMIUM, …). */
  readonly env?: NodeJS.ProcessEnv;
  /** Stops the run early (Ctrl-C): running checks end as `error`, child processes are killed. */
  readonly signal?: AbortSignal;
  /** The run's id, when the caller handed it out already (a server's queued run); new otherwise. */
  readonly runId?: string;
}


/** How long an executor may take to hand back its own outcome after its signal aborted. */
const ABORT_GRACE_MS = 250;

/** Runs a job's checks and returns the run result. */
export async function runSuite(job: RunJob, { listeners = [], now = () => new Date(), env = process.env, evidenceRoot = defaultEvidenceRoot(env, process.cwd()), signal, runId = randomUUID() }: RunOptions = {}): Promise<RunResult> {
  const { app } = job;
  const shared: { guard?: Promise<RunGuard> } = {};
  const resources: RunResources = {
    browser: createBrowserSession(env),
    evidenceDir: join(evidenceRoot, app.name, runId),
    env,
    guard: () => (shared.guard ??= startRunGuard({ hostnames: app.hostnames, upstreamCa: app.ca, allowRequests: app.allowRequests, env })),
    sandboxUnavailable: () => sandboxUnavailableReason(env),
  };
  // Start the browser and the guard while the first checks run (each check waits for them
  // before its clock starts, see PREPARE).
  const active = app.checks.filter((c) => c.skip === null);
  if (active.some((c) => c.kind === 'browser')) resources.browser.browser().catch(() => undefined);
  if (active.some((c) => c.kind === 'browser' || c.kind === 'playwright' || c.kind === 'exec')) resources.guard().catch(() => undefined);
  if (active.some((c) => (c.kind === 'playwright' || c.kind === 'exec') && c.networkSandbox !== 'off')) resources.sandboxUnavailable().catch(() => undefined);
  const redactor = createRedactor(job.secrets);
  const startedAt = now();
  const started = performance.now();
  const emit = createEmitter(listeners);
  const refOf = ({ name, kind }: CheckSpec) => ({ name: redactor.text(name), kind });
  emit('onRunStart', { app: app.name, base_url: redactor.text(app.productionUrl), checks: app.checks.map(refOf) });

  // One signal ends the run early: the overall deadline, or the caller's (Ctrl-C).
  const deadline = new AbortController();
  const deadlineTimer = setTimeout(() => deadline.abort(new Error(`the run deadline of ${app.deadlineMs} ms was reached`)), app.deadlineMs);
  const onStop = (): void => deadline.abort(new Error('the run was interrupted'));
  if (signal?.aborted) onStop();
  signal?.addEventListener('abort', onStop, { once: true });
  // One slot per configured check; a spec check fills its slot with one result per test.
  const results = new Array<CheckResult[]>(app.checks.length);
  const checkWarnings = new Set<string>();
  try {
    await schedule(app, deadline.signal, async (check, index) => {
      emit('onCheckStart', refOf(check));
      const raw = await runCheck(check, { app, signal: deadline.signal, now, redact: redactor.text, resources, attempt: 1 }, deadline.signal);
      results[index] = redactor.deep(raw.results);
      for (const warning of raw.warnings) checkWarnings.add(redactor.text(warning));
      for (const result of results[index]) emit('onCheckFinish', result);
    }, (check, index) => {
      const result = redactor.deep(notRun(check, check.skip ?? `not run: ${stopReason(deadline.signal)}`, check.skip ? 'skipped' : 'error'));
      results[index] = [result];
      emit('onCheckFinish', result);
    });
  } finally {
    clearTimeout(deadlineTimer);
    signal?.removeEventListener('abort', onStop);
    await resources.browser.close();
    await (await shared.guard?.catch(() => null))?.stop();
  }

  // Files Playwright wrote (traces, reports) never saw the redactor: they pass through it now,
  // before anything reports the run or keeps its folder.
  // It also hashes every file it leaves (the run result's evidence_files), in the same walk.
  const evidence = existsSync(resources.evidenceDir) ? await redactEvidenceFolder(resources.evidenceDir, redactor) : null;
  const evidenceNotes = (evidence?.notes ?? []).map((n) => redactor.text(n));
  const checks = results.flat();
  const verdict = decideVerdict(checks);
  const { rollback, warnings: rollbackWarnings } = rollbackOf(app.rollback, app.name, job.release, verdict, (text) => redactor.text(text));
  // Evidence a check could not keep (a full disk): a warning on the run, naming the check.
  const lostEvidence = checks.flatMap((c) => (Array.isArray(c.evidence.lost) ? (c.evidence.lost as unknown[]).filter((w): w is string => typeof w === 'string').map((w) => `check "${c.name}": ${w}`) : []));
  const warnings = [...checkWarnings, ...lostEvidence, ...evidenceNotes, ...rollbackWarnings];
  const result: RunResult = {
    run_id: runId,
    app: app.name,
    base_url: redactor.text(app.productionUrl),
    verdict,
    summary: summarize(checks),
    started_at: startedAt.toISOString(),
    finished_at: now().toISOString(),
    duration_ms: Math.round(performance.now() - started),
    release: job.release,
    checks,
    // Every blocked write is on the check that made it; the run lists them all, in check order.
    blocked_requests: checks.flatMap(blockedOf),
    rollback,
    warnings,
    evidence_dir: existsSync(resources.evidenceDir) ? resources.evidenceDir : null,
    ...(evidence ? { evidence_files: evidence.files } : {}),
  };
  emit('onRunFinish', result);
  return result;
}

/**
 * Starts checks in config order (first in, first out, so none starves) whenever the app's
 * limit and the per-check limits of the new and the running checks all allow one more. Browser
 * checks also wait for one of the app's `browser_concurrency` page slots; while the next one
 * waits for a slot, checks of other kinds behind it may start (browser checks keep their order
 * among themselves, and the waiting one takes the first slot and app place that come free).
 */
function schedule(
  app: AppConfig,
  deadline: AbortSignal,
  start: (check: CheckSpec, index: number) => Promise<void>,
  skip: (check: CheckSpec, index: number) => void,
): Promise<void> {
  const pending = app.checks.map((check, index) => ({ check, index }));
  const running = new Map<number, CheckSpec>();
  const browsersRunning = (): number => [...running.values()].filter((c) => c.kind === 'browser').length;
  return new Promise((resolve) => {
    const pump = (): void => {
      for (let i = 0; i < pending.length; ) {
        const next = pending[i] as { check: CheckSpec; index: number };
        if (next.check.skip !== null || deadline.aborted) {
          pending.splice(i, 1);
          skip(next.check, next.index);
          continue;
        }
        const limit = Math.min(app.concurrency, next.check.concurrency, ...[...running.values()].map((c) => c.concurrency));
        if (running.size >= limit) break;
        if (next.check.kind === 'browser' && browsersRunning() >= app.browserConcurrency) {
          i += 1;
          continue;
        }
        pending.splice(i, 1);
        running.set(next.index, next.check);
        void start(next.check, next.index).finally(() => {
          running.delete(next.index);
          pump();
        });
      }
      if (pending.length === 0 && running.size === 0) resolve();
    };
    deadline.addEventListener('abort', pump, { once: true });
    pump();
  });
}

async function runCheck(check: CheckSpec, base: CheckContext, deadline: AbortSignal): Promise<{ results: CheckResult[]; warnings: string[] }> {
  const started = performance.now();
  // Time spent waiting for the run's shared work (Chromium's launch, the guard): not the check's.
  const prepared = { ms: 0 };
  const history: AttemptOutcome[] = [];
  let last: AttemptOutcome | undefined;
  for (let attempt = 1; attempt <= check.retries + 1; attempt++) {
    if (attempt > 1) {
      history.push(last as AttemptOutcome);
      await sleep(check.retryDelayMs, undefined, { signal: deadline }).catch(() => undefined);
    }
    if (deadline.aborted) {
      last = { outcome: 'error', assertions: last?.assertions ?? [], error: `cut short: ${stopReason(deadline)}`, evidence: last?.evidence ?? {} };
      break;
    }
    last = await runAttempt(check, { ...base, attempt }, deadline, prepared);
    if (last.outcome === 'passed') break;
  }
  const final = last as AttemptOutcome;
  const attempts = history.length + 1;
  const status = final.outcome === 'passed' ? (attempts > 1 ? 'flaky' : 'passed') : final.outcome;
  const evidence = history.length > 0
    ? { ...final.evidence, previous_attempts: history.map((h) => ({ outcome: h.outcome, error: h.error, failed: h.assertions.filter((a) => !a.ok).map((a) => a.message ?? a.label) })) }
    : final.evidence;
  const result: CheckResult = {
    name: check.name,
    kind: check.kind,
    status,
    duration_ms: Math.round(performance.now() - started - prepared.ms),
    attempts,
    assertions: final.assertions,
    error: final.error,
    evidence,
    // Writes of earlier attempts happened too: the check shows them all.
    blocked_requests: [...history, final].flatMap((outcome) => outcome.blocked ?? []),
  };
  const warnings = [...history, final].flatMap((outcome) => outcome.warnings ?? []);
  return { results: final.expand ? [...final.expand] : [result], warnings };
}

async function runAttempt(check: CheckSpec, base: CheckContext, deadline: AbortSignal, prepared: { ms: number }): Promise<AttemptOutcome> {
  const prepare = PREPARE[check.kind];
  if (prepare) {
    const waiting = performance.now();
    try {
      await withAbort(prepare(base.resources), deadline);
    } catch (error) {
      return { outcome: 'error', assertions: [], error: describeThrow(check, error), evidence: {} };
    } finally {
      prepared.ms += performance.now() - waiting;
    }
    if (deadline.aborted) return { outcome: 'error', assertions: [], error: `cut short: ${stopReason(deadline)}`, evidence: {} };
  }
  // Not AbortSignal.any + AbortSignal.timeout: on Node 20 a garbage collection can lose that
  // timeout (see time-limit.ts), and a check waiting on a silent server would wait for ever.
  const timeout = timeLimit(check.timeoutMs, deadline);
  const signal = timeout.signal;
  const executor = EXECUTORS[check.kind];
  let outcome: AttemptOutcome;
  try {
    outcome = await withAbortGrace(executor(check, { ...base, signal }), signal);
  } catch (error) {
    return { outcome: 'error', assertions: [], error: describeThrow(check, error), evidence: {} };
  } finally {
    timeout.dispose();
  }
  if (deadline.aborted) return { ...outcome, outcome: 'error', error: `cut short: ${stopReason(deadline)}` };
  // A check that already said what it ran out of time doing keeps its own, more precise message.
  if (timeout.timedOut) return { ...outcome, outcome: 'failed', error: outcome.error?.startsWith('timed out after ') ? outcome.error : `timed out after ${check.timeoutMs} ms (timeout_ms)` };
  return outcome;
}

/** Resolves with the executor's own outcome, or a bare one if it ignores its aborted signal. */
function withAbortGrace(work: Promise<AttemptOutcome>, signal: AbortSignal): Promise<AttemptOutcome> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      timer = setTimeout(() => resolve({ outcome: 'failed', assertions: [], error: 'aborted', evidence: {} }), ABORT_GRACE_MS);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

/**
 * A throw is never production's fault: either a known reason the checker cannot run (a
 * SealError, whose message says what to do) or a bug in the checker.
 */
function describeThrow(check: CheckSpec, error: unknown): string {
  return error instanceof SealError ? error.message : `the ${check.kind} checker crashed: ${errorMessage(error)}`;
}

function stopReason(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : 'the run was stopped';
}

/** Settles with the work, or rejects as soon as the signal aborts (the work is left to finish). */
function withAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error(stopReason(signal)));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error(stopReason(signal)));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort)).catch(() => undefined);
  });
}

function notRun(check: CheckSpec, reason: string, status: 'skipped' | 'error'): CheckResult {
  return { name: check.name, kind: check.kind, status, duration_ms: 0, attempts: 0, assertions: [], error: reason, evidence: {}, blocked_requests: [] };
}

function createEmitter(listeners: readonly RunListener[]) {
  return function emit<K extends keyof RunListener>(event: K, ...args: Parameters<NonNullable<RunListener[K]>>): void {
    for (const listener of listeners) {
      try {
        (listener[event] as ((...a: typeof args) => void) | undefined)?.(...args);
      } catch {
        // A reporter that throws must not change the verdict; the final output still prints.
      }
    }
  };
}
