/**
 * A seal made from several locations: one run per location, each taken only by a worker of that
 * location, combined into the release's seal. Green only when every location's run is green; a
 * location whose run never came (no live worker within `location_timeout`) is an error, named.
 * The combined run lists each location's verdict and summary, and carries every location's
 * checks with the location in front of the check's name, so the board, the notifiers and the
 * release notes show the result per location with no code of their own.
 */
import type { CheckResult, RunResult, Verdict } from '../runner/run-result.js';
import type { SealSet } from './types.js';

/** One location's part of a seal, as the combined run lists it. */
export interface LocationPart {
  readonly location: string;
  /** The location's own run (in the release's seal history), or null when it never came. */
  readonly run_id: string | null;
  readonly verdict: Verdict;
  readonly summary: string;
}


/** A location whose run did not come, and why (shown as its summary). */
export interface MissingPart {
  readonly location: string;
  readonly run_id: string | null;
  readonly reason: string;
}

/** The verdict of parts: red if any is red, else error if any errored or is missing, else green. */
export function combinedVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('red')) return 'red';
  if (verdicts.includes('error')) return 'error';
  return verdicts.length > 0 ? 'green' : 'error';
}

/**
 * The combined run of a seal set. `parts` are the locations' recorded runs, `missing` the
 * locations without one. Built from recorded (already bounded and redacted) runs only.
 */
export function combineRuns(set: SealSet, base: { app: string; base_url: string; release: RunResult['release']; now: Date }, recorded: readonly RunResult[], missing: readonly MissingPart[]): RunResult {
  const order = new Map(set.runs.map((r, i) => [r.location, i]));
  // Everything in the set's order of locations, whatever order the runs finished in.
  const parts = recorded.slice().sort((a, b) => (order.get(a.location ?? '') ?? 0) - (order.get(b.location ?? '') ?? 0));
  const listed: LocationPart[] = [
    ...parts.map((run) => ({ location: run.location ?? '?', run_id: run.run_id, verdict: run.verdict, summary: run.summary })),
    ...missing.map((m) => ({ location: m.location, run_id: m.run_id, verdict: 'error' as const, summary: m.reason })),
  ].sort((a, b) => (order.get(a.location) ?? 0) - (order.get(b.location) ?? 0));
  const checks: CheckResult[] = parts.flatMap((run) => run.checks.map((check) => ({ ...check, name: `${run.location ?? '?'}: ${check.name}` })));
  const starts = parts.map((p) => Date.parse(p.started_at)).filter(Number.isFinite);
  const ends = parts.map((p) => Date.parse(p.finished_at)).filter(Number.isFinite);
  const started = starts.length > 0 ? Math.min(...starts) : base.now.getTime();
  const finished = Math.max(ends.length > 0 ? Math.max(...ends) : started, started);
  const verdict = combinedVerdict(listed.map((p) => p.verdict));
  return {
    run_id: set.run_id,
    app: base.app,
    base_url: base.base_url,
    verdict,
    summary: listed.map((p) => `${p.location}: ${p.verdict}, ${p.summary}`).join(' | '),
    started_at: new Date(started).toISOString(),
    finished_at: new Date(finished).toISOString(),
    duration_ms: finished - started,
    release: parts[0]?.release ?? base.release,
    checks,
    blocked_requests: parts.flatMap((run) => run.blocked_requests.map((b) => ({ ...b, check: `${run.location ?? '?'}: ${b.check}` }))),
    rollback: parts[0]?.rollback ?? null,
    warnings: [...new Set(parts.flatMap((run) => run.warnings.map((w) => `${run.location ?? '?'}: ${w}`)))],
    evidence_dir: null,
    locations: listed,
  };
}
