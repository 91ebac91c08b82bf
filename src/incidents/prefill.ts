/**
 * What `seal incident open` knows before anyone types: the timeline from the ledger (merged,
 * deployed, the red seal as detection with its failing checks, later seals and releases as
 * plain events) and deadline pressure from the release freeze. Pure: the caller reads the
 * ledger. Deadline pressure is a property of the system (when changes landed), never of a person.
 */
import { oneLine } from '../notify/message.js';
import type { RunResult } from '../runner/run-result.js';
import { formatDuration } from './durations.js';
import type { TimelineEvent } from './model.js';

/** A release as the pre-fill needs it. */
export interface PrefillRelease {
  readonly version: string;
  readonly merged_at: string | null;
  readonly deployed_at: string | null;
  readonly created_at: string;
}

/** A seal run of the release (or a later one), oldest first. */
export interface PrefillSeal {
  readonly version: string;
  readonly status: 'green' | 'red' | 'error';
  readonly finished_at: string;
  readonly run_id: string;
}

/** What the pre-fill found, and what it could not. */
export interface Prefill {
  readonly timeline: readonly TimelineEvent[];
  readonly contributing_factors: readonly string[];
  readonly supporting: readonly string[];
  /** What could not be pre-filled and how to add it. */
  readonly missing: readonly string[];
  /** The releases changed within 24 h of the freeze. */
  readonly deadline_pressure: readonly { version: string; changed_at: string; from_freeze: string }[];
}

const DAY_MS = 86_400_000;

/** "'book appointment' failed: status 500, expected 200" for each failed check (at most 5, then how many more). */
export function failingChecks(run: RunResult): string[] {
  const failing = run.checks.filter((c) => c.status === 'failed' || c.status === 'error');
  const lines = failing.slice(0, 5).map((c) => {
    const failed = c.assertions.filter((a) => !a.ok).map((a) => a.message ?? `${a.label} failed`);
    return `'${oneLine(c.name, 80)}' ${c.status}: ${oneLine(failed.join('; ') || c.error || c.status, 160)}`;
  });
  if (failing.length > 5) lines.push(`${failing.length - 5} more`);
  if (run.blocked_requests.length) lines.push(`${run.blocked_requests.length} write${run.blocked_requests.length === 1 ? '' : 's'} blocked`);
  return lines;
}

/**
 * The pre-fill for an incident on `release`. `seals` are the app's seal runs on this release
 * and later ones, oldest first; `redRun` the first red run of this release (or null);
 * `releases` the app's releases (for the freeze); `freezeAt` the release freeze, if any.
 */
export function prefill({ release, seals, redRun, releases, freezeAt, boardUrl }: {
  release: PrefillRelease;
  seals: readonly PrefillSeal[];
  redRun: RunResult | null;
  releases: readonly PrefillRelease[];
  freezeAt: string | null;
  boardUrl: string | null;
}): Prefill {
  const timeline: TimelineEvent[] = [];
  const missing: string[] = [];
  const supporting: string[] = [];
  const factors: string[] = [];
  const v = release.version;
  if (release.merged_at) timeline.push({ at: release.merged_at, text: `Change of ${v} merged`, milestone: 'change_merged' });
  else missing.push(`change_merged: the ledger has no merge time for ${v} (seal release record <app> --version ${v} --merged-at ISO, or seal incident event <id> --milestone change_merged --at ISO)`);
  if (release.deployed_at) timeline.push({ at: release.deployed_at, text: `${v} deployed to production`, milestone: 'deployed' });
  else missing.push(`deployed: the ledger has no deploy time for ${v} (seal incident event <id> --milestone deployed --at ISO)`);
  if (redRun) {
    const lines = failingChecks(redRun);
    timeline.push({ at: redRun.finished_at, text: `Smoke seal of ${v} red: ${lines.join('; ') || oneLine(redRun.summary, 240)}`, milestone: 'detected', from_seal: redRun.run_id });
    supporting.push(`Red seal run ${redRun.run_id} of ${v}${boardUrl ? `: ${boardUrl}` : ''}`);
    if (redRun.rollback) supporting.push(`Rollback command the seal printed: ${oneLine(redRun.rollback, 300)}`);
  } else {
    missing.push(`detected: ${v} has no red seal (seal incident event <id> --milestone detected --at ISO)`);
  }
  // Later seals and releases, as plain events: often the mitigation, but only people know.
  const after = seals.filter((s) => !redRun || Date.parse(s.finished_at) > Date.parse(redRun.finished_at)).slice(0, 10);
  for (const s of after) timeline.push({ at: s.finished_at, text: `Smoke seal of ${s.version} ${s.status}`, from_seal: s.run_id });
  missing.push('impact_started and mitigated: only people know when users were hit and when it stopped (seal incident event <id> --milestone impact_started --at ISO)');

  const pressure: Prefill['deadline_pressure'][number][] = [];
  if (freezeAt) {
    const freeze = Date.parse(freezeAt);
    // Releases up to this one: a later hotfix is a response, not a cause.
    for (const r of releases.filter((r) => Date.parse(r.created_at) <= Date.parse(release.created_at))) {
      const changedAt = r.merged_at ?? r.created_at;
      const delta = Date.parse(changedAt) - freeze;
      if (Math.abs(delta) > DAY_MS) continue;
      const fromFreeze = delta <= 0 ? `${formatDuration(-delta)} before the freeze` : `${formatDuration(delta)} after the freeze began`;
      pressure.push({ version: r.version, changed_at: new Date(changedAt).toISOString(), from_freeze: fromFreeze });
    }
    if (pressure.length) {
      const own = pressure.find((p) => p.version === v);
      factors.push(
        `Deadline pressure: ${pressure.length} release change${pressure.length === 1 ? ' was' : 's were'} made within 24 h of the release freeze (${new Date(freeze).toISOString()}): ${pressure.map((p) => `${p.version} ${p.from_freeze}`).join(', ')}.` +
          `${own ? ` ${v} is one of them.` : ''} Changes made against a deadline get less review and soak time; the freeze schedule, not the people, set that pace.`,
      );
    }
  }
  return { timeline: timeline.sort((a, b) => Date.parse(a.at) - Date.parse(b.at)), contributing_factors: factors, supporting, missing, deadline_pressure: pressure };
}
